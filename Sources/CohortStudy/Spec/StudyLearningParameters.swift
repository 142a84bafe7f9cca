extension Study {
    /// The `learning:` section of a learning study (`kmeans`, `logistic-regression`,
    /// `quantiles`, `evaluation`): every key is optional and falls back to the documented default of the
    /// algorithm (see `docs/learning.md`). The same values produce the same feature transform
    /// and noise on every node, because they are part of the spec all parties approve.
    public struct LearningParameters: Sendable, Hashable {
        /// Clusters of a k-means study (2–50); required for `kmeans`.
        public var k: Int?
        /// Consortium feature names (`log_recency`, `log_frequency`, `log_monetary`,
        /// `tenure_years`, `log_aov`, `channel_share`; for the churn model also `region`,
        /// `channel_band`, `nps_class`).
        public var features: [String]?
        /// Clip bounds `[lower, upper]` by numeric feature name, in the feature's own units
        /// (e.g. `log_recency: [0, 6.6]` in ln(1 + days)); defaults per feature otherwise.
        public var bounds: [String: [Double]]?
        /// Lloyd rounds (`kmeans`, default 8) or gradient rounds (`logistic-regression`,
        /// default 8). The study runs at most these plus its fixed rounds.
        public var rounds: Int?
        /// L2 clip norm C of each customer's gradient (`logistic-regression`, default 2).
        public var clipNorm: Double?
        /// Gradient-descent step size (default 1.5).
        public var learningRate: Double?
        /// L2 regularization λ (default 0.001).
        public var l2: Double?
        /// Share of each node's customers kept out of training for evaluation (default 0.3);
        /// for `evaluation`, the seeded holdout to score (default: the model study's, else every
        /// labelled customer).
        public var holdoutShare: Double?
        /// Poisson sampling rate per gradient round, (0, 1] (default 1 = full batch, zCDP;
        /// below 1 the subsampled-Gaussian RDP accountant is used).
        public var samplingRate: Double?
        /// Seed of the holdout assignment and of the lead's k-means++ draws on public data
        /// (default 1). It decides no noise.
        public var seed: Int?
        /// Region labels of the `region` feature (default north, south, east, west, central).
        public var regions: [String]?
        /// Probabilities of a `quantiles` study, each in (0, 1) (default 0.2, 0.4, 0.6, 0.8).
        public var probabilities: [Double]?
        /// `evaluation`: the id of a published `logistic-regression` study whose model is
        /// evaluated. The lead replaces it by ``model`` (from its own stored result) before
        /// proposing; exactly one of the two is given.
        public var modelStudy: String?
        /// `evaluation`: the churn model itself, with its feature definitions and clip bounds.
        public var model: LearningModel?
        /// `evaluation`: score bins of the histogram, a multiple of 10 in 10…1000 (default 100).
        public var bins: Int?

        /// Every key absent: the defaults.
        public init() {}

        /// The YAML keys of the section, in documentation order.
        public static let keys: [String] = [
            "k", "features", "bounds", "rounds", "clip_norm", "learning_rate", "l2", "holdout_share",
            "sampling_rate", "seed", "regions", "probabilities", "model_study", "model", "bins",
        ]
    }
}
