import CohortCore
public import Foundation

extension Study {
    /// What the lead sends with each round's contribution request: study-specific bytes (for a
    /// k-means study the current centroids, for a training study the model weights), empty for
    /// single-round kinds. At most ``maxBytes`` long.
    public struct RoundPayload: Sendable, Hashable, Codable {
        /// Largest payload a node accepts, bytes (1 MiB).
        public static let maxBytes = 1 << 20
        /// The empty payload of single-round kinds.
        public static let empty = RoundPayload(unchecked: [])

        /// The encoded payload.
        public let bytes: [UInt8]

        /// Wraps `bytes`.
        /// - Throws: ``StudyError/Code/invalidContribution`` when longer than ``maxBytes``.
        public init(_ bytes: [UInt8]) throws {
            guard bytes.count <= Self.maxBytes else {
                throw StudyError(.invalidContribution, key: "payload",
                                 "a round payload of \(bytes.count) bytes exceeds the limit of \(Self.maxBytes)")
            }
            self.bytes = bytes
        }

        private init(unchecked bytes: [UInt8]) { self.bytes = bytes }
    }

    /// What a study kind decides once a round's contributions are all in.
    public enum RoundDecision: Sendable, Hashable {
        /// Run another round with this payload.
        case nextRound(RoundPayload)
        /// Release this result; the study is over.
        case publish(Result)
        /// The study cannot go on (the reason is reported to every party).
        case fail(String)
    }

    /// The round structure of one study kind: what round 0 carries, how a contribution is
    /// checked, and — from each round's contributions — whether to run another round or release.
    ///
    /// Implementations are pure and deterministic: the lead's machine calls them and turns the
    /// answer into directives. Histogram and mean studies are ``SingleRelease``.
    public protocol RoundProgram: Sendable {
        /// The most rounds a study of this kind may run (the budget is charged for all of them
        /// before the first contribution leaves a node). At least 1.
        var maxRounds: Int { get }

        /// The payload of round 0.
        func firstRound() throws -> RoundPayload

        /// Checks one node's contribution to `round`, whose request carried `payload` (length,
        /// study, cost); throws ``StudyError`` naming what is wrong.
        func validate(_ message: ContributionMessage, from node: String, round: Int, payload: RoundPayload) throws

        /// Decides, from every party's contribution to `round` (keyed by node name, the lead
        /// included) and their sum, what happens next. `sum` is the vectors' sum mod 2⁶⁴; with
        /// secure aggregation the messages' values are masked (uniform to the lead) and only the
        /// sum means anything, so a program uses `sum` and reads the messages only for their
        /// costs and noise flags.
        func afterRound(
            _ round: Int, payload: RoundPayload, contributions: [String: ContributionMessage], sum: [UInt64],
            startedAt: Date, completedAt: Date
        ) -> RoundDecision
    }

    /// The one-round program of histogram and mean studies: round 0 collects every noised
    /// vector, and the sum is released.
    public struct SingleRelease: RoundProgram {
        /// The study's spec (with its id).
        public let spec: Spec
        /// The lead's name.
        public let lead: String

        /// Creates the program of `spec` led by `lead`.
        public init(spec: Spec, lead: String) {
            self.spec = spec
            self.lead = lead
        }

        /// One round.
        public var maxRounds: Int { 1 }

        /// The empty payload.
        public func firstRound() throws -> RoundPayload { .empty }

        /// ``Aggregation/validate(_:from:spec:study:)`` and round 0.
        public func validate(_ message: ContributionMessage, from node: String, round: Int, payload: RoundPayload) throws {
            try Aggregation.validate(message, from: node, spec: spec, study: try spec.requireID())
            guard message.round == round else {
                throw StudyError(.invalidContribution, key: "contributions[\(node)]",
                                 "is for round \(message.round), expected round \(round)")
            }
        }

        /// Aggregates and publishes.
        public func afterRound(
            _ round: Int, payload: RoundPayload, contributions: [String: ContributionMessage], sum: [UInt64],
            startedAt: Date, completedAt: Date
        ) -> RoundDecision {
            do {
                return .publish(try Aggregation.aggregate(
                    spec: spec, lead: lead, contributions: contributions, sum: sum, startedAt: startedAt,
                    completedAt: completedAt))
            } catch {
                return .fail("aggregation failed: \(error)")
            }
        }
    }

    /// Chooses the ``RoundProgram`` of a spec. The node's engine holds one; tests give it
    /// programs of their own (e.g. many rounds) to exercise the protocol.
    public struct RoundPrograms: Sendable {
        private let make: @Sendable (Spec, String) throws -> any RoundProgram

        /// Programs made by `make(spec, lead)`.
        public init(_ make: @escaping @Sendable (Spec, String) throws -> any RoundProgram) {
            self.make = make
        }

        /// The program of `spec` led by `lead`.
        public func program(for spec: Spec, lead: String) throws -> any RoundProgram {
            try make(spec, lead)
        }

        /// The kinds this node runs: histogram and mean are ``SingleRelease``, the learning
        /// kinds ``LearningProgram``.
        public static let standard = RoundPrograms { spec, lead in
            switch spec.kind {
            case .histogram, .mean: return SingleRelease(spec: spec, lead: lead)
            case .kmeans, .logisticRegression, .quantiles, .evaluation: return try LearningProgram(spec: spec, lead: lead)
            }
        }
    }
}
