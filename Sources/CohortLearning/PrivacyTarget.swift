import CohortPrivacy

extension Learning {
    /// The (ε, δ) a node spends on a WHOLE study (all rounds), and the zCDP budget ρ it converts
    /// to (the largest ρ whose tight conversion gives at most ε at δ,
    /// ``CohortPrivacy/Privacy/ZCDP/rho(forEpsilon:delta:)``).
    public struct PrivacyTarget: Sendable, Hashable, Codable {
        /// ε for the whole study (nats).
        public var epsilon: Double
        /// δ of the conversion.
        public var delta: Double

        /// Creates a target. - Throws: `invalidPrivacyParameter` unless ε is finite and > 0 and
        /// δ ∈ (0, 1).
        public init(epsilon: Double, delta: Double) throws {
            guard epsilon.isFinite, epsilon > 0 else {
                throw LearningError(.invalidPrivacyParameter, "epsilon \(epsilon) must be a finite number > 0")
            }
            guard delta.isFinite, delta > 0, delta < 1 else {
                throw LearningError(.invalidPrivacyParameter, "delta \(delta) must be in (0, 1)")
            }
            self.epsilon = epsilon
            self.delta = delta
        }

        private enum CodingKeys: String, CodingKey { case epsilon, delta }

        /// Decodes and validates.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(epsilon: try c.decode(Double.self, forKey: .epsilon), delta: try c.decode(Double.self, forKey: .delta))
        }

        /// The study's whole zCDP budget ρ. - Throws: `invalidPrivacyParameter` if no ρ > 0 fits.
        public func rho() throws -> Double {
            do {
                return try Privacy.ZCDP.rho(forEpsilon: epsilon, delta: delta)
            } catch let error as PrivacyError {
                throw LearningError(.invalidPrivacyParameter, "ε = \(epsilon), δ = \(delta): \(error.message)")
            }
        }
    }
}
