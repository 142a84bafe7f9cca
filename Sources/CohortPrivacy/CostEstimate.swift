extension Privacy {
    /// What a planned release or training run will cost, computed before it runs
    /// (backs `cohort privacy cost`).
    public enum CostEstimate {
        /// A planned mechanism with its noise parameters.
        public enum Plan: Sendable, Hashable {
            /// Central discrete Gaussian with standard deviation parameter σ (exact) and L2 sensitivity.
            case discreteGaussian(sigma: Rational, l2Sensitivity: Double)
            /// Central discrete Laplace with scale t (exact) and L1 sensitivity.
            case discreteLaplace(scale: Rational, l1Sensitivity: Double)
            /// Distributed discrete Gaussian: central σ, n parties, t dropouts, dimension d.
            case distributedDiscreteGaussian(sigma: Rational, parties: Int, dropouts: Int, l2Sensitivity: Double, l1Sensitivity: Double?, dimension: Int)
            /// Poisson-subsampled Gaussian (DP-SGD): noise multiplier z, sampling rate q, steps.
            case subsampledGaussian(noiseMultiplier: Double, samplingRate: Double, steps: Int)
        }

        /// The result: ε at δ and every other form of the cost that applies.
        public struct Report: Sendable, Hashable, Codable {
            /// Mechanism name (`discrete-gaussian`, …).
            public var mechanism: String
            /// ε (nats) at ``delta``.
            public var epsilon: Double
            /// δ used for the conversion.
            public var delta: Double
            /// ρ-zCDP (nats) where it applies.
            public var rho: Double?
            /// Pure ε where it applies.
            public var pureEpsilon: Double?
            /// The optimal RDP order of the RDP→(ε, δ) conversion.
            public var rdpOrder: Double
            /// The full cost (stable JSON form).
            public var cost: Cost
        }

        /// Computes the cost of `plan` and its ε at `delta`.
        /// - Throws: ``PrivacyError`` for any invalid parameter.
        public static func evaluate(_ plan: Plan, delta: Double) throws -> Report {
            try PrivacyError.requireDelta(delta)
            let cost: Cost
            switch plan {
            case let .discreteGaussian(sigma, l2):
                cost = try DiscreteGaussian.cost(sigmaSquared: sigma.squared(), l2Sensitivity: l2)
            case let .discreteLaplace(scale, l1):
                cost = try DiscreteLaplace.cost(scale: scale, l1Sensitivity: l1)
            case let .distributedDiscreteGaussian(sigma, parties, dropouts, l2, l1, dimension):
                cost = try DistributedDiscreteGaussian.Plan(parties: parties, dropouts: dropouts, centralSigmaSquared: sigma.squared(), l2Sensitivity: l2, l1Sensitivity: l1, dimension: dimension).cost
            case let .subsampledGaussian(z, q, steps):
                guard steps >= 1 else { throw PrivacyError(.invalidParameter, "steps must be ≥ 1, got \(steps)") }
                let curve = try RDP.SubsampledGaussian.curve(samplingRate: q, noiseMultiplier: z, steps: steps)
                cost = Cost(mechanism: .subsampledGaussian, rho: q == 1 ? Double(steps) / (2 * z * z) : nil, pureEpsilon: nil, rdp: curve,
                            parameters: ["noise_multiplier": "\(z)", "sampling_rate": "\(q)", "steps": String(steps)])
            }
            let (_, order) = try cost.rdp.epsilon(delta: delta)
            return Report(mechanism: cost.mechanism.rawValue, epsilon: try cost.epsilon(delta: delta), delta: delta,
                          rho: cost.rho, pureEpsilon: cost.pureEpsilon, rdpOrder: order, cost: cost)
        }
    }
}

extension Privacy.Rational {
    /// `self²` exactly. - Throws: `overflow` when numerator or denominator exceeds 2⁶⁴.
    public func squared() throws -> Privacy.Rational {
        let (n, o1) = numerator.multipliedReportingOverflow(by: numerator)
        let (d, o2) = denominator.multipliedReportingOverflow(by: denominator)
        guard !o1, !o2 else {
            throw PrivacyError(.overflow, "(\(self))² does not fit in a 64-bit rational; use fewer digits")
        }
        return try Privacy.Rational(n, d)
    }
}
