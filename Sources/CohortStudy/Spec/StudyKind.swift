extension Study {
    /// The statistic a study releases.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Counts of customers per cell of a (possibly crossed) categorical key.
        case histogram
        /// Per-cell mean of a bounded per-customer measure, released with the cell count.
        case mean
        /// DP k-means segmentation over the consortium features (purpose `segmentation`):
        /// a noised-grid initialization, DP Lloyd rounds and a profile round.
        case kmeans
        /// DP federated logistic regression on the churn label (purpose `model-training`):
        /// a second-moment round, clipped and noised gradient rounds, and a federated evaluation
        /// round on every node's holdout.
        case logisticRegression = "logistic-regression"
        /// DP quantiles of recency, frequency and monetary value from fine noised histograms;
        /// the release yields consortium RFM cut points.
        case quantiles
        /// Federated evaluation of a published churn model (purpose `model-training`): one round
        /// of noised score × label histograms on every node's holdout (or every labelled
        /// customer), released as AUC, accuracy, log-loss and calibration.
        case evaluation

        /// True for the learning kinds (``kmeans``, ``logisticRegression``, ``quantiles``,
        /// ``evaluation``), which take a `learning:` section instead of dimensions.
        public var isLearning: Bool {
            switch self {
            case .histogram, .mean: return false
            case .kmeans, .logisticRegression, .quantiles, .evaluation: return true
            }
        }
    }
}
