import CohortPrivacy
import Foundation
import Testing
@testable import CohortLearning

/// Issue 13 for the learning kinds: under secure aggregation every round's noise is split among
/// the parties (distributed discrete Gaussian), each round's cost is the accountant's for the
/// split, and the whole study still costs at most its ε.
@Suite struct NoiseSharingTests {
    static let privacy = try! Learning.PrivacyTarget(epsilon: 1, delta: 1e-6)

    /// (parties, colluders): 3 parties, none may drop (the lead's share uncounted); 5 parties,
    /// two may drop; 10 parties, none may drop.
    static let splits: [(Int, Int)] = [(3, 1), (5, 3), (10, 1)]

    @Test(arguments: splits)
    func aSharedRoundAddsItsShareOfTheCentralNoiseAtTheSameCost(parties: Int, colluders: Int) throws {
        let sharing = try Learning.NoiseSharing(parties: parties, colluders: colluders)
        let rho = 0.05, l2 = 3.0.squareRoot()
        let full = try Learning.RoundNoise.calibrated(rho: rho, l2Sensitivity: l2, l1Sensitivity: 3, dimension: 40)
        let shared = try Learning.RoundNoise.calibrated(rho: rho, l2Sensitivity: l2, l1Sensitivity: 3, dimension: 40, sharing: sharing)
        let counted = Double(parties - colluders)
        #expect(shared.sharing == sharing)
        // The counted shares sum to the central σ², within the accountant's 1 % steps of the plain one.
        let central = shared.sigmaSquared.doubleValue * counted
        #expect(central >= full.sigmaSquared.doubleValue * 0.999)
        #expect(central <= full.sigmaSquared.doubleValue * 1.05)
        // Its cost is the distributed one, and within ρ.
        let cost = try shared.cost()
        #expect(cost.mechanism == .distributedDiscreteGaussian)
        #expect(try #require(cost.rho) <= rho * (1 + 1e-12))
        #expect(cost.parameters["local_sigma_squared"] == shared.sigmaSquared.description)
        // Every party's released sum carries all n shares: the standard error uses them.
        #expect(abs(shared.aggregateStandardDeviation(parties: parties) - (Double(parties) * shared.sigmaSquared.doubleValue).squareRoot()) < 1e-12)
    }

    /// The sum of the counted parties' shares has the central variance (fixed seed; 20 000
    /// coordinates, so the sample variance is within 5 % at about 7 standard errors).
    @Test func theCountedSharesSumToTheCentralVariance() throws {
        let sharing = try Learning.NoiseSharing(parties: 4, colluders: 1)
        let noise = try Learning.RoundNoise.calibrated(rho: 0.02, l2Sensitivity: 1, l1Sensitivity: 1, dimension: 20_000, sharing: sharing)
        var rng = Privacy.SeededRandomness(seed: 13)
        var total = [Int64](repeating: 0, count: 20_000)
        for _ in 0..<sharing.countedShares {
            let share = try noise.addNoise(to: [Int64](repeating: 0, count: 20_000), using: &rng)
            for i in total.indices { total[i] += share[i] }
        }
        let mean = Double(total.reduce(0, +)) / 20_000
        let variance = total.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / 19_999
        let central = noise.sigmaSquared.doubleValue * Double(sharing.countedShares)
        #expect(abs(variance / central - 1) < 0.05, "sample variance \(variance), central \(central)")
        #expect(central >= 1 / (2 * 0.02) * 0.999, "at least the σ² a single release at ρ needs")
    }

    /// Each learning algorithm splits every round and its whole study still costs at most ε.
    @Test func everyLearningAlgorithmSplitsItsRoundsWithinTheStudysEpsilon() throws {
        let sharing = try Learning.NoiseSharing(parties: 3, colluders: 1)
        var k = Learning.KMeansStudy.Configuration(k: 3, privacy: Self.privacy)
        k.parties = 3
        let plainK = try Learning.KMeansStudy(k)
        k.noiseSharing = sharing
        let sharedK = try Learning.KMeansStudy(k)
        var l = Learning.LogisticRegressionStudy.Configuration(privacy: Self.privacy)
        l.parties = 3
        let plainL = try Learning.LogisticRegressionStudy(l)
        l.noiseSharing = sharing
        let sharedL = try Learning.LogisticRegressionStudy(l)
        var q = Learning.QuantileStudy.Configuration(privacy: Self.privacy)
        q.parties = 3
        let plainQ = try Learning.QuantileStudy(q)
        q.noiseSharing = sharing
        let sharedQ = try Learning.QuantileStudy(q)
        let pairs: [(String, Learning.RoundNoise, Learning.RoundNoise)] = [
            ("k-means grid", plainK.gridNoise, sharedK.gridNoise), ("k-means lloyd", plainK.lloydNoise, sharedK.lloydNoise),
            ("k-means profile", plainK.profileNoise, sharedK.profileNoise),
            ("moments", plainL.momentNoise, sharedL.momentNoise), ("gradient", plainL.gradientNoise, sharedL.gradientNoise),
            ("evaluation", plainL.evaluationNoise, sharedL.evaluationNoise), ("quantiles", plainQ.noise, sharedQ.noise),
        ]
        for (name, plain, shared) in pairs {
            #expect(shared.sharing == sharing, "\(name)")
            let ratio = shared.sigmaSquared.doubleValue / plain.sigmaSquared.doubleValue
            #expect(ratio > 0.49 && ratio < 0.53, "\(name): each of 2 counted parties adds half the noise, got \(ratio)")
        }
        for (name, cost) in [("k-means", sharedK.cost), ("logistic regression", sharedL.cost), ("quantiles", sharedQ.cost)] {
            let epsilon = try cost.epsilon(delta: 1e-6)
            #expect(epsilon <= 1 + 1e-9, "\(name) costs ε \(epsilon)")
            #expect(epsilon > 0.95, "\(name) spends its budget: ε \(epsilon)")
        }
    }

    /// A subsampled training study splits only its moment and evaluation rounds; its gradient
    /// rounds keep one party's full noise, which its subsampled-Gaussian accounting assumes.
    @Test func aSubsampledStudyKeepsFullGradientNoise() throws {
        var l = Learning.LogisticRegressionStudy.Configuration(privacy: Self.privacy)
        l.samplingRate = 0.2
        l.parties = 3
        l.noiseSharing = try Learning.NoiseSharing(parties: 3, colluders: 1)
        let study = try Learning.LogisticRegressionStudy(l)
        #expect(study.gradientNoise.sharing == nil)
        #expect(study.momentNoise.sharing != nil)
        #expect(try study.cost.epsilon(delta: 1e-6) <= 1 + 1e-9)
    }

    @Test(arguments: [(3, 3), (3, -1), (0, 0)])
    func aSharingWithNoCountedPartyIsRefused(parties: Int, colluders: Int) {
        #expect(throws: LearningError.self) { _ = try Learning.NoiseSharing(parties: parties, colluders: colluders) }
    }

    @Test func aSharedRoundsNoiseRoundTripsThroughJSON() throws {
        let noise = try Learning.RoundNoise.calibrated(rho: 0.1, l2Sensitivity: 1, l1Sensitivity: 1, dimension: 5,
                                                       sharing: try Learning.NoiseSharing(parties: 4, colluders: 2))
        let decoded = try JSONDecoder().decode(Learning.RoundNoise.self, from: try JSONEncoder().encode(noise))
        #expect(decoded == noise)
        let bad = Data(#"{"parties": 2, "colluders": 2}"#.utf8)
        #expect(throws: LearningError.self) { _ = try JSONDecoder().decode(Learning.NoiseSharing.self, from: bad) }
    }
}
