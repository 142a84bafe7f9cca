public import CohortStudy
import CohortPrivacy
public import CohortCore
public import Foundation

/// Deterministic 64-bit generator for tests (SplitMix64); independent of other modules.
public struct StudyTestRandom: Sendable {
    /// The generator state.
    public var state: UInt64
    /// Creates a generator.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
    /// Standard normal by Box–Muller.
    public mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

/// Adds nothing and says so (simulated).
public struct StudyZeroNoise: Study.NoiseSource {
    /// Creates the source.
    public init() {}
    /// Adds (or pretends to add) noise.
    public mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        Study.NoiseReport(mechanism: "none", sigmaSquared: 0, simulated: true)
    }
}

/// Seeded rounded-Gaussian noise (test stand-in for the exact discrete Gaussian): variance
/// σ² + 1/12, reported as σ² + 1/12; simulated.
public struct StudySeededNoise: Study.NoiseSource {
    var random: StudyTestRandom
    /// Creates the source with its seed.
    public init(seed: UInt64) { random = StudyTestRandom(seed: seed) }
    /// Adds (or pretends to add) noise.
    public mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        let sigma = sigmaSquared.squareRoot()
        for i in values.indices { values[i] += Int64((random.normal() * sigma).rounded()) }
        return Study.NoiseReport(mechanism: "rounded-gaussian-test", sigmaSquared: sigmaSquared + 1.0 / 12, simulated: true)
    }
}

/// A non-simulated source that under-reports (must be refused).
public struct StudyWeakNoise: Study.NoiseSource {
    /// Creates the source.
    public init() {}
    /// Adds (or pretends to add) noise.
    public mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        Study.NoiseReport(mechanism: "discrete-gaussian", sigmaSquared: sigmaSquared / 2, simulated: false)
    }
}

/// Study specs for tests.
public enum StudyFixtures {
    /// A histogram spec.
    public static let histogramYAML = """
        # Federated RFM-segment histogram
        kind: histogram
        purpose: segmentation
        as_of: 2025-03-31
        dimensions: [rfm_segment]
        privacy:
          epsilon: 1.0
          delta: 1.0e-6
          min_count: 20
        participants: [globex, initech]
        deadline_seconds: 600
        """

    /// A mean spec.
    public static let meanYAML = """
        # Churn rate by RFM segment and region
        id: churn-by-segment-2025q1
        kind: mean
        purpose: benchmarking
        as_of: 2025-03-31
        dimensions: [rfm_segment, region]
        regions: [north, south]
        measure: churn_rate
        lower: 0
        upper: 1
        privacy: { epsilon: 0.5, delta: 1.0e-6, min_count: 25 }
        participants: [globex, initech]
        deadline_seconds: 900
        """

    /// A histogram spec with a 2026 as-of date and no minimum count (the engine tests'). It
    /// turns secure aggregation off explicitly: those tests drive the plain protocol (restarts,
    /// dropouts and replays of contributions); the secure one has its own engine tests.
    public static let engineHistogramYAML = """
        kind: histogram
        purpose: segmentation
        as_of: 2026-06-30
        dimensions: [rfm_segment]
        privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
        participants: [globex, initech]
        secure_aggregation: false
        deadline_seconds: 600
        """

    /// Tokens that a spec fuzzer splices into YAML and JSON specs.
    public static let specFuzzDictionary = [
        "\n", ": ", "- ", "[", "]", "{", "}", ",", "\"", "'", "&a ", "*a", "!!int ", "!!binary ", "~", "null", "#",
        "rounds: ", "deadline_seconds: ", "min_count: ", "epsilon: ", "delta: ", "lower: ", "upper: ",
        "as_of: ", "regions: ", "dimensions: ", "participants: ", "region", "0000-01-01", "9999-12-31", "2024-02-30",
        "\"deadline_seconds\":", "\"min_count\":", "\"epsilon\":", "\"as_of\":\"", "\"regions\":[",
        "deadline_at: ", "\"deadline_at\":\"", "2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z", "2024-02-30T24:60:60Z",
    ]

    /// A contribution message of study `s1` (three zero cells; a discrete Gaussian cost of
    /// ρ = 0.01, within ε = 1 at δ = 10⁻⁶, with simulated zero noise) for `round`.
    public static func message(round: Int, study: String = "s1") -> Study.ContributionMessage {
        Study.ContributionMessage(
            study: study, round: round, values: [0, 0, 0],
            cost: .zcdp(.discreteGaussian, rho: 0.01, parameters: ["sigma_squared": "0", "sensitivity_l2": "1", "coordinates": "3"]),
            simulated: true)
    }

