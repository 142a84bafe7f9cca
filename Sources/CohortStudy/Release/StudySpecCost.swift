import CohortPrivacy

extension Study {
    /// What a spec costs each node before it is proposed: the whole study's cost (every
    /// budgeted round composed — zCDP, or RDP for a subsampled training study) as ε at the
    /// spec's δ, and the noise of each phase of rounds. `cohort privacy cost --spec` prints it;
    /// it is what the ledger charges at round 0.
    public struct SpecCost: Sendable, Hashable, Codable {
        /// The study kind.
        public var kind: Kind
        /// Budgeted rounds (the study may finish earlier).
        public var rounds: Int
        /// The spec's ε per node (the cap the composition must stay within).
        public var specEpsilon: Double
        /// δ of the guarantee (the spec's).
        public var delta: Double
        /// ε per node of the composed cost at ``delta``; at most ``specEpsilon``.
        public var epsilon: Double
        /// zCDP ρ per node where the composition is in zCDP; nil for an RDP composition.
        public var rho: Double?
        /// `zCDP` or `RDP`.
        public var accountant: String
        /// Rounds grouped by phase, with each round's noise.
        public var phases: [LearningAlgorithm.Phase]

        /// Prices `spec`. O(1) for histogram, mean and full-batch learning specs.
        /// - Throws: ``StudyError`` as the spec's calibration does.
        public static func of(_ spec: Spec) throws -> SpecCost {
            let cost: Privacy.Cost
            let rounds: Int
            let phases: [LearningAlgorithm.Phase]
            if spec.kind.isLearning {
                let algorithm = try LearningAlgorithm(spec: spec)
                cost = algorithm.cost
                rounds = algorithm.maximumRounds
                phases = algorithm.phases
            } else {
                let plan = try Calibration.plan(for: spec)
                cost = Privacy.Cost.zcdp(.discreteGaussian, rho: plan.rho)
                rounds = 1
                phases = [LearningAlgorithm.Phase(
                    name: spec.kind.rawValue, rounds: 1, sigma: plan.sigmaSquared.squareRoot(),
                    l2Sensitivity: plan.l2Sensitivity, coordinates: plan.coordinates)]
            }
            let epsilon: Double
            do { epsilon = try cost.epsilon(delta: spec.privacy.delta) } catch let error as PrivacyError {
                throw StudyError(.invalidNoise, key: "privacy", error.message)
            }
            return SpecCost(
                kind: spec.kind, rounds: rounds, specEpsilon: spec.privacy.epsilon, delta: spec.privacy.delta,
                epsilon: epsilon, rho: cost.rho, accountant: cost.rho == nil ? "RDP" : "zCDP", phases: phases)
        }

        /// Terminal lines: the composed ε against the spec's, then one line per phase.
        public var lines: [String] {
            var out = ["kind:       \(kind.rawValue), \(rounds) budgeted round(s)",
                       "epsilon:    \(epsilon)  (whole study, per node, at delta = \(delta); the spec allows \(specEpsilon))"]
            if let rho { out.append("rho:        \(rho)  (zCDP, all rounds composed)") } else { out.append("accountant: RDP (subsampled rounds composed)") }
            for p in phases {
                out.append("  \(p.name): \(p.rounds) round(s) × \(p.coordinates) coordinates, σ = \(p.sigma), Δ₂ = \(p.l2Sensitivity) (encoded units)")
            }
            return out
        }
    }
}
