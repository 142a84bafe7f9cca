import Foundation
import CohortNode

/// Deterministic 64-bit generator for tests (SplitMix64); independent of other modules.
struct StudyTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
    /// Standard normal by Box–Muller.
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

/// Adds nothing and says so (simulated).
struct StudyZeroNoise: Study.NoiseSource {
    mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        Study.NoiseReport(mechanism: "none", sigmaSquared: 0, simulated: true)
    }
}

/// Seeded rounded-Gaussian noise (test stand-in for the exact discrete Gaussian): variance
/// σ² + 1/12, reported as σ² + 1/12; simulated.
struct StudySeededNoise: Study.NoiseSource {
    var random: StudyTestRandom
    init(seed: UInt64) { random = StudyTestRandom(seed: seed) }
    mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        let sigma = sigmaSquared.squareRoot()
        for i in values.indices { values[i] += Int64((random.normal() * sigma).rounded()) }
        return Study.NoiseReport(mechanism: "rounded-gaussian-test", sigmaSquared: sigmaSquared + 1.0 / 12, simulated: true)
    }
}

/// A non-simulated source that under-reports (must be refused).
struct StudyWeakNoise: Study.NoiseSource {
    mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        Study.NoiseReport(mechanism: "discrete-gaussian", sigmaSquared: sigmaSquared / 2, simulated: false)
    }
}

enum StudyFixtures {
    static let histogramYAML = """
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

    static let meanYAML = """
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

    static func spec(
        kind: Study.Kind = .histogram, dimensions: [Study.Dimension] = [.valueTier],
        mean: Study.MeanMeasure? = nil, epsilon: Double = 1, minCount: Int = 0,
        participants: [String] = ["globex", "initech"], id: String? = "s1", deadline: Int = 600,
        purpose: Study.Purpose = .segmentation
    ) throws -> Study.Spec {
        try Study.Spec(
            id: id, kind: kind, purpose: purpose, asOf: Study.CalendarDate("2025-03-31")!,
            dimensions: dimensions, regions: dimensions.contains(.region) ? ["north", "south"] : [],
            mean: mean, privacy: Study.PrivacyParameters(epsilon: epsilon, delta: 1e-6, minCount: minCount),
            participants: participants, deadlineSeconds: deadline)
    }

    static let t0 = Date(timeIntervalSince1970: 1_743_465_600)  // 2025-04-01T00:00:00Z
}
