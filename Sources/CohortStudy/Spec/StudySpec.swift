public import CohortCore
public import Foundation

extension Study {
    /// A validated study specification, shared verbatim by the lead and all participants.
    ///
    /// Build one with ``init(id:kind:purpose:asOf:dimensions:regions:attributeValues:mean:learning:rfmCutPoints:privacy:participants:deadlineSeconds:)``
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
        /// Category labels of each `attribute:<name>` dimension, by attribute name, agreed up
        /// front (`other` is implied). Empty without attribute dimensions.
        public let attributeValues: [String: [String]]
        /// The measure and its clamp bounds; present exactly when `kind == .mean`.
        public let mean: MeanMeasure?
        /// The `learning:` section of a learning kind (nil for histogram and mean).
        public let learning: LearningParameters?
        /// Consortium RFM cut points (`rfm_cut_points`); nil = each node's own quintiles.
        public let rfmCutPoints: RFMCutPoints?
        /// Privacy parameters charged on each node, and the suppression threshold.
        public let privacy: PrivacyParameters
        /// Names of the participating nodes other than the lead (the lead always participates).
        public let participants: [String]
        /// Time the lead waits for the whole study before failing it, in seconds (1–3600).
        public let deadlineSeconds: Int
        /// The lead's absolute deadline, in whole unix seconds (UTC); set by the lead when it
        /// starts the study (``withDeadline(at:)``), `nil` in a spec written by a person.
        /// Participants expire a study waiting for approval when it passes.
        public private(set) var deadlineAtUnixSeconds: Int64?
        /// The spec's explicit `secure_aggregation` setting, nil when left out (then
        /// ``aggregation`` applies the default, off). Set with
        /// ``withSecureAggregation(_:)``.
        public internal(set) var secureAggregation: SecureAggregationSetting?

        /// Creates a spec after checking every rule; throws a ``StudyError`` naming the key.
        public init(
            id: String? = nil, kind: Kind, purpose: Purpose, asOf: CalendarDate,
            dimensions: [Dimension], regions: [String] = [], attributeValues: [String: [String]] = [:],
            mean: MeanMeasure? = nil, learning: LearningParameters? = nil, rfmCutPoints: RFMCutPoints? = nil,
            privacy: PrivacyParameters, participants: [String], deadlineSeconds: Int
        ) throws {
            self.id = id
            self.kind = kind
            self.purpose = purpose
            self.asOf = asOf
            self.dimensions = dimensions
            self.regions = regions
            self.attributeValues = attributeValues
            self.mean = mean
            self.learning = learning
            self.rfmCutPoints = rfmCutPoints
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

        /// A copy carrying the lead's absolute deadline `date`, rounded up to a whole second.
        /// - Throws: ``StudyError`` (`invalidValue` at `deadline_at`) for a date outside
        ///   1970…9999.
        public func withDeadline(at date: Date) throws -> Spec {
            let seconds = date.timeIntervalSince1970.rounded(.up)
            guard seconds.isFinite, seconds >= 0, seconds < Self.maxDeadlineUnixSeconds else {
                throw StudyError(.invalidValue, key: "deadline_at", "the deadline \(date) is outside 1970…9999")
            }
            var copy = self
            copy.deadlineAtUnixSeconds = Int64(seconds)
            return copy
        }

        /// A copy with another `learning:` section (e.g. the lead's resolution of an evaluation's
        /// `learning.model_study`), validated again; id and deadline are kept.
        /// - Throws: ``StudyError`` naming the key, as ``init(id:kind:purpose:asOf:dimensions:regions:attributeValues:mean:learning:rfmCutPoints:privacy:participants:deadlineSeconds:)``.
        public func withLearning(_ learning: LearningParameters) throws -> Spec {
            var copy = try Spec(
                id: id, kind: kind, purpose: purpose, asOf: asOf, dimensions: dimensions, regions: regions,
                attributeValues: attributeValues, mean: mean, learning: learning, rfmCutPoints: rfmCutPoints, privacy: privacy,
                participants: participants, deadlineSeconds: deadlineSeconds)
            copy.deadlineAtUnixSeconds = deadlineAtUnixSeconds
            copy.secureAggregation = secureAggregation
            return copy
        }

        /// The lead's absolute deadline, when the lead has set it.
        public var deadlineAt: Date? {
            deadlineAtUnixSeconds.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }

        /// Exclusive upper bound of ``deadlineAtUnixSeconds``: 10000-01-01T00:00:00Z.
        static let maxDeadlineUnixSeconds: Double = 253_402_300_800

        /// The identifier, or an error if the lead has not assigned one yet.
        public func requireID() throws -> String {
            guard let id else { throw StudyError(.missingKey, key: "id", "the study has no id yet") }
            return id
        }

        /// Most rounds of the protocol: 1 for `histogram` and `mean`, the algorithm's budgeted
        /// rounds for a learning kind (it may finish earlier).
        public var rounds: Int {
            guard kind.isLearning else { return 1 }
            return (try? LearningAlgorithm(spec: self).maximumRounds) ?? 1
        }

        /// The cell layout (mixed-radix index over the dimensions' categories).
        public var layout: CellLayout { CellLayout(dimensions: dimensions, regions: regions, attributeValues: attributeValues) }

        /// The custom attributes the spec's dimensions use, by name.
        public var attributeNames: [String] { dimensions.compactMap(\.attributeName) }
    }

    /// The measure of a `mean` study with its clamp bounds, in the measure's unit.
    public struct MeanMeasure: Sendable, Hashable {
        /// Which per-customer value is averaged.
        public let measure: Measure
        /// Values below are raised to this bound before encoding.
        public let lower: Double
        /// Values above are lowered to this bound before encoding.
        public let upper: Double
        /// For a money measure (``Measure/isMoney``): the ISO 4217 code of the currency its
        /// amounts (and bounds, in minor units) are in. Every party's reporting currency must
        /// be this one; amounts in different currencies are never summed.
        public let currency: String?

        /// Creates a measure with bounds; validated by ``Spec``.
        public init(measure: Measure, lower: Double, upper: Double, currency: String? = nil) {
            self.measure = measure
            self.lower = lower
            self.upper = upper
            self.currency = currency
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
