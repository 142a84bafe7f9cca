extension Privacy.DiscreteLaplace {
    /// The cost of adding discrete Laplace noise of scale `t` to an integer query with L1
    /// sensitivity Δ₁: pure `ε = Δ₁/t` (nats), hence also `ε²/2`-zCDP.
    /// - Throws: `invalidParameter`/`nonFiniteParameter` for Δ₁ ≤ 0 or t = 0.
    public static func cost(scale: Privacy.Rational, l1Sensitivity: Double) throws -> Privacy.Cost {
        try Privacy.requireSensitivity(l1Sensitivity, "L1 sensitivity")
        guard !scale.isZero else {
            throw PrivacyError(.invalidParameter, "discrete Laplace scale t must be > 0, got \(scale)")
        }
        let epsilon = l1Sensitivity / scale.doubleValue
        return .pure(.discreteLaplace, epsilon: epsilon, parameters: [
            "scale": scale.description,
            "sensitivity_l1": "\(l1Sensitivity)",
        ])
    }

    /// A sampler calibrated to pure ε-DP for L1 sensitivity Δ₁ (exact scale t ≥ Δ₁/ε).
    public static func sampler(epsilon: Double, l1Sensitivity: Double) throws -> Sampler {
        try PrivacyError.requirePositive(epsilon, "epsilon")
        try Privacy.requireSensitivity(l1Sensitivity, "L1 sensitivity")
        return try Sampler(scaleAtLeast: l1Sensitivity / epsilon)
    }

    /// Central discrete Laplace mechanism with an exact scale.
    /// Complexity: O(d) samples. - Throws: bad parameters, `overflow` on Int64 overflow.
    public static func addNoise(to values: [Int64], scale: Privacy.Rational, l1Sensitivity: Double, using rng: inout some Privacy.RandomSource) throws -> Privacy.Release<[Int64]> {
        let cost = try cost(scale: scale, l1Sensitivity: l1Sensitivity)
        let sampler = try Sampler(scale: scale)
        var noise = [Int64](repeating: 0, count: values.count)
        sampler.fill(&noise, using: &rng)
        return Privacy.Release(values: try Privacy.addChecked(values, noise), cost: cost, randomness: rng.provenance)
    }

    /// Central discrete Laplace mechanism calibrated to pure ε-DP.
    public static func addNoise(to values: [Int64], epsilon: Double, l1Sensitivity: Double, using rng: inout some Privacy.RandomSource) throws -> Privacy.Release<[Int64]> {
        let sampler = try sampler(epsilon: epsilon, l1Sensitivity: l1Sensitivity)
        return try addNoise(to: values, scale: sampler.scale, l1Sensitivity: l1Sensitivity, using: &rng)
    }
}
