extension Privacy {
    /// The distributed discrete Gaussian mechanism (Kairouz, Liu, Steinke 2021, "The Distributed
    /// Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation").
    ///
    /// Each of `n` parties adds `N_ℤ(0, σ²/(n − t))` to its encoded vector before secure
    /// aggregation, so that the aggregate carries at least `n − t` independent shares even if up
    /// to `t` parties drop out (or collude and subtract their own noise).
    ///
    /// **Accounting.** A sum of `m` independent discrete Gaussians with variance parameter `s`
    /// each is not a discrete Gaussian; KLS 2021 (Proposition 14, used by their Theorem 1) bound
    /// its Rényi divergence for an integer shift Δ ∈ ℤᵈ, when `s ≥ 1/4` (σ_local ≥ 1/2), by
    /// ```
    ///   D_α ≤ min{ α/2·L2² + τ·d,
    ///              α/2·(L2² + 2·L1·τ + τ²·d),
    ///              α/2·(L2 + √d·τ)² }
    ///   L2 = Δ₂/√(m·s),  L1 = Δ₁/√(m·s),  τ = 10·Σ_{k=1}^{m−1} exp(−2π²·s·k/(k+1))
    /// ```
    /// τ is the correction for the sum not being exactly discrete Gaussian; it vanishes
    /// quickly as `s` grows (τ < 10⁻⁸·m for s ≥ 2). We account with `m = n − t` summands (more
    /// shares only add independent noise, which is post-processing). The cost carries the RDP
    /// curve (pointwise minimum of the three bounds) and `ρ = min{(L2² + 2L1τ + τ²d)/2,
    /// (L2 + √d·τ)²/2}`. Δ₁ defaults to `min(√d·Δ₂, Δ₂²)` (for integer vectors ‖x‖₁ ≤ ‖x‖₂²).
    public enum DistributedDiscreteGaussian {
        /// Parameters agreed for one aggregation: parties, tolerated dropouts, noise and cost.
        public struct Plan: Sendable, Hashable {
            /// Number of parties `n` that are asked to contribute.
            public let parties: Int
            /// Number of parties `t` that may drop out (or collude) without weakening the guarantee.
            public let dropouts: Int
            /// Dimension `d` of the aggregated integer vector.
            public let dimension: Int
            /// Target central variance parameter σ² (integer units²).
            public let centralSigmaSquared: Rational
            /// Each party's share σ²/(n − t), exact.
            public let localSigmaSquared: Rational
            /// L2 sensitivity Δ₂ of one customer's contribution (integer units).
            public let l2Sensitivity: Double
            /// L1 sensitivity Δ₁ (integer units).
            public let l1Sensitivity: Double
            /// The privacy cost of one aggregate release under this plan.
            public let cost: Cost
            @usableFromInline let sampler: DiscreteGaussian.Sampler

            /// Creates a plan from an exact central σ².
            ///
            /// - Throws: `invalidParameter` when `n < 1`, `t < 0`, `t ≥ n`, `d < 1`, Δ ≤ 0, or the
            ///   local share σ²/(n − t) < 1/4 (outside KLS Prop. 14); `overflow` for σ² that
            ///   cannot be divided exactly.
            public init(parties: Int, dropouts: Int, centralSigmaSquared: Rational, l2Sensitivity: Double, l1Sensitivity: Double? = nil, dimension: Int) throws {
                guard parties >= 1 else { throw PrivacyError(.invalidParameter, "parties must be ≥ 1, got \(parties)") }
                guard dropouts >= 0, dropouts < parties else {
                    throw PrivacyError(.invalidParameter, "dropouts t must satisfy 0 ≤ t < parties (\(parties)), got \(dropouts)")
                }
                guard dimension >= 1 else { throw PrivacyError(.invalidParameter, "dimension must be ≥ 1, got \(dimension)") }
                try Privacy.requireSensitivity(l2Sensitivity, "L2 sensitivity")
                let l1 = l1Sensitivity ?? {
                    Swift.min(Double(dimension).squareRoot() * l2Sensitivity, l2Sensitivity * l2Sensitivity)
                }()
                try Privacy.requireSensitivity(l1, "L1 sensitivity")
                let summands = parties - dropouts
                let local = try centralSigmaSquared.divided(by: UInt64(summands))
                guard local.doubleValue >= 0.25 else {
                    throw PrivacyError(.invalidParameter, "each party's share σ²/(n−t) = \(local) is below 1/4 (σ_local < 1/2); increase σ² or reduce n − t")
                }
                self.parties = parties
                self.dropouts = dropouts
                self.dimension = dimension
                self.centralSigmaSquared = centralSigmaSquared
                self.localSigmaSquared = local
                self.l2Sensitivity = l2Sensitivity
                self.l1Sensitivity = l1
                self.sampler = try DiscreteGaussian.Sampler(sigmaSquared: local)
                self.cost = DistributedDiscreteGaussian.cost(
                    localSigmaSquared: local.doubleValue, summands: summands,
                    l2Sensitivity: l2Sensitivity, l1Sensitivity: l1, dimension: dimension,
                    parameters: [
                        "parties": String(parties), "dropouts": String(dropouts),
                        "sigma_squared": centralSigmaSquared.description,
                        "local_sigma_squared": local.description,
                        "sensitivity_l2": "\(l2Sensitivity)", "sensitivity_l1": "\(l1)",
                        "dimension": String(dimension),
                    ])
            }

