extension Study {
    /// A validated study specification, shared verbatim by the lead and all participants.
    ///
    /// Build one with ``init(id:kind:purpose:asOf:dimensions:regions:mean:privacy:participants:deadlineSeconds:)``
    /// (validates) or load one from YAML/JSON with ``load(yaml:)`` / ``load(json:)`` (snake_case
    /// keys, see the type's `Codable` conformance). Every rule violation throws a ``StudyError``
    /// whose `key` names the offending key.
    ///
    /// Example (histogram of RFM segments):
    /// ```yaml
    /// kind: histogram
    /// purpose: segmentation
    /// as_of: 2025-03-31
    /// dimensions: [rfm_segment]
    /// privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 20 }
    /// participants: [globex, initech]
    /// deadline_seconds: 600
    /// ```
    public struct Spec: Sendable, Hashable {
        /// Study identifier; `nil` until the lead assigns one (see ``withID(_:)``).
        public private(set) var id: String?
        /// What is released.
        public let kind: Kind
        /// Consent purpose used to select customers and charge the budget.
        public let purpose: Purpose
        /// Reference date of all customer features (recency, lifecycle, …).
        public let asOf: CalendarDate
        /// Dimensions of the key, crossed in this order (first = most significant digit).
        public let dimensions: [Dimension]
        /// Region labels agreed up front (only when `region` is a dimension; `other` is implied).
        public let regions: [String]
        /// The measure and its clamp bounds; present exactly when `kind == .mean`.
        public let mean: MeanMeasure?
        /// Privacy parameters charged on each node, and the suppression threshold.
        public let privacy: PrivacyParameters
        /// Names of the participating nodes other than the lead (the lead always participates).
        public let participants: [String]
        /// Time the lead waits for the whole study before failing it, in seconds (1–3600).
        public let deadlineSeconds: Int

        /// Creates a spec after checking every rule; throws a ``StudyError`` naming the key.
        public init(
            id: String? = nil, kind: Kind, purpose: Purpose, asOf: CalendarDate,
            dimensions: [Dimension], regions: [String] = [], mean: MeanMeasure? = nil,
            privacy: PrivacyParameters, participants: [String], deadlineSeconds: Int
        ) throws {
            self.id = id
            self.kind = kind
            self.purpose = purpose
            self.asOf = asOf
            self.dimensions = dimensions
            self.regions = regions
            self.mean = mean
            self.privacy = privacy
            self.participants = participants
            self.deadlineSeconds = deadlineSeconds
            try validate()
        }

        /// A copy with the study identifier set (the lead assigns it before proposing).
        public func withID(_ id: String) throws -> Spec {
            var copy = self
            copy.id = id
            try Self.validateName(id, key: "id")
            return copy
        }

        /// The identifier, or an error if the lead has not assigned one yet.
        public func requireID() throws -> String {
            guard let id else { throw StudyError(.missingKey, key: "id", "the study has no id yet") }
            return id
        }

        /// Number of rounds of the protocol: 1 for `histogram` and `mean`.
        public var rounds: Int { 1 }

        /// The cell layout (mixed-radix index over the dimensions' categories).
        public var layout: CellLayout { CellLayout(dimensions: dimensions, regions: regions) }
    }

    /// The measure of a `mean` study with its clamp bounds, in the measure's unit.
    public struct MeanMeasure: Sendable, Hashable {
        /// Which per-customer value is averaged.
        public let measure: Measure
        /// Values below are raised to this bound before encoding.
        public let lower: Double
        /// Values above are lowered to this bound before encoding.
        public let upper: Double

        /// Creates a measure with bounds; validated by ``Spec``.
        public init(measure: Measure, lower: Double, upper: Double) {
            self.measure = measure
            self.lower = lower
            self.upper = upper
        }

        /// Width of the clamp interval, `upper − lower`, in the measure's unit.
        public var range: Double { upper - lower }
    }

    /// Per-node privacy parameters of a study and the release's suppression threshold.
    public struct PrivacyParameters: Sendable, Hashable {
        /// ε charged on each node for the whole study (each node's own noise alone gives (ε, δ)-DP).
        public let epsilon: Double
        /// δ of the (ε, δ) guarantee, in (0, 1).
        public let delta: Double
        /// Cells whose released (noisy) count is below this are suppressed; 0 = never suppress
        /// (except means of cells with a non-positive count).
        public let minCount: Int

        /// Creates privacy parameters; validated by ``Spec``.
        public init(epsilon: Double, delta: Double, minCount: Int = 0) {
            self.epsilon = epsilon
            self.delta = delta
            self.minCount = minCount
        }
    }
}
