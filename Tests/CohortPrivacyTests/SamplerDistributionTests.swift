import CohortPrivacy
import Foundation
import Testing

/// Empirical vs exact distributions of the exact samplers (fixed seeds; α = 0.001 chi-square).
@Suite("Exact samplers: distribution")
struct SamplerDistributionTests {
    /// σ² values as exact rationals: σ = 0.1, 0.5, 1, 2.5, 10, 31.6…
    static let gaussianCases: [(String, UInt64)] = [("1/100", 11), ("1/4", 12), ("1", 13), ("25/4", 14), ("100", 15), ("1000", 16)]

    @Test("discrete Gaussian matches the exact pmf (chi-square, mean, variance, symmetry)", arguments: gaussianCases)
    func discreteGaussian(sigmaSquared: String, seed: UInt64) throws {
        let s2 = try Privacy.Rational(parsing: sigmaSquared)
        let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: s2)
        var rng = Privacy.SeededGenerator(seed: seed)
        var xs = [Int64](repeating: 0, count: 200_000)
        sampler.fill(&xs, using: &rng)
        let pmf = Stats.discreteGaussianPMF(sigmaSquared: s2.doubleValue)
        let (chi, df) = Stats.chiSquare(xs, pmf: pmf, support: Int64.min + 1 ... Int64.max)
        #expect(df >= 1)
        #expect(chi < Stats.chiSquareCritical001(df), "χ² = \(chi) with \(df) df")
        // Mean: |x̄| < 4.5·sd/√n. Variance within 4.5 standard errors (Var(s²) ≈ 2σ⁴/n).
        let v = Stats.discreteGaussianVariance(sigmaSquared: s2.doubleValue)
        let n = Double(xs.count)
        #expect(abs(Stats.mean(xs)) < 4.5 * (v / n).squareRoot())
        #expect(abs(Stats.variance(xs) - v) < 4.5 * v * (2.5 / n).squareRoot() + 1e-9)
        // Symmetry: positives vs negatives is Binomial(m, 1/2).
        let pos = xs.filter { $0 > 0 }.count
        let neg = xs.filter { $0 < 0 }.count
        if pos + neg > 0 {
            #expect(abs(Double(pos - neg)) < 4.5 * Double(pos + neg).squareRoot())
        }
    }

    static let laplaceCases: [(String, UInt64)] = [("1/2", 21), ("1", 22), ("5/2", 23), ("10", 24), ("100/3", 25)]

    @Test("discrete Laplace matches the exact pmf (chi-square, mean, variance, tails)", arguments: laplaceCases)
    func discreteLaplace(scale: String, seed: UInt64) throws {
        let t = try Privacy.Rational(parsing: scale)
        let sampler = try Privacy.DiscreteLaplace.Sampler(scale: t)
        var rng = Privacy.SeededGenerator(seed: seed)
        var xs = [Int64](repeating: 0, count: 200_000)
        sampler.fill(&xs, using: &rng)
        let pmf = Stats.discreteLaplacePMF(scale: t.doubleValue)
        let (chi, df) = Stats.chiSquare(xs, pmf: pmf, support: Int64.min + 1 ... Int64.max)
        #expect(chi < Stats.chiSquareCritical001(df), "χ² = \(chi) with \(df) df")
        let v = sampler.variance
        let n = Double(xs.count)
        #expect(abs(Stats.mean(xs)) < 4.5 * (v / n).squareRoot())
        // Laplace kurtosis is 6: Var(s²) ≈ (κ − 1)σ⁴/n ≤ 5σ⁴/n + slack.
        #expect(abs(Stats.variance(xs) - v) < 4.5 * v * (6.0 / n).squareRoot())
        // Tail: P[|X| ≥ k] = 2p^k/(1 + p) with p = e^{−1/t}, at k ≈ 3t.
        let k = Int64((3 * t.doubleValue).rounded(.up))
        let p = exp(-1 / t.doubleValue)
        let tail = 2 * pow(p, Double(k)) / (1 + p)
        let observed = Double(xs.filter { $0.magnitude >= k }.count) / n
        #expect(abs(observed - tail) < 4.5 * (tail * (1 - tail) / n).squareRoot())
    }

    @Test("discrete Gaussian tails at 3σ match the exact pmf")
    func gaussianTail() throws {
        let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: Privacy.Rational(parsing: "9"))
        var rng = Privacy.SeededGenerator(seed: 31)
        var xs = [Int64](repeating: 0, count: 200_000)
        sampler.fill(&xs, using: &rng)
        let pmf = Stats.discreteGaussianPMF(sigmaSquared: 9)
        var tail = 0.0
        for x in Int64(9) ... 200 { tail += 2 * pmf(x) }
        let observed = Double(xs.filter { $0.magnitude >= 9 }.count) / Double(xs.count)
        #expect(abs(observed - tail) < 4.5 * (tail * (1 - tail) / Double(xs.count)).squareRoot())
    }

    @Test("huge scales: σ = 10⁶ and σ = 10⁴ with decimals give the right spread, no overflow", arguments: ["1000000000000", "100000000", "1524157.87501905"])
    func hugeScales(sigmaSquared: String) throws {
        let s2 = try Privacy.Rational(parsing: sigmaSquared)
        let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: s2)
        var rng = Privacy.SeededGenerator(seed: 77)
        var xs = [Int64](repeating: 0, count: 20_000)
        sampler.fill(&xs, using: &rng)
        let v = s2.doubleValue  // for σ ≥ 10 the discrete variance equals σ² to < 1e-100
        let n = Double(xs.count)
        #expect(abs(Stats.mean(xs)) < 4.5 * (v / n).squareRoot())
        #expect(abs(Stats.variance(xs) / v - 1) < 4.5 * (2 / n).squareRoot())
    }

    @Test("seeded sampler output is pinned (stream stability across releases)")
    func pinnedOutput() throws {
        let g = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: Privacy.Rational(parsing: "25/4"))
        var rng = Privacy.SeededRandomness(seed: 2024)
        var xs = [Int64](repeating: 0, count: 12)
        g.fill(&xs, using: &rng)
        var again = Privacy.SeededRandomness(seed: 2024)
        var ys = [Int64](repeating: 0, count: 12)
        g.fill(&ys, using: &again)
        #expect(xs == ys)
        #expect(xs == SamplerDistributionTests.pinnedGaussian)
    }

    static let pinnedGaussian: [Int64] = [3, 1, 1, 1, -1, 2, 0, -3, 1, 0, -3, -2]
}