            /// Creates a plan whose cost is at most ρ-zCDP: starts from σ² = Δ₂²/(2ρ) and raises
            /// σ² by 1 % steps until the τ-corrected bound fits.
            /// - Throws: as the exact initialiser, plus `invalidParameter` for ρ ≤ 0 or when no
            ///   σ² up to 10⁶× the naive one reaches ρ.
            public init(parties: Int, dropouts: Int, rho: Double, l2Sensitivity: Double, l1Sensitivity: Double? = nil, dimension: Int) throws {
                try PrivacyError.requirePositive(rho, "rho")
                try Privacy.requireSensitivity(l2Sensitivity, "L2 sensitivity")
                guard dropouts >= 0, dropouts < parties else {
                    throw PrivacyError(.invalidParameter, "dropouts t must satisfy 0 ≤ t < parties (\(parties)), got \(dropouts)")
                }
                let base = l2Sensitivity * l2Sensitivity / (2 * rho)
                // The local share must be ≥ 1/4.
                var sigma2 = Swift.max(base, 0.25 * Double(parties - dropouts))
                var lastError: PrivacyError?
                for _ in 0 ..< 1400 {
                    do {
                        let exact = try Rational(roundingUp: sigma2, maxDenominatorBits: 16, numeratorBits: 60)
                        let plan = try Plan(parties: parties, dropouts: dropouts, centralSigmaSquared: exact, l2Sensitivity: l2Sensitivity, l1Sensitivity: l1Sensitivity, dimension: dimension)
                        if let r = plan.cost.rho, r <= rho {
                            self = plan
                            return
                        }
                    } catch let error as PrivacyError {
                        if error.code != .invalidParameter || lastError == nil { lastError = error }
                        if error.code == .overflow { throw error }
                    }
                    sigma2 *= 1.01
                }
                throw lastError ?? PrivacyError(.invalidParameter, "no σ² reaches ρ = \(rho) for \(parties) parties with \(dropouts) dropouts")
            }

            /// This party's contribution: adds its noise share `N_ℤ(0, σ²/(n − t))` to an encoded
            /// vector mod 2⁶⁴ (wrapping). The returned cost is the plan's cost of the *aggregate*.
            /// - Throws: `dimensionMismatch` when `values.count != dimension`.
            public func addShare(to values: [UInt64], using rng: inout some RandomSource) throws -> Release<[UInt64]> {
                guard values.count == dimension else {
                    throw PrivacyError(.dimensionMismatch, "vector has \(values.count) entries, plan dimension is \(dimension)")
                }
                var out = values
                var bits = RandomBits(rng)
                for i in out.indices {
                    out[i] &+= UInt64(bitPattern: sampler.sample(bits: &bits))
                }
                rng = bits.source
                return Release(values: out, cost: cost, randomness: rng.provenance)
            }
        }

        /// The τ correction term of KLS 2021: `10·Σ_{k=1}^{m−1} exp(−2π²·s·k/(k+1))`.
        public static func tau(localSigmaSquared s: Double, summands m: Int) -> Double {
            var sum = 0.0
            if m >= 2 {
                for k in 1 ..< m {
                    let term = mathExp(-2 * Double.pi * Double.pi * s * Double(k) / Double(k + 1))
                    sum += term
                    if term == 0 { break }
                }
            }
            return 10 * sum
        }

        /// The privacy cost of the sum of `m` independent `N_ℤ(0, s)` shares (see the type docs).
        public static func cost(localSigmaSquared s: Double, summands m: Int, l2Sensitivity: Double, l1Sensitivity: Double, dimension d: Int, parameters: [String: String] = [:]) -> Cost {
            let tau = tau(localSigmaSquared: s, summands: m)
            let central = Double(m) * s
            let l2 = l2Sensitivity / central.squareRoot()
            let l1 = l1Sensitivity / central.squareRoot()
            let dd = Double(d)
            let linear2 = (l2 * l2 + 2 * l1 * tau + tau * tau * dd) / 2
            let linear3 = (l2 + dd.squareRoot() * tau) * (l2 + dd.squareRoot() * tau) / 2
            let rho = Swift.min(linear2, linear3)
            let values = RDP.defaultOrders.map { a in
                Swift.min(a / 2 * l2 * l2 + tau * dd, a * linear2, a * linear3)
            }
            var p = parameters
            p["tau"] = "\(tau)"
            return Cost(mechanism: .distributedDiscreteGaussian, rho: rho, pureEpsilon: nil, rdp: RDP.Curve(unchecked: RDP.defaultOrders, values), parameters: p)
        }
    }
}
