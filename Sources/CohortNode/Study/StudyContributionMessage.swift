import Foundation

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

        /// Decodes `cost_json`; throws `invalidContribution` if malformed.
        public static func decode(json: Data) throws -> Cost {
            do { return try JSONDecoder().decode(Cost.self, from: json) } catch {
                throw StudyError(.invalidContribution, key: "cost_json", "malformed cost: \(error)")
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
