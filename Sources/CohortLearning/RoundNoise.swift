public import CohortPrivacy

extension Learning {
    /// The noise every node adds to its contribution in one round, in encoded (integer) units,
    /// and what it costs that node.
    ///
    /// Each node adds its own `N_ℤ(0, σ²)` to every coordinate of its un-noised vector, so each
    /// node's release is ρ-zCDP for its own customers with `ρ = Δ₂²/(2σ²)` (CKS 2020, Thm. 14),
    /// whatever the other nodes do. The lead's sum of `parties` vectors therefore carries
    /// variance `parties · σ²` per coordinate (which the studies use for their standard errors).
    ///
    /// With a ``NoiseSharing`` (secure aggregation) σ² is a party's share of the central noise
    /// and the cost is the distributed discrete Gaussian's (KLS 2021) for the sum of the counted
    /// shares: only the securely aggregated sum is released, never one party's vector.
    public struct RoundNoise: Sendable, Hashable, Codable {
        /// Per-node variance parameter σ² (encoded units²), exact; zero when noise is off
        /// (simulation only: nothing private).
        public var sigmaSquared: Privacy.Rational
        /// L2 sensitivity of one customer's contribution (encoded units).
        public var l2Sensitivity: Double
        /// L1 sensitivity of one customer's contribution (encoded units).
        public var l1Sensitivity: Double
        /// Length of the contribution vector.
        public var dimension: Int
        /// The split of the central noise among the parties, or nil when each node adds the full σ².
        public var sharing: NoiseSharing?

        /// Per-node standard deviation σ (encoded units).
        public var sigma: Double { sigmaSquared.doubleValue.squareRoot() }

        /// Noise multiplier σ / Δ₂.
        public var noiseMultiplier: Double { sigma / l2Sensitivity }

        /// Whether noise is off (σ = 0: simulation only).
        public var isOff: Bool { sigmaSquared.isZero }

        /// Calibrates σ² ≥ Δ₂²/(2ρ) exactly (``CohortPrivacy/Privacy/DiscreteGaussian/sampler(rho:l2Sensitivity:)``),
        /// or σ² = 0 when `noiseOff`. With a `sharing`, σ² is each party's share of the smallest
        /// central variance whose distributed cost is at most ρ
        /// (``CohortPrivacy/Privacy/DistributedDiscreteGaussian/Plan/init(parties:dropouts:rho:l2Sensitivity:l1Sensitivity:dimension:)``).
        /// - Throws: `budgetTooSmallForRounds` when the sampler or the split cannot represent σ².
        public static func calibrated(rho: Double, l2Sensitivity: Double, l1Sensitivity: Double, dimension: Int,
                                      noiseOff: Bool = false, sharing: NoiseSharing? = nil) throws -> RoundNoise {
            if noiseOff {
                return RoundNoise(sigmaSquared: try Privacy.Rational(0), l2Sensitivity: l2Sensitivity,
                                  l1Sensitivity: l1Sensitivity, dimension: dimension, sharing: sharing)
            }
            if let sharing {
                do {
                    let plan = try Privacy.DistributedDiscreteGaussian.Plan(
                        parties: sharing.parties, dropouts: sharing.colluders, rho: rho, l2Sensitivity: l2Sensitivity,
                        l1Sensitivity: l1Sensitivity, dimension: max(dimension, 1))
                    return RoundNoise(sigmaSquared: plan.localSigmaSquared, l2Sensitivity: l2Sensitivity,
                                      l1Sensitivity: l1Sensitivity, dimension: dimension, sharing: sharing)
                } catch let error as PrivacyError {
                    throw LearningError(.budgetTooSmallForRounds, "a round's ρ = \(rho) cannot be split among \(sharing.parties) parties (\(sharing.colluders) not counted) for sensitivity \(l2Sensitivity): \(error.message)")
                }
            }
            do {
                let sampler = try Privacy.DiscreteGaussian.sampler(rho: rho, l2Sensitivity: l2Sensitivity)
                return RoundNoise(sigmaSquared: sampler.sigmaSquared, l2Sensitivity: l2Sensitivity,
                                  l1Sensitivity: l1Sensitivity, dimension: dimension)
            } catch let error as PrivacyError {
                throw LearningError(.budgetTooSmallForRounds, "a round's ρ = \(rho) cannot be realised for sensitivity \(l2Sensitivity): \(error.message)")
            }
        }

        /// The zCDP cost of this round for one node
        /// (``CohortPrivacy/Privacy/DiscreteGaussian/cost(sigmaSquared:l2Sensitivity:)``, or with a
        /// ``sharing`` the distributed cost of the counted shares'
        /// sum, ``CohortPrivacy/Privacy/DistributedDiscreteGaussian/cost(localSigmaSquared:summands:l2Sensitivity:l1Sensitivity:dimension:parameters:)``).
        /// - Throws: `invalidParameter` when noise is off (an un-noised round has no finite cost).
        public func cost() throws -> Privacy.Cost {
            guard !isOff else {
                throw LearningError(.invalidParameter, "noise is off (σ = 0): the round is not private and has no finite cost")
            }
            if let sharing {
                return Privacy.DistributedDiscreteGaussian.cost(
                    localSigmaSquared: sigmaSquared.doubleValue, summands: sharing.countedShares,
                    l2Sensitivity: l2Sensitivity, l1Sensitivity: l1Sensitivity, dimension: max(dimension, 1),
                    parameters: [
                        "parties": String(sharing.parties), "dropouts": String(sharing.colluders),
                        "local_sigma_squared": sigmaSquared.description,
                        "sensitivity_l2": "\(l2Sensitivity)", "sensitivity_l1": "\(l1Sensitivity)",
                        "dimension": String(dimension),
                    ])
            }
            return try Privacy.DiscreteGaussian.cost(sigmaSquared: sigmaSquared, l2Sensitivity: l2Sensitivity)
        }

        /// Adds this node's noise to its contribution (exact discrete Gaussian; identity when noise
        /// is off), refusing on Int64 overflow. O(dimension).
        /// - Throws: `dimensionMismatch` for a vector of the wrong length, `overflow`.
        public func addNoise(to values: [Int64], using rng: inout some Privacy.RandomSource) throws -> [Int64] {
            guard values.count == dimension else {
                throw LearningError(.dimensionMismatch, "contribution has \(values.count) entries, the round expects \(dimension)")
            }
            guard !isOff else { return values }
            do {
                return try Privacy.DiscreteGaussian.addNoise(to: values, sigmaSquared: sigmaSquared,
                                                              l2Sensitivity: l2Sensitivity, using: &rng).values
            } catch let error as PrivacyError {
                throw LearningError(.overflow, "adding noise: \(error.message)")
            }
        }

        /// Standard deviation of one coordinate of the sum of `parties` noised vectors, in the
        /// encoded units divided by `scale` (e.g. `scale` = the fixed-point scale gives real units).
        public func aggregateStandardDeviation(parties: Int, scale: Double = 1) -> Double {
            (Double(parties) * sigmaSquared.doubleValue).squareRoot() / scale
        }
    }
}
