import CohortPrivacy
import Testing

@Suite("Mechanisms and bad input")
struct MechanismAndBadInputTests {
    @Test("central mechanisms return noised values with the cost they incurred")
    func mechanisms() throws {
        var rng = Privacy.SeededRandomness(seed: 1)
        let counts: [Int64] = [100, 0, 37, 5000]
        let g = try Privacy.DiscreteGaussian.addNoise(to: counts, rho: 0.5, l2Sensitivity: 1, using: &rng)
        #expect(g.values.count == 4)
        #expect(try #require(g.cost.rho) <= 0.5 + 1e-12)
        #expect(g.cost.mechanism == .discreteGaussian)
        let e = try Privacy.DiscreteGaussian.addNoise(to: counts, epsilon: 1, delta: 1e-6, l2Sensitivity: 1, using: &rng)
        #expect(try e.cost.epsilon(delta: 1e-6) <= 1 + 1e-9)
        let l = try Privacy.DiscreteLaplace.addNoise(to: counts, epsilon: 0.5, l1Sensitivity: 2, using: &rng)
        #expect(try #require(l.cost.pureEpsilon) <= 0.5 + 1e-12)
        #expect(l.cost.parameters["scale"] == "4")
        let m = try Privacy.DiscreteGaussian.addNoise(toModular: [UInt64.max, 0], sigmaSquared: Privacy.Rational(4), l2Sensitivity: 1, using: &rng)
        #expect(m.values.count == 2)
    }

    @Test("Int64 overflow while adding noise is refused, not wrapped")
    func overflow() throws {
        var rng = Privacy.SeededRandomness(seed: 2)
        do {
            _ = try Privacy.DiscreteLaplace.addNoise(to: [Int64.max, Int64.max, Int64.max, Int64.max], scale: Privacy.Rational(1000), l1Sensitivity: 1, using: &rng)
            Issue.record("overflow not detected")
        } catch let error as PrivacyError {
            #expect(error.code == .overflow)
        }
    }

    /// Each closure must throw a `PrivacyError` with the given code.
    static let badInputs: [(String, PrivacyError.Code, @Sendable () throws -> Void)] = [
        ("σ² = 0", .invalidParameter, { _ = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: Privacy.Rational(0)) }),
        ("σ² < 0", .invalidParameter, { _ = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: -1) }),
        ("σ² NaN", .nonFiniteParameter, { _ = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: .nan) }),
        ("σ² ∞", .nonFiniteParameter, { _ = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: .infinity) }),
        ("σ ≥ 2⁴⁰", .overflow, { _ = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: Privacy.Rational(UInt64.max)) }),
        ("σ² exact form too wide", .overflow, { _ = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: Privacy.Rational(UInt64.max - 2, 7)) }),
        ("t = 0", .invalidParameter, { _ = try Privacy.DiscreteLaplace.Sampler(scale: Privacy.Rational(0)) }),
        ("t too large", .overflow, { _ = try Privacy.DiscreteLaplace.Sampler(scale: Privacy.Rational(1 << 60)) }),
        ("t NaN", .nonFiniteParameter, { _ = try Privacy.DiscreteLaplace.Sampler(scaleAtLeast: .nan) }),
        ("ρ ≤ 0", .invalidParameter, { _ = try Privacy.DiscreteGaussian.sampler(rho: 0, l2Sensitivity: 1) }),
        ("ρ NaN", .nonFiniteParameter, { _ = try Privacy.DiscreteGaussian.sampler(rho: .nan, l2Sensitivity: 1) }),
        ("ε ≤ 0", .invalidParameter, { _ = try Privacy.DiscreteLaplace.sampler(epsilon: 0, l1Sensitivity: 1) }),
        ("ε < 0", .invalidParameter, { _ = try Privacy.ZCDP.rho(forEpsilon: -1, delta: 1e-6) }),
        ("ε ∞", .nonFiniteParameter, { _ = try Privacy.DiscreteLaplace.sampler(epsilon: .infinity, l1Sensitivity: 1) }),
        ("sensitivity 0", .invalidParameter, { _ = try Privacy.DiscreteGaussian.cost(sigmaSquared: Privacy.Rational(1), l2Sensitivity: 0) }),
        ("sensitivity NaN", .nonFiniteParameter, { _ = try Privacy.DiscreteLaplace.cost(scale: Privacy.Rational(1), l1Sensitivity: .nan) }),
        ("δ = 0", .invalidParameter, { _ = try Privacy.ZCDP.epsilon(rho: 1, delta: 0) }),
        ("δ = 1", .invalidParameter, { _ = try Privacy.RDP.Curve.zcdp(rho: 1).epsilon(delta: 1) }),
        ("δ < 0", .invalidParameter, { _ = try Privacy.Cost.zero.epsilon(delta: -0.1) }),
        ("δ NaN", .nonFiniteParameter, { _ = try Privacy.ZCDP.epsilon(rho: 1, delta: .nan) }),
        ("q = 0", .invalidParameter, { _ = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 0, noiseMultiplier: 1, steps: 1) }),
        ("q > 1", .invalidParameter, { _ = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 1.5, noiseMultiplier: 1, steps: 1) }),
        ("q NaN", .nonFiniteParameter, { _ = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: .nan, noiseMultiplier: 1, steps: 1) }),
        ("z ≤ 0", .invalidParameter, { _ = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 0.1, noiseMultiplier: 0, steps: 1) }),
        ("steps < 0", .invalidParameter, { _ = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 0.1, noiseMultiplier: 1, steps: -1) }),
        ("ρ < 0", .invalidParameter, { _ = try Privacy.ZCDP.compose([0.1, -0.1]) }),
        ("rational 1/0", .invalidParameter, { _ = try Privacy.Rational(1, 0) }),
        ("squared overflow", .overflow, { _ = try Privacy.Rational(1 << 40).squared() }),
        ("DDG parties 0", .invalidParameter, { _ = try Privacy.DistributedDiscreteGaussian.Plan(parties: 0, dropouts: 0, centralSigmaSquared: Privacy.Rational(1), l2Sensitivity: 1, dimension: 1) }),
        ("DDG dimension mismatch", .dimensionMismatch, {
            var rng = Privacy.SeededRandomness(seed: 1)
            let plan = try Privacy.DistributedDiscreteGaussian.Plan(parties: 2, dropouts: 0, centralSigmaSquared: Privacy.Rational(8), l2Sensitivity: 1, dimension: 3)
            _ = try plan.addShare(to: [1], using: &rng)
        }),
    ]

    @Test("bad input is rejected with a PrivacyError code, never a crash", arguments: 0 ..< badInputs.count)
    func badInput(index: Int) {
        let (name, code, body) = Self.badInputs[index]
        do {
            try body()
            Issue.record("\(name): accepted")
        } catch let error as PrivacyError {
            #expect(error.code == code, "\(name): \(error)")
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("\(name): unexpected \(error)")
        }
    }
}
