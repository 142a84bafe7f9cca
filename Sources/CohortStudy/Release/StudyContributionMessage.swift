public import CohortPrivacy
public import Foundation

extension Study {
    /// A noised contribution as sent to the lead (`ContributionResponse`): `values` ↔ `values`
    /// (fixed64), `cost` ↔ `cost_json` (the ``CohortPrivacy/Privacy/Cost`` JSON form, byte for byte
    /// what the sender's ledger stores), `simulated` ↔ `simulated`.
    ///
    /// It carries nothing that depends on the data except the noised vector: the exact number of
    /// customers used stays on the node (audited locally in `data.accessed`), and released
    /// customer counts are derived from the noised vector (``Result/releasedCustomers``). The
    /// purpose and δ are the spec's, so they are not repeated; the lead states ε at the spec's δ.
    public struct ContributionMessage: Sendable, Hashable, Codable {
        /// Study identifier.
        public var study: String
        /// Round number (0 for histogram and mean).
        public var round: Int
        /// The noised vector, two's complement mod 2^64 (ready for secure-aggregation masking).
        public var values: [UInt64]
        /// The privacy cost the sender charged for the study, as its ledger records it: for
        /// histogram and mean the discrete Gaussian's ρ with the noise in its parameters
        /// (`sigma_squared`, `sensitivity_l2`, `coordinates`; ``NoisePlan/cost()``), for the
        /// learning kinds the whole study's composed cost (``LearningAlgorithm/cost``), the same
        /// in every round.
        public var cost: Privacy.Cost
        /// True if the noise was simulated (seeded or absent): the contribution gives no privacy,
        /// and the result built from it says so.
        public var simulated: Bool

        /// Creates a message.
        public init(study: String, round: Int, values: [UInt64], cost: Privacy.Cost, simulated: Bool) {
            self.study = study
            self.round = round
            self.values = values
            self.cost = cost
            self.simulated = simulated
        }

        /// The noise variance per coordinate the cost states (`parameters.sigma_squared`, encoded
        /// units²), or nil when the cost has none (a learning study's composed cost).
        /// - Throws: `invalidContribution` at `cost_json.parameters.sigma_squared` when it is not
        ///   a finite number in [0, 10³⁰).
        public func noiseVariance() throws -> Double? {
            try Self.noiseVariance(of: cost)
        }

        /// Largest `cost_json` accepted from a peer (bytes).
        public static let maximumCostJSONBytes = 16_384
        /// Most RDP orders in a peer's cost curve.
        public static let maximumCostOrders = 256
        /// Most mechanism parameters in a peer's cost.
        public static let maximumCostParameters = 32
        /// Largest ρ or ε (nats) a peer's cost may state.
        public static let maximumCostFigure = 1e6

        /// `cost_json`: the cost's stable JSON form (``CohortPrivacy/Privacy/Cost/jsonString()``).
        /// - Throws: `encoding` at `cost_json`.
        public func costJSON() throws -> Data {
            do { return Data(try cost.jsonString().utf8) } catch {
                throw StudyError(.encoding, key: "cost_json", "cannot encode the cost: \(error)")
            }
        }

        /// Decodes a peer's `cost_json` and checks its figures (``validate(cost:)``). Never traps
        /// on hostile input: a malformed, oversized or out-of-range cost throws
        /// `invalidContribution` naming the key (`cost_json`, `cost_json.rho`, …), since a peer's
        /// cost ends up in the released result and nonsense is refused rather than published.
        public static func decodeCost(json: Data) throws -> Privacy.Cost {
            guard json.count <= maximumCostJSONBytes else {
                throw StudyError(
                    .invalidContribution, key: "cost_json",
                    "is \(json.count) bytes, at most \(maximumCostJSONBytes) are accepted")
            }
            let cost: Privacy.Cost
            do { cost = try JSONDecoder().decode(Privacy.Cost.self, from: json) } catch let error as PrivacyError {
                throw StudyError(.invalidContribution, key: "cost_json", "malformed cost: \(error.message)")
            } catch {
                throw StudyError(.invalidContribution, key: "cost_json", "malformed cost: \(error)")
            }
            try validate(cost: cost)
            return cost
        }

