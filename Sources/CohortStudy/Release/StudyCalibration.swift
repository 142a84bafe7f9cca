public import CohortCore
public import CohortPrivacy
import Foundation

extension Study {
    /// Converts a spec's per-node (ε, δ) into a zCDP budget ρ and a discrete Gaussian variance.
    ///
    /// The ρ ↔ (ε, δ) conversion is the privacy module's tight one (Canonne, Kamath, Steinke
    /// 2020, Prop. 12 / Cor. 13, see ``Privacy/ZCDP``), so the ledger charges exactly the ε a
    /// spec asks for when its δ equals the node policy's δ.
    ///
    /// Variance: the discrete Gaussian with L2 sensitivity Δ satisfies ρ = Δ²/(2σ²) zCDP, so
    /// `σ² = Δ²/(2ρ)`, floored at ``minimumSigmaSquared`` (which only raises the noise).
    public enum Calibration {
        /// Floor on σ² (encoded units²). At σ ≥ 2 the multivariate discrete Gaussian's privacy
        /// loss exceeds Δ²/(2σ²) only by terms of order exp(−π²σ²) ≈ 10⁻¹⁷ per coordinate
        /// (CKS 2020, Thm. 14), so ρ = Δ²/(2σ²) holds for the whole vector.
        public static let minimumSigmaSquared = 4.0

        /// Smallest ε such that ρ-zCDP implies (ε, δ)-DP (tight conversion); +∞ for invalid input.
        public static func epsilon(rho: Double, delta: Double) -> Double {
            guard rho > 0 else { return 0 }
            return (try? Privacy.ZCDP.epsilon(rho: rho, delta: delta)) ?? .infinity
        }

        /// Largest ρ such that ρ-zCDP implies (ε, δ)-DP (tight conversion, rounded down).
        /// Throws `invalidNoise` unless ε > 0 is finite and δ ∈ (0, 1).
        public static func rho(epsilon: Double, delta: Double) throws -> Double {
            guard epsilon.isFinite, epsilon > 0 else {
                throw StudyError(.invalidNoise, key: "privacy.epsilon", "must be finite and > 0, got \(epsilon)")
            }
            guard delta.isFinite, delta > 0, delta < 1 else {
                throw StudyError(.invalidNoise, key: "privacy.delta", "must be in (0, 1), got \(delta)")
            }
            do {
                return try Privacy.ZCDP.rho(forEpsilon: epsilon, delta: delta)
            } catch {
                throw StudyError(.invalidNoise, key: "privacy.epsilon", "\(error)")
            }
        }

        /// The noise plan of a spec: ρ from (ε, δ), sensitivity from the kind, σ² = max(Δ²/(2ρ), 4).
        /// Depends on the spec only, so the cost is known before any customer data is read.
        public static func plan(for spec: Spec) throws -> NoisePlan {
            let rho = try rho(epsilon: spec.privacy.epsilon, delta: spec.privacy.delta)
            if spec.kind.isLearning {
                // Every round has its own noise (``LearningAlgorithm/roundNoise(for:)``); the
                // plan carries the study's whole budget, which the rounds' costs compose to at most.
                return NoisePlan(
                    purpose: spec.purpose, epsilon: spec.privacy.epsilon, delta: spec.privacy.delta, rho: rho,
                    l2Sensitivity: 0, sigmaSquared: 0, coordinates: 0)
            }
            let sensitivity = Sensitivity.of(spec)
            if case let (parties, colluders)? = spec.aggregation.uncountedNoiseShares {
                // Distributed discrete Gaussian (KLS 2021): each party adds its share of the
                // central noise, which the uncounted parties cannot weaken.
                let shared = try NoisePlan.Distributed.plan(
                    parties: parties, colluders: colluders, rho: rho, l2Sensitivity: sensitivity.l2,
                    coordinates: spec.coordinateCount, key: "secure_aggregation")
                return NoisePlan(
                    purpose: spec.purpose, epsilon: spec.privacy.epsilon, delta: spec.privacy.delta, rho: rho,
                    l2Sensitivity: sensitivity.l2, sigmaSquared: shared.localSigmaSquared.doubleValue,
                    coordinates: spec.coordinateCount,
                    distributed: NoisePlan.Distributed(
                        parties: parties, colluders: colluders, centralSigmaSquared: shared.centralSigmaSquared.doubleValue))
            }
            let sigmaSquared = max(sensitivity.l2 * sensitivity.l2 / (2 * rho), minimumSigmaSquared)
            return NoisePlan(
                purpose: spec.purpose, epsilon: spec.privacy.epsilon, delta: spec.privacy.delta, rho: rho,
                l2Sensitivity: sensitivity.l2, sigmaSquared: sigmaSquared, coordinates: spec.coordinateCount)
        }
    }

