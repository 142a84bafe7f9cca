public import CohortCore
public import Foundation

extension Study {
    /// The privacy cost a node charged for a contribution (`ContributionResponse.cost_json`).
    public struct Cost: Sendable, Hashable, Codable {
        /// Purpose whose budget was charged.
        public var purpose: Purpose
        /// ε charged.
        public var epsilon: Double
        /// δ of the guarantee.
        public var delta: Double
        /// zCDP ρ charged.
        public var rho: Double
        /// Noise mechanism, e.g. `discrete-gaussian`.
        public var mechanism: String
        /// Noise variance actually added per coordinate, encoded units².
        public var sigmaSquared: Double
        /// L2 sensitivity of the vector, encoded units.
        public var l2Sensitivity: Double
        /// True if the noise was simulated (seeded or absent): no privacy.
        public var simulated: Bool

        /// Creates a cost record.
        public init(
            purpose: Purpose, epsilon: Double, delta: Double, rho: Double, mechanism: String,
            sigmaSquared: Double, l2Sensitivity: Double, simulated: Bool
        ) {
            self.purpose = purpose
            self.epsilon = epsilon
            self.delta = delta
            self.rho = rho
            self.mechanism = mechanism
            self.sigmaSquared = sigmaSquared
            self.l2Sensitivity = l2Sensitivity
            self.simulated = simulated
        }

        enum CodingKeys: String, CodingKey {
            case purpose, epsilon, delta, rho, mechanism, simulated
            case sigmaSquared = "sigma_squared"
            case l2Sensitivity = "l2_sensitivity"
        }

        /// Canonical JSON (sorted keys), for `cost_json` and the budget ledger.
        public func canonicalJSON() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            do { return try encoder.encode(self) } catch {
                throw StudyError(.encoding, key: "cost", "cannot encode: \(error)")
            }
        }

        /// Decodes `cost_json`; throws `invalidContribution` if malformed or if a figure is out of
        /// range (ε and ρ finite and in [0, 10⁶], δ in [0, 1), σ² finite and in [0, 10³⁰),
        /// sensitivity finite and ≥ 0, mechanism at most 64 characters): a peer's cost ends up in
        /// the released result, so nonsense is refused rather than published.
        public static func decode(json: Data) throws -> Cost {
            let cost: Cost
            do { cost = try JSONDecoder().decode(Cost.self, from: json) } catch {
                throw StudyError(.invalidContribution, key: "cost_json", "malformed cost: \(error)")
            }
            try cost.validateRanges()
            return cost
        }

        /// Checks every figure's range (see ``decode(json:)``).
        public func validateRanges() throws {
            func check(_ ok: Bool, _ key: String, _ value: Double) throws {
                guard ok else {
                    throw StudyError(.invalidContribution, key: "cost_json.\(key)", "\(value) is out of range")
                }
            }
            try check(epsilon.isFinite && epsilon >= 0 && epsilon <= 1e6, "epsilon", epsilon)
            try check(rho.isFinite && rho >= 0 && rho <= 1e6, "rho", rho)
            try check(delta.isFinite && delta >= 0 && delta < 1, "delta", delta)
            try check(sigmaSquared.isFinite && sigmaSquared >= 0 && sigmaSquared < 1e30, "sigma_squared", sigmaSquared)
            try check(l2Sensitivity.isFinite && l2Sensitivity >= 0, "l2_sensitivity", l2Sensitivity)
            guard mechanism.count <= 64 else {
                throw StudyError(.invalidContribution, key: "cost_json.mechanism", "is longer than 64 characters")
            }
        }
    }

    /// A noised contribution as sent to the lead (`ContributionResponse`): `values` ↔ `values`
    /// (fixed64), `cost` ↔ `cost_json`.
    ///
    /// It carries nothing that depends on the data except the noised vector: the exact number of
    /// customers used stays on the node (audited locally in `data.accessed`), and released
    /// customer counts are derived from the noised vector (``Result/releasedCustomers``).
    public struct ContributionMessage: Sendable, Hashable, Codable {
        /// Study identifier.
        public var study: String
        /// Round number (0 for histogram and mean).
        public var round: Int
        /// The noised vector, two's complement mod 2^64 (ready for secure-aggregation masking).
        public var values: [UInt64]
        /// The privacy cost charged by the sender.
        public var cost: Cost

        /// Creates a message.
        public init(study: String, round: Int, values: [UInt64], cost: Cost) {
            self.study = study
            self.round = round
            self.values = values
            self.cost = cost
        }
    }
}