        /// Checks the range of every figure of a contribution's cost: ρ and the pure ε finite in
        /// [0, 10⁶]; at most 256 RDP orders, each finite and ≥ 1, values ≥ 0 (∞ allowed); at most
        /// 32 parameters with names of at most 64 and values of at most 256 characters;
        /// `sigma_squared` a finite number in [0, 10³⁰), `sensitivity_l2` finite and ≥ 0,
        /// `coordinates` an integer in [0, 2²⁴], where present.
        /// - Throws: `invalidContribution` at `cost_json.<key>`.
        public static func validate(cost: Privacy.Cost) throws {
            func refuse(_ key: String, _ message: String) -> StudyError {
                StudyError(.invalidContribution, key: "cost_json.\(key)", message)
            }
            for (key, value) in [("rho", cost.rho), ("epsilon", cost.pureEpsilon)] {
                if let value, !(value.isFinite && value >= 0 && value <= maximumCostFigure) {
                    throw refuse(key, "\(value) is out of range")
                }
            }
            guard cost.rdp.orders.count <= maximumCostOrders else {
                throw refuse("rdp.orders", "has \(cost.rdp.orders.count) orders, at most \(maximumCostOrders) are accepted")
            }
            guard cost.rdp.orders.count == cost.rdp.values.count,
                  cost.rdp.orders.allSatisfy({ $0.isFinite && $0 >= 1 }),
                  cost.rdp.values.allSatisfy({ !$0.isNaN && $0 >= 0 }) else {
                throw refuse("rdp", "is not a valid RDP curve")
            }
            guard cost.parameters.count <= maximumCostParameters else {
                throw refuse("parameters", "has \(cost.parameters.count) entries, at most \(maximumCostParameters) are accepted")
            }
            for (name, value) in cost.parameters where name.count > 64 || value.count > 256 {
                throw refuse("parameters", "entry '\(name.prefix(64))' is longer than 64 (name) or 256 (value) characters")
            }
            _ = try noiseVariance(of: cost)
            if let text = cost.parameters["sensitivity_l2"] {
                guard let value = number(text), value.isFinite, value >= 0 else {
                    throw refuse("parameters.sensitivity_l2", "'\(text)' is not a finite number ≥ 0")
                }
            }
            if let text = cost.parameters["coordinates"] {
                guard let value = Int(text), value >= 0, value <= 1 << 24 else {
                    throw refuse("parameters.coordinates", "'\(text)' is not an integer in [0, 2²⁴]")
                }
            }
        }

        /// `parameters.sigma_squared` of `cost` as a number (decimal or the exact `p/q` form the
        /// privacy module writes), nil when absent.
        static func noiseVariance(of cost: Privacy.Cost) throws -> Double? {
            guard let text = cost.parameters[noiseVarianceKey(of: cost)] else { return nil }
            guard let value = number(text), value.isFinite, value >= 0, value < 1e30 else {
                throw StudyError(
                    .invalidContribution, key: "cost_json.parameters.sigma_squared",
                    "'\(text.prefix(64))' is not a finite number in [0, 10³⁰)")
            }
            return value
        }

        /// The cost parameter stating the variance the sender added: a distributed discrete
        /// Gaussian states the central σ² and each party's share, and the sender added its share
        /// (`local_sigma_squared`); every other cost states its own σ² (`sigma_squared`).
        static func noiseVarianceKey(of cost: Privacy.Cost) -> String {
            cost.mechanism == .distributedDiscreteGaussian ? "local_sigma_squared" : "sigma_squared"
        }

        /// A parameter's value: a decimal (`20.5`, `1e-3`) or an exact fraction (`41/2`).
        private static func number(_ text: String) -> Double? {
            if let value = Double(text) { return value }
            return (try? Privacy.Rational(parsing: text))?.doubleValue
        }
    }
}
