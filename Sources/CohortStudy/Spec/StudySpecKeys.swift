extension Study.Spec {
    /// One documented key of a study spec: what the README's key table lists and what a spec
    /// error's fix suggests.
    public struct KeyDoc: Sendable, Hashable {
        /// Dotted key path (`privacy.epsilon`).
        public var key: String
        /// `yes`, `no`, or the condition under which the key is required.
        public var required: String
        /// The value used when the key is absent (`—` when required).
        public var defaultValue: String
        /// Allowed values, in words.
        public var allowed: String
        /// A line that would be valid in a spec (`deadline_seconds: 120`).
        public var example: String
    }

    /// Every key of a study spec, in the order a spec usually lists them. Kept in step with
    /// ``topLevelKeys``/``privacyKeys`` by a test.
    public static let keyDocs: [KeyDoc] = [
        KeyDoc(key: "kind", required: "yes", defaultValue: "—",
               allowed: "`histogram` (customers per cell), `mean` (mean of a measure per cell), `kmeans` (DP k-means segments), `logistic-regression` (DP churn model with federated evaluation), `quantiles` (DP recency/frequency/monetary quantiles and RFM cut points) or `evaluation` (federated evaluation of a published churn model)",
               example: "kind: histogram"),
        KeyDoc(key: "purpose", required: "yes", defaultValue: "—",
               allowed: "`segmentation`, `benchmarking` or `model-training`: selects the consenting customers and the budget charged",
               example: "purpose: segmentation"),
        KeyDoc(key: "as_of", required: "yes", defaultValue: "—",
               allowed: "a date `YYYY-MM-DD`: behaviour data up to the end of that day (UTC)",
               example: "as_of: 2026-06-30"),
        KeyDoc(key: "dimensions", required: "yes, except for learning kinds (none allowed)", defaultValue: "—",
               allowed: "a non-empty list of distinct `rfm_segment`, `lifecycle_stage`, `value_tier`, `region`, `channel_band`, `nps_class`, or `attribute:<name>` for a custom category attribute (crossed; at most \(Study.Spec.maxCells) cells)",
               example: "dimensions: [rfm_segment]"),
        KeyDoc(key: "regions", required: "when `region` is a dimension", defaultValue: "none",
               allowed: "the agreed region labels (1–64 characters each, at most \(Study.Spec.maxRegions)); `other` is implied",
               example: "regions: [north, south]"),
        KeyDoc(key: "attribute_values", required: "when an `attribute:<name>` dimension is used", defaultValue: "none",
               allowed: "per attribute name, the agreed category labels of that custom attribute (declared as a category in every participant's `data.attributes`); `other` is implied",
               example: "attribute_values: { contract: [Month-to-month, One year, Two year] }"),
        KeyDoc(key: "measure", required: "when `kind: mean`", defaultValue: "none",
               allowed: "`churn_rate`, `nps`, `clv` or `aov`; only for `kind: mean`",
               example: "measure: churn_rate"),
        KeyDoc(key: "lower", required: "when `kind: mean`", defaultValue: "none",
               allowed: "a finite number within the measure's domain; values below are raised to it",
               example: "lower: 0"),
        KeyDoc(key: "upper", required: "when `kind: mean`", defaultValue: "none",
               allowed: "a finite number greater than `lower`, within the measure's domain; values above are lowered to it",
               example: "upper: 1"),
        KeyDoc(key: "currency", required: "when the measure is `clv` or `aov`", defaultValue: "none",
               allowed: "the ISO 4217 code of the amounts (three capital letters); every party's `data.reporting_currency` must be it; only for money measures",
               example: "currency: EUR"),
        KeyDoc(key: "learning", required: "for `kmeans` (its `k`) and `evaluation` (its model)", defaultValue: "every key's default",
               allowed: "a mapping of learning parameters; only for `kmeans`, `logistic-regression`, `quantiles`, `evaluation`",
               example: "learning: { k: 4, rounds: 8 }"),
        KeyDoc(key: "learning.k", required: "for `kmeans`", defaultValue: "none",
               allowed: "clusters, an integer in 2…50",
               example: "k: 4"),
        KeyDoc(key: "learning.features", required: "no", defaultValue: "log_recency, log_frequency, log_monetary, tenure_years, log_aov (+ region, channel_band, nps_class for the churn model)",
               allowed: "distinct consortium features: `log_recency`, `log_frequency`, `log_monetary`, `tenure_years`, `log_aov`, `channel_share`; the churn model also `region`, `channel_band`, `nps_class`",
               example: "features: [log_recency, log_frequency, log_monetary]"),
        KeyDoc(key: "learning.bounds", required: "no", defaultValue: "per feature (docs/learning.md)",
               allowed: "per numeric feature, `[lower, upper]` in the feature's units (finite, lower < upper); values are clipped to it on every node",
               example: "bounds: { tenure_years: [0, 20] }"),
        KeyDoc(key: "learning.rounds", required: "no", defaultValue: "8",
               allowed: "Lloyd rounds (`kmeans`, 1…100) or gradient rounds (`logistic-regression`, 1…1000); ε must split into them",
               example: "rounds: 8"),
        KeyDoc(key: "learning.clip_norm", required: "no", defaultValue: "2",
               allowed: "L2 clip norm C of each customer's gradient, in (0, 1000]; `logistic-regression` only",
               example: "clip_norm: 2"),
        KeyDoc(key: "learning.learning_rate", required: "no", defaultValue: "1.5",
               allowed: "gradient step size in (0, 10]; `logistic-regression` only",
               example: "learning_rate: 1.5"),
        KeyDoc(key: "learning.l2", required: "no", defaultValue: "0.001",
               allowed: "L2 regularization λ in [0, 100]; `logistic-regression` only",
               example: "l2: 0.001"),
        KeyDoc(key: "learning.holdout_share", required: "no", defaultValue: "0.3",
               allowed: "share of each node's customers never trained on and used for the evaluation, in (0, 1); `logistic-regression`, or `evaluation` to score only that seeded holdout (an `evaluation` with `model_study` defaults to that study's holdout share and seed, else scores every labelled customer)",
               example: "holdout_share: 0.3"),
        KeyDoc(key: "learning.sampling_rate", required: "no", defaultValue: "1 (full batch)",
               allowed: "Poisson sampling rate of each gradient round in (0, 1]; below 1 the subsampled-Gaussian RDP accountant prices the rounds",
               example: "sampling_rate: 0.1"),
        KeyDoc(key: "learning.seed", required: "no", defaultValue: "1",
               allowed: "an integer ≥ 0: the holdout assignment and the lead's k-means++ draws on released data (never the noise); for `evaluation` only with `holdout_share`",
               example: "seed: 7"),
        KeyDoc(key: "learning.regions", required: "no", defaultValue: "north, south, east, west, central",
               allowed: "region labels of the churn model's `region` feature (others coded `other`)",
               example: "regions: [north, south]"),
        KeyDoc(key: "learning.probabilities", required: "no", defaultValue: "0.2, 0.4, 0.6, 0.8",
               allowed: "probabilities of a `quantiles` study, each in (0, 1); the quintile cuts yield RFM cut points",
               example: "probabilities: [0.25, 0.5, 0.75]"),
        KeyDoc(key: "learning.model_study", required: "for `evaluation`, unless `model` is given", defaultValue: "none",
               allowed: "the id of a `logistic-regression` study published on the lead; the lead replaces it by `model` (from its stored result) before proposing; not with `model`",
               example: "model_study: churn-q2"),
        KeyDoc(key: "learning.model", required: "for `evaluation`, unless `model_study` is given", defaultValue: "none",
               allowed: "the churn model: `{ features: [..], bounds: {..}, regions: [..], intercept: b, coefficients: { <column>: w, … }, study: <id> }` (bounds, regions and study optional; one weight per column, e.g. `region=north`); a participant storing `study` checks the model equals its copy",
               example: "model: { features: [log_recency], intercept: -1.2, coefficients: { log_recency: 2.1 } }"),
        KeyDoc(key: "learning.bins", required: "no", defaultValue: "100",
               allowed: "score bins of an `evaluation` study's histogram, a multiple of 10 in 10…1000",
               example: "bins: 100"),
        KeyDoc(key: "rfm_cut_points", required: "no", defaultValue: "each node's own quintiles",
               allowed: "with an `rfm_segment` dimension: `{ study: <id> }` of a published `quantiles` study, or `{ recency: [4 days], frequency: [4 purchases], monetary: [4 minor units] }` ascending; every node scores RFM against the same cuts",
               example: "rfm_cut_points: { study: q-2026-06 }"),
        KeyDoc(key: "privacy", required: "yes", defaultValue: "—",
               allowed: "a mapping with `epsilon`, `delta` and optionally `min_count`",
               example: "privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 20 }"),
        KeyDoc(key: "privacy.epsilon", required: "yes", defaultValue: "—",
               allowed: "ε charged on each node, a number in (0, \(Study.Spec.maxEpsilon)]; each node's policy may cap it lower",
               example: "epsilon: 1.0"),
        KeyDoc(key: "privacy.delta", required: "yes", defaultValue: "—",
               allowed: "δ of the (ε, δ) guarantee, a number in (0, 1); each node's policy may cap it lower",
               example: "delta: 1.0e-6"),
        KeyDoc(key: "privacy.min_count", required: "no", defaultValue: "0 (never suppress)",
               allowed: "an integer ≥ 0: cells whose released count is below it are suppressed",
               example: "min_count: 20"),
        KeyDoc(key: "participants", required: "yes", defaultValue: "—",
               allowed: "a non-empty list of distinct node names from `network.peers`, not the lead itself (it always takes part)",
               example: "participants: [globex]"),
        KeyDoc(key: "deadline_seconds", required: "yes", defaultValue: "—",
               allowed: "an integer in 1…3600: how long the lead waits for the whole study (participants' approval included)",
               example: "deadline_seconds: 120"),
        KeyDoc(key: "secure_aggregation", required: "no", defaultValue: "off",
               allowed: "`true`, `false` or a mapping with `enabled` and `dropouts`: the lead learns only the sum of each round; needs 3 or more parties (the lead included)",
               example: "secure_aggregation: { enabled: true, dropouts: 1 }"),
        KeyDoc(key: "secure_aggregation.enabled", required: "no", defaultValue: "true",
               allowed: "`true` or `false`",
               example: "enabled: true"),
        KeyDoc(key: "secure_aggregation.dropouts", required: "no", defaultValue: "0",
               allowed: "an integer D with 0 ≤ D < n/2 for n parties: how many may drop out of a round after sharing their keys with the sum still released",
               example: "dropouts: 1"),
        KeyDoc(key: "id", required: "no", defaultValue: "assigned by the lead (`<purpose>-<yyyymmdd>-<8 hex>`)",
               allowed: "1–64 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit; must be new on every node",
               example: "id: q3-segments"),
        KeyDoc(key: "deadline_at", required: "no", defaultValue: "set by the lead when the study starts",
               allowed: "`YYYY-MM-DDTHH:MM:SSZ`; leave it out: the lead overwrites it with start + `deadline_seconds`",
               example: "deadline_at: 2026-07-01T12:00:00Z"),
    ]

    /// The documentation of `key` (a dotted path; list indices such as `dimensions[2]` are
    /// looked up as their list), or nil for an unknown key.
    public static func keyDoc(_ key: String) -> KeyDoc? {
        let base = key.split(separator: "[", maxSplits: 1).first.map(String.init) ?? key
        return keyDocs.first { $0.key == base }
    }
}
