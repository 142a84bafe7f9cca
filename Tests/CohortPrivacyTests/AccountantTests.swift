import CohortPrivacy
import Foundation
import Testing

@Suite("Accountants")
struct AccountantTests {
    @Test("default orders are dp-accounting's DEFAULT_RDP_ORDERS")
    func orders() {
        let o = Privacy.RDP.defaultOrders
        #expect(o.count == 156)
        #expect(o.first == 1.1 && o[98] == 10.9 && o[99] == 11 && o[151] == 63 && o.last == 1024)
    }

    @Test("Poisson-subsampled Gaussian ε matches Google dp-accounting to 1e-6 relative", arguments: dpAccountingTable)
    func knownAnswers(c: DPAccountingCase) throws {
        let curve = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: c.samplingRate, noiseMultiplier: c.noiseMultiplier, steps: c.steps)
        let (eps, order) = try curve.epsilon(delta: c.delta)
        #expect(abs(eps - c.epsilon) <= 1e-6 * abs(c.epsilon), "ε = \(eps), dp-accounting \(c.epsilon)")
        #expect(order == c.order)
    }

    @Test("zCDP: tight conversion beats the simple bound and matches dp-accounting's grid result within the grid's slack")
    func zcdpConversion() throws {
        // dp-accounting RdpAccountant with ZCDpEvent(rho) at δ = 1e-6 (default grid).
        let reference: [(Double, Double)] = [(0.01, 0.6216971849738024), (0.5, 5.2215396311544175), (2.0, 11.68862679916635)]
        for (rho, gridEps) in reference {
            let tight = try Privacy.ZCDP.epsilon(rho: rho, delta: 1e-6)
            let simple = try Privacy.ZCDP.simpleEpsilon(rho: rho, delta: 1e-6)
            let grid = try Privacy.RDP.Curve.zcdp(rho: rho).epsilon(delta: 1e-6).epsilon
            #expect(abs(grid - gridEps) <= 1e-9 * gridEps)
            #expect(tight <= grid + 1e-12)
            #expect(tight >= grid * 0.99)
            #expect(tight < simple)
        }
        #expect(try Privacy.ZCDP.epsilon(rho: 0, delta: 1e-6) == 0)
        #expect(try Privacy.ZCDP.compose([0.1, 0.2, 0.3]) == 0.1 + 0.2 + 0.3)
    }

    @Test("ρ for a target ε inverts the tight conversion (never exceeding ε)")
    func rhoForEpsilon() throws {
        for eps in [0.1, 1.0, 4.0] {
            let rho = try Privacy.ZCDP.rho(forEpsilon: eps, delta: 1e-6)
            let back = try Privacy.ZCDP.epsilon(rho: rho, delta: 1e-6)
            #expect(back <= eps)
            #expect(back > eps * 0.999)
        }
    }

    @Test("RDP composition adds curves; fractional orders where q = 1 reduce to α/(2z²)")
    func composition() throws {
        let one = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 0.02, noiseMultiplier: 1.2, steps: 1)
        let ten = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 0.02, noiseMultiplier: 1.2, steps: 10)
        let composed = try (0 ..< 9).reduce(one) { acc, _ in try acc.composed(with: one) }
        for (a, b) in zip(composed.values, ten.values) { #expect(abs(a - b) <= 1e-12 * max(1, b)) }
        let full = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 1, noiseMultiplier: 2, steps: 1)
        for (a, v) in zip(full.orders, full.values) { #expect(abs(v - a / 8) < 1e-15 * a) }
        let other = try Privacy.RDP.Curve(orders: [2, 4], values: [0.1, 0.2])
        #expect(throws: PrivacyError.self) { try one.composed(with: other) }
    }

    @Test("distributed discrete Gaussian: local share σ²/(n−t), τ correction, ρ within target")
    func distributed() throws {
        let plan = try Privacy.DistributedDiscreteGaussian.Plan(parties: 10, dropouts: 3, centralSigmaSquared: Privacy.Rational(700), l2Sensitivity: 1, dimension: 5)
        #expect(plan.localSigmaSquared == (try Privacy.Rational(100)))
        // τ = 10·Σ_{k=1}^{6} exp(−2π²·100·k/(k+1)) is astronomically small: ρ ≈ Δ²/(2σ²).
        #expect(Privacy.DistributedDiscreteGaussian.tau(localSigmaSquared: 100, summands: 7) < 1e-300)
        let rho = try #require(plan.cost.rho)
        #expect(abs(rho - 1.0 / 1400) < 1e-12)
        // With small local σ² the τ term is visible and makes the bound larger.
        let tau = Privacy.DistributedDiscreteGaussian.tau(localSigmaSquared: 0.25, summands: 4)
        let expected = 10 * (1 ... 3).reduce(0.0) { $0 + exp(-2 * Double.pi * Double.pi * 0.25 * Double($1) / Double($1 + 1)) }
        #expect(abs(tau - expected) < 1e-15)
        let small = try Privacy.DistributedDiscreteGaussian.Plan(parties: 4, dropouts: 0, centralSigmaSquared: Privacy.Rational(1), l2Sensitivity: 1, dimension: 3)
        let smallRho = try #require(small.cost.rho)
        #expect(smallRho > 0.5)
        // ρ-targeted plan never exceeds the target.
        let targeted = try Privacy.DistributedDiscreteGaussian.Plan(parties: 20, dropouts: 5, rho: 0.1, l2Sensitivity: 2, dimension: 100)
        #expect(try #require(targeted.cost.rho) <= 0.1)
        #expect(throws: PrivacyError.self) {
            try Privacy.DistributedDiscreteGaussian.Plan(parties: 3, dropouts: 3, centralSigmaSquared: Privacy.Rational(100), l2Sensitivity: 1, dimension: 1)
        }
        #expect(throws: PrivacyError.self) {
            try Privacy.DistributedDiscreteGaussian.Plan(parties: 10, dropouts: 0, centralSigmaSquared: Privacy.Rational(1), l2Sensitivity: 1, dimension: 1)
        }
    }

    @Test("distributed shares sum to the full noise even with t parties missing")
    func distributedShares() throws {
        let plan = try Privacy.DistributedDiscreteGaussian.Plan(parties: 5, dropouts: 2, centralSigmaSquared: Privacy.Rational(300), l2Sensitivity: 1, dimension: 4000)
        var rng = Privacy.SeededRandomness(seed: 9)
        var sum = [UInt64](repeating: 0, count: 4000)
        for _ in 0 ..< 3 {  // only n − t = 3 parties contribute
            let share = try plan.addShare(to: [UInt64](repeating: 0, count: 4000), using: &rng)
            #expect(share.isSimulated)
            for i in sum.indices { sum[i] &+= share.values[i] }
        }
        let xs = sum.map { Int64(bitPattern: $0) }
        let v = Stats.variance(xs)
        #expect(abs(v / 300 - 1) < 4.5 * (2.0 / 4000).squareRoot())
    }
}