    /// How much noise a node adds to its contribution and what that costs it.
    public struct NoisePlan: Sendable, Hashable, Codable {
        /// Purpose whose budget is charged.
        public let purpose: Purpose
        /// ε charged (per node, whole study).
        public let epsilon: Double
        /// δ of the guarantee.
        public let delta: Double
        /// zCDP ρ charged (the node's own noise alone gives ρ-zCDP, hence (ε, δ)-DP).
        public let rho: Double
        /// L2 sensitivity Δ of the vector, encoded units.
        public let l2Sensitivity: Double
        /// Discrete Gaussian variance per coordinate this node adds, encoded units² (with
        /// ``distributed`` its share of the central variance).
        public let sigmaSquared: Double
        /// Vector length.
        public let coordinates: Int
        /// With secure aggregation: the distributed discrete Gaussian's split of the noise; nil
        /// when each node adds the full noise (its own noise alone gives the guarantee).
        public let distributed: Distributed?

        /// How the central noise is split among the parties of a securely aggregated study.
        public struct Distributed: Sendable, Hashable, Codable {
            /// n: parties of the aggregation.
            public let parties: Int
            /// Parties whose share is not counted: the tolerated dropouts plus the one that
            /// knows its own share.
            public let colluders: Int
            /// σ² the released sum carries from the other n − colluders parties, encoded units².
            public let centralSigmaSquared: Double

            /// Creates the split.
            public init(parties: Int, colluders: Int, centralSigmaSquared: Double) {
                self.parties = parties
                self.colluders = colluders
                self.centralSigmaSquared = centralSigmaSquared
            }

            enum CodingKeys: String, CodingKey {
                case parties, colluders
                case centralSigmaSquared = "central_sigma_squared"
            }

            /// The privacy module's plan for the split: the smallest central σ² (1 % steps from
            /// Δ²/(2ρ)) whose KLS cost fits ρ. Deterministic, so the calibration and every cost
            /// derived from it state the same bytes.
            /// - Throws: `invalidNoise` at `key` when the accountant refuses the split.
            static func plan(
                parties: Int, colluders: Int, rho: Double, l2Sensitivity: Double, coordinates: Int, key: String
            ) throws -> Privacy.DistributedDiscreteGaussian.Plan {
                do {
                    return try Privacy.DistributedDiscreteGaussian.Plan(
                        parties: parties, dropouts: colluders, rho: rho, l2Sensitivity: l2Sensitivity,
                        dimension: max(coordinates, 1))
                } catch {
                    throw StudyError(
                        .invalidNoise, key: key,
                        "no distributed noise plan for \(parties) parties of which \(colluders) may drop out or know their own share: \(error)")
                }
            }
        }
        /// Mechanism name: `discrete-gaussian`.
        public var mechanism: String { "discrete-gaussian" }

        /// Creates a plan (normally through ``Calibration/plan(for:)``).
        public init(
            purpose: Purpose, epsilon: Double, delta: Double, rho: Double, l2Sensitivity: Double,
            sigmaSquared: Double, coordinates: Int, distributed: Distributed? = nil
        ) {
            self.distributed = distributed
            self.purpose = purpose
            self.epsilon = epsilon
            self.delta = delta
            self.rho = rho
            self.l2Sensitivity = l2Sensitivity
            self.sigmaSquared = sigmaSquared
            self.coordinates = coordinates
        }

        /// The privacy cost of the plan, as the ledger charges it and the contribution carries it
        /// (`cost_json`): the discrete Gaussian's ρ-zCDP (ρ = ``rho``), with the parameters
        /// `sigma_squared` (the exact σ² the sampler adds, ≥ ``sigmaSquared``, in the privacy
        /// module's `p/q` form), `sensitivity_l2` and `coordinates`. Depends on the plan only, so
        /// the charge and every message of the study state the same bytes.
        /// - Throws: `invalidNoise` for a plan without noise (a learning study's plan, whose
        ///   rounds have their own).
        public func cost() throws -> Privacy.Cost {
            if let distributed {
                return try Distributed.plan(
                    parties: distributed.parties, colluders: distributed.colluders, rho: rho,
                    l2Sensitivity: l2Sensitivity, coordinates: coordinates, key: "plan.distributed").cost
            }
            let exact: Privacy.Rational
            do { exact = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: sigmaSquared).sigmaSquared } catch {
                throw StudyError(.invalidNoise, key: "plan.sigma_squared", "no discrete Gaussian for σ² = \(sigmaSquared): \(error)")
            }
            return .zcdp(.discreteGaussian, rho: rho, parameters: [
                "sigma_squared": exact.description, "sensitivity_l2": "\(l2Sensitivity)", "coordinates": String(coordinates),
            ])
        }

        enum CodingKeys: String, CodingKey {
            case purpose, epsilon, delta, rho, coordinates, distributed
            case l2Sensitivity = "l2_sensitivity"
            case sigmaSquared = "sigma_squared"
        }
    }
}