    /// A spec built in code. Its `secure_aggregation` is off unless given (nil: the product's
    /// default, on for three or more parties): the machine and aggregation tests that use it
    /// drive the plain protocol message by message.
    public static func spec(
        kind: Study.Kind = .histogram, dimensions: [Study.Dimension] = [.valueTier],
        mean: Study.MeanMeasure? = nil, epsilon: Double = 1, minCount: Int = 0,
        participants: [String] = ["globex", "initech"], id: String? = "s1", deadline: Int = 600,
        purpose: Purpose = .segmentation,
        secureAggregation: Study.SecureAggregationSetting? = Study.SecureAggregationSetting(enabled: false)
    ) throws -> Study.Spec {
        try Study.Spec(
            id: id, kind: kind, purpose: purpose, asOf: CalendarDate("2025-03-31")!,
            dimensions: dimensions, regions: dimensions.contains(.region) ? ["north", "south"] : [],
            mean: mean, privacy: Study.PrivacyParameters(epsilon: epsilon, delta: 1e-6, minCount: minCount),
            participants: participants, deadlineSeconds: deadline
        ).withSecureAggregation(secureAggregation)
    }

    /// 2025-04-01T00:00:00Z.
    public static let t0 = Date(timeIntervalSince1970: 1_743_465_600)  // 2025-04-01T00:00:00Z
}

extension Study.LeadMachine {
    /// Starts the study with the lead's own policy accepting it: the proposals to every participant.
    public mutating func startAccepted(now: Date) -> [Directive] {
        let first = onStart(now: now)
        guard first == [.checkOwnPolicy(study: study, spec: spec)] else { return first }
        return onOwnPolicyDecision(.accept)
    }
}

extension Array where Element == Study.ParticipantMachine.Directive {
    /// The directives without the storage ones (`persist`, `forget`): what the protocol does.
    public var visible: [Element] {
        filter {
            switch $0 {
            case .persist, .forget: return false
            default: return true
            }
        }
    }
}

extension StudyFixtures {
    /// A test study kind of `rounds` rounds: round r's payload is `[r]`; every party adds `r` to
    /// each cell of its histogram; the last round's sum is released. The released cells are thus
    /// Σ histograms + parties·(rounds − 1), which proves the last payload reached every party.
    public struct RepeatedRelease: Study.RoundProgram {
        /// The study.
        public let spec: Study.Spec
        /// The lead.
        public let lead: String
        /// Rounds to run.
        public let rounds: Int

        /// Creates the program.
        public init(spec: Study.Spec, lead: String, rounds: Int) {
            self.spec = spec
            self.lead = lead
            self.rounds = rounds
        }

        /// `rounds`.
        public var maxRounds: Int { rounds }

        /// `[0]`.
        public func firstRound() throws -> Study.RoundPayload { try Study.RoundPayload([0]) }

        /// The aggregation checks and the round.
        public func validate(_ message: Study.ContributionMessage, from node: String, round: Int, payload: Study.RoundPayload) throws {
            try Study.Aggregation.validate(message, from: node, spec: spec, study: try spec.requireID())
            guard message.round == round else {
                throw StudyError(.invalidContribution, key: node, "round \(message.round), expected \(round)")
            }
        }

        /// The next round's payload, or the last round's sum.
        public func afterRound(
            _ round: Int, payload: Study.RoundPayload, contributions: [String: Study.ContributionMessage], sum: [UInt64],
            startedAt: Date, completedAt: Date
        ) -> Study.RoundDecision {
            if round + 1 < rounds {
                guard let next = try? Study.RoundPayload([UInt8(truncatingIfNeeded: round + 1)]) else {
                    return .fail("cannot encode the payload")
                }
                return .nextRound(next)
            }
            do {
                return .publish(try Study.Aggregation.aggregate(
                    spec: spec, lead: lead, contributions: contributions, sum: sum, startedAt: startedAt, completedAt: completedAt))
            } catch {
                return .fail("\(error)")
            }
        }
    }

    /// Programs that run every study as a ``RepeatedRelease`` of `rounds` rounds.
    public static func repeatedPrograms(rounds: Int) -> Study.RoundPrograms {
        Study.RoundPrograms { spec, lead in RepeatedRelease(spec: spec, lead: lead, rounds: rounds) }
    }
}
