import CohortPrivacy
import Foundation

/// Test-only statistics: exact pmfs in Double, chi-square goodness of fit with pooled tails.
enum Stats {
    /// Pearson chi-square statistic and degrees of freedom for integer samples against `pmf`,
    /// with one bin per value whose expected count is ≥ 5 and both tails pooled.
    static func chiSquare(_ samples: [Int64], pmf: (Int64) -> Double, support: ClosedRange<Int64>) -> (statistic: Double, degreesOfFreedom: Int) {
        let n = Double(samples.count)
        var counts: [Int64: Int] = [:]
        for s in samples { counts[s, default: 0] += 1 }
        var bins: [(observed: Double, expected: Double)] = []
        var lowO = 0.0, lowE = 0.0, highO = 0.0, highE = 0.0
        var coreLo: Int64 = 0, coreHi: Int64 = 0
        // Core bins: values around 0 with expected ≥ 5.
        var x: Int64 = 0
        while x >= support.lowerBound, pmf(x) * n >= 5 { coreLo = x; x -= 1 }
        x = 0
        while x <= support.upperBound, pmf(x) * n >= 5 { coreHi = x; x += 1 }
        var massCore = 0.0
        for v in coreLo ... coreHi {
            let e = pmf(v) * n
            massCore += pmf(v)
            bins.append((Double(counts[v] ?? 0), e))
        }
        for (v, c) in counts where v < coreLo { lowO += Double(c) }
        for (v, c) in counts where v > coreHi { highO += Double(c) }
        let tailMass = max(0, 1 - massCore)
        lowE = tailMass / 2 * n
        highE = tailMass / 2 * n
        if lowE >= 1 { bins.append((lowO, lowE)) } else { bins.append((lowO + highO, lowE + highE)); highE = 0 }
        if highE >= 1 { bins.append((highO, highE)) }
        var stat = 0.0
        for b in bins where b.expected > 0 {
            stat += (b.observed - b.expected) * (b.observed - b.expected) / b.expected
        }
        return (stat, bins.count - 1)
    }

    /// Upper critical value of χ²(k) at significance α = 0.001 (Wilson–Hilferty; z = 3.0902).
    static func chiSquareCritical001(_ k: Int) -> Double {
        let kk = Double(k)
        let z = 3.0902
        let t = 1 - 2 / (9 * kk) + z * (2 / (9 * kk)).squareRoot()
        return kk * t * t * t
    }

    /// Exact discrete Gaussian pmf (normalised by summing |x| ≤ 40σ + 40).
    static func discreteGaussianPMF(sigmaSquared s2: Double) -> (Int64) -> Double {
        let bound = Int64((40 * s2.squareRoot()).rounded(.up)) + 40
        var z = 0.0
        for x in -bound ... bound { z += exp(-Double(x * x) / (2 * s2)) }
        return { x in exp(-Double(x) * Double(x) / (2 * s2)) / z }
    }

    /// Exact discrete Laplace pmf: `(1 − e^{−1/t})/(1 + e^{−1/t}) · e^{−|x|/t}`.
    static func discreteLaplacePMF(scale t: Double) -> (Int64) -> Double {
        let p = exp(-1 / t)
        return { x in (1 - p) / (1 + p) * pow(p, Double(x.magnitude)) }
    }

    static func mean(_ xs: [Int64]) -> Double { xs.reduce(0.0) { $0 + Double($1) } / Double(xs.count) }

    static func variance(_ xs: [Int64]) -> Double {
        let m = mean(xs)
        return xs.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(xs.count - 1)
    }

    /// Exact variance of N_ℤ(0, σ²) from the pmf.
    static func discreteGaussianVariance(sigmaSquared s2: Double) -> Double {
        let pmf = discreteGaussianPMF(sigmaSquared: s2)
        let bound = Int64((40 * s2.squareRoot()).rounded(.up)) + 40
        var v = 0.0
        for x in -bound ... bound { v += Double(x) * Double(x) * pmf(x) }
        return v
    }
}
