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
               allowed: "`histogram` (customers per cell) or `mean` (mean of a measure per cell)",
               example: "kind: histogram"),
        KeyDoc(key: "purpose", required: "yes", defaultValue: "—",
               allowed: "`segmentation`, `benchmarking` or `model-training`: selects the consenting customers and the budget charged",
               example: "purpose: segmentation"),
        KeyDoc(key: "as_of", required: "yes", defaultValue: "—",
               allowed: "a date `YYYY-MM-DD`: behaviour data up to the end of that day (UTC)",
               example: "as_of: 2026-06-30"),
        KeyDoc(key: "dimensions", required: "yes", defaultValue: "—",
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
