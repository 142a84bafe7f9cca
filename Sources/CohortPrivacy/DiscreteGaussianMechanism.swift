extension Privacy.DiscreteGaussian {
    /// The cost of adding `N_ℤ(0, σ²)` to each coordinate of an integer query with L2
    /// sensitivity Δ₂: `ρ = Δ₂²/(2σ²)`-zCDP (CKS 2020, Thm. 14), RDP `ρ·α`.
    /// - Throws: `nonFiniteParameter`/`invalidParameter` for Δ₂ ≤ 0 or σ² = 0.
    public static func cost(sigmaSquared: Privacy.Rational, l2Sensitivity: Double) throws -> Privacy.Cost {
        try Privacy.requireSensitivity(l2Sensitivity, "L2 sensitivity")
        guard !sigmaSquared.isZero else {
            throw PrivacyError(.invalidParameter, "discrete Gaussian σ² must be > 0, got \(sigmaSquared)")
        }
        let rho = l2Sensitivity * l2Sensitivity / (2 * sigmaSquared.doubleValue)
        return .zcdp(.discreteGaussian, rho: rho, parameters: [
            "sigma_squared": sigmaSquared.description,
            "sensitivity_l2": "\(l2Sensitivity)",
        ])
    }

    /// A sampler calibrated so that adding it gives ρ-zCDP for L2 sensitivity Δ₂:
    /// the smallest exact σ² ≥ Δ₂²/(2ρ).
    /// - Throws: `invalidParameter` for ρ ≤ 0 or Δ₂ ≤ 0, `nonFiniteParameter`, `overflow`.
    public static func sampler(rho: Double, l2Sensitivity: Double) throws -> Sampler {
        try PrivacyError.requirePositive(rho, "rho")
        try Privacy.requireSensitivity(l2Sensitivity, "L2 sensitivity")
        return try Sampler(sigmaSquaredAtLeast: l2Sensitivity * l2Sensitivity / (2 * rho))
    }

    /// Central discrete Gaussian mechanism on an integer vector with an exact σ².
    ///
    /// - Returns: the noised vector, its ``Privacy/Cost`` (ρ = Δ₂²/(2σ²)) and randomness provenance.
    /// - Throws: bad parameters as in ``cost(sigmaSquared:l2Sensitivity:)``, `overflow` if a sum
    ///   leaves Int64. Complexity: O(d) samples.
    public static func addNoise(to values: [Int64], sigmaSquared: Privacy.Rational, l2Sensitivity: Double, using rng: inout some Privacy.RandomSource) throws -> Privacy.Release<[Int64]> {
        let cost = try cost(sigmaSquared: sigmaSquared, l2Sensitivity: l2Sensitivity)
        let sampler = try Sampler(sigmaSquared: sigmaSquared)
        var noise = [Int64](repeating: 0, count: values.count)
        sampler.fill(&noise, using: &rng)
        return Privacy.Release(values: try Privacy.addChecked(values, noise), cost: cost, randomness: rng.provenance)
    }

    /// Central discrete Gaussian mechanism calibrated to ρ-zCDP (σ² ≥ Δ₂²/(2ρ), exact).
    public static func addNoise(to values: [Int64], rho: Double, l2Sensitivity: Double, using rng: inout some Privacy.RandomSource) throws -> Privacy.Release<[Int64]> {
        let sampler = try sampler(rho: rho, l2Sensitivity: l2Sensitivity)
        return try addNoise(to: values, sigmaSquared: sampler.sigmaSquared, l2Sensitivity: l2Sensitivity, using: &rng)
    }

    /// Central discrete Gaussian mechanism calibrated to (ε, δ)-DP through the tight zCDP
    /// conversion (the largest ρ with ``Privacy/ZCDP/epsilon(rho:delta:)`` ≤ ε).
    public static func addNoise(to values: [Int64], epsilon: Double, delta: Double, l2Sensitivity: Double, using rng: inout some Privacy.RandomSource) throws -> Privacy.Release<[Int64]> {
        let rho = try Privacy.ZCDP.rho(forEpsilon: epsilon, delta: delta)
        return try addNoise(to: values, rho: rho, l2Sensitivity: l2Sensitivity, using: &rng)
    }

    /// Adds discrete Gaussian noise to a vector of integers mod 2⁶⁴ (wrapping), e.g. an encoded
    /// secure-aggregation input. Cost as for the central mechanism.
    public static func addNoise(toModular values: [UInt64], sigmaSquared: Privacy.Rational, l2Sensitivity: Double, using rng: inout some Privacy.RandomSource) throws -> Privacy.Release<[UInt64]> {
        let cost = try cost(sigmaSquared: sigmaSquared, l2Sensitivity: l2Sensitivity)
        let sampler = try Sampler(sigmaSquared: sigmaSquared)
        var out = values
        var bits = Privacy.RandomBits(rng)
        for i in out.indices {
            out[i] &+= UInt64(bitPattern: sampler.sample(bits: &bits))
        }
        rng = bits.source
        return Privacy.Release(values: out, cost: cost, randomness: rng.provenance)
    }
}

extension Privacy.ZCDP {
    /// The largest ρ whose tight (ε, δ) conversion is at most `epsilon` (bisection, 100 steps;
    /// the result is rounded down, so the guarantee is never weaker than asked).
    /// - Throws: `invalidParameter`/`nonFiniteParameter` for ε ≤ 0 or δ ∉ (0, 1).
    public static func rho(forEpsilon epsilon: Double, delta: Double) throws -> Double {
        try PrivacyError.requirePositive(epsilon, "epsilon")
        try PrivacyError.requireDelta(delta)
        var lo = 0.0
        var hi = epsilon
        for _ in 0 ..< 100 {
            let mid = (lo + hi) / 2
            if try Self.epsilon(rho: mid, delta: delta) <= epsilon { lo = mid } else { hi = mid }
        }
        guard lo > 0 else {
            throw PrivacyError(.invalidParameter, "no ρ > 0 achieves ε = \(epsilon) at δ = \(delta)")
        }
        return lo
    }
}
