import Foundation

extension Privacy {
    /// The privacy cost of one release or training run, in every form that applies:
    /// ρ (zCDP, nats) where the mechanism is zCDP, the pure ε for pure-DP mechanisms, and always
    /// a Rényi DP curve on an order grid. ``epsilon(delta:)`` converts to (ε, δ)-DP.
    ///
    /// Stable JSON form (``jsonString()``, keys sorted, version `v: 1`):
    /// ```json
    /// {"epsilon":0.5,"mechanism":"discrete-laplace","parameters":{"scale":"2","sensitivity_l1":"1"},
    ///  "rdp":{"orders":"dp-accounting-default","values":[0.0125,…]},"rho":0.125,"v":1}
    /// ```
    /// `epsilon` and `rho` are omitted when they do not apply; `orders` is the string
    /// `"dp-accounting-default"` for ``RDP/defaultOrders`` and an array of numbers otherwise;
    /// an infinite RDP value is written as `null`.
    public struct Cost: Sendable, Hashable {
        /// Which mechanism incurred the cost.
        public enum Mechanism: String, Sendable, Hashable, Codable, CaseIterable {
            /// Central discrete Gaussian (ρ-zCDP).
            case discreteGaussian = "discrete-gaussian"
            /// Central discrete Laplace (pure ε-DP).
            case discreteLaplace = "discrete-laplace"
            /// Distributed discrete Gaussian inside secure aggregation (KLS 2021).
            case distributedDiscreteGaussian = "distributed-discrete-gaussian"
            /// Poisson-subsampled Gaussian (DP-SGD / DP-FedAvg), RDP only.
            case subsampledGaussian = "subsampled-gaussian"
            /// A composition of several costs.
            case composition
        }

        /// Which mechanism incurred the cost.
        public var mechanism: Mechanism
        /// ρ-zCDP (nats), or `nil` when the mechanism has no useful zCDP bound.
        public var rho: Double?
        /// Pure ε-DP (nats), or `nil` when the mechanism is not pure-DP.
        public var pureEpsilon: Double?
        /// Rényi DP curve (always present).
        public var rdp: RDP.Curve
        /// Human-readable mechanism parameters for audit (e.g. `sigma_squared: "5/2"`).
        public var parameters: [String: String]

        /// Creates a cost. Prefer the mechanism APIs, which compute it for you.
        public init(mechanism: Mechanism, rho: Double?, pureEpsilon: Double?, rdp: RDP.Curve, parameters: [String: String] = [:]) {
            self.mechanism = mechanism
            self.rho = rho
            self.pureEpsilon = pureEpsilon
            self.rdp = rdp
            self.parameters = parameters
        }

        /// The cost of a ρ-zCDP mechanism.
        public static func zcdp(_ mechanism: Mechanism, rho: Double, parameters: [String: String] = [:]) -> Cost {
            Cost(mechanism: mechanism, rho: rho, pureEpsilon: nil, rdp: .zcdp(rho: rho), parameters: parameters)
        }

        /// The cost of a pure ε-DP mechanism (also ε²/2-zCDP, Bun–Steinke Prop. 3.3).
        public static func pure(_ mechanism: Mechanism, epsilon: Double, parameters: [String: String] = [:]) -> Cost {
            Cost(mechanism: mechanism, rho: epsilon * epsilon / 2, pureEpsilon: epsilon, rdp: .pure(epsilon: epsilon), parameters: parameters)
        }

        /// ε such that the cost is (ε, δ)-DP: the best of the RDP conversion, the tight ρ→ε
        /// conversion (if ρ applies) and the pure ε (if it applies).
        /// - Throws: `invalidParameter` for δ ∉ (0, 1).
        public func epsilon(delta: Double) throws -> Double {
            var best = try rdp.epsilon(delta: delta).epsilon
            if let rho { best = Swift.min(best, try ZCDP.epsilon(rho: rho, delta: delta)) }
            if let pureEpsilon { best = Swift.min(best, pureEpsilon) }
            return best
        }

        /// Adaptive composition: ρ's add (if all have one), pure ε's add (if all have one), RDP
        /// curves add pointwise. Never naive ε addition for approximate-DP costs.
        /// - Throws: `incompatibleOrders` when curves are on different grids.
        public static func composition(_ costs: [Cost]) throws -> Cost {
            guard let first = costs.first else { return .zero }
            if costs.count == 1 { return first }
            var curve = first.rdp
            var rho: Double? = first.rho
            var pure: Double? = first.pureEpsilon
            for c in costs.dropFirst() {
                curve = try curve.composed(with: c.rdp)
                rho = rho.flatMap { r in c.rho.map { r + $0 } }
                pure = pure.flatMap { e in c.pureEpsilon.map { e + $0 } }
            }
            return Cost(mechanism: .composition, rho: rho, pureEpsilon: pure, rdp: curve, parameters: ["count": String(costs.count)])
        }

        /// No privacy loss.
        public static let zero = Cost(mechanism: .composition, rho: 0, pureEpsilon: 0, rdp: .zero(), parameters: ["count": "0"])

        /// The stable JSON form (sorted keys, no whitespace).
        public func jsonString() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(self)
            return String(decoding: data, as: UTF8.self)
        }

        /// Decodes the JSON form written by ``jsonString()``.
        /// - Throws: `invalidEncoding` with the decoder's reason.
        public init(jsonString: String) throws {
            do {
                self = try JSONDecoder().decode(Cost.self, from: Data(jsonString.utf8))
            } catch let error as PrivacyError {
                throw error
            } catch {
                throw PrivacyError(.invalidEncoding, "privacy cost JSON could not be decoded: \(error)")
            }
        }
    }
}

extension Privacy.Cost: Codable {
    private enum Keys: String, CodingKey {
        case v, mechanism, rho, epsilon, rdp, parameters
    }

    private enum CurveKeys: String, CodingKey {
        case orders, values
    }

    static let defaultOrdersName = "dp-accounting-default"

    /// Encodes the stable JSON form (see the type's documentation).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(1, forKey: .v)
        try c.encode(mechanism, forKey: .mechanism)
        try c.encodeIfPresent(rho, forKey: .rho)
        try c.encodeIfPresent(pureEpsilon, forKey: .epsilon)
        try c.encode(parameters, forKey: .parameters)
        var r = c.nestedContainer(keyedBy: CurveKeys.self, forKey: .rdp)
        if rdp.orders == Privacy.RDP.defaultOrders {
            try r.encode(Self.defaultOrdersName, forKey: .orders)
        } else {
            try r.encode(rdp.orders, forKey: .orders)
        }
        try r.encode(rdp.values.map { $0.isInfinite ? nil : $0 }, forKey: .values)
    }

    /// Decodes the stable JSON form; validates values (ρ, ε ≥ 0 and finite; curve well formed).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let version = try c.decode(Int.self, forKey: .v)
        guard version == 1 else {
            throw PrivacyError(.invalidEncoding, "unsupported privacy cost version \(version)")
        }
        let mechanism = try c.decode(Mechanism.self, forKey: .mechanism)
        let rho = try c.decodeIfPresent(Double.self, forKey: .rho)
        let eps = try c.decodeIfPresent(Double.self, forKey: .epsilon)
        for (name, value) in [("rho", rho), ("epsilon", eps)] {
            if let value, !(value.isFinite && value >= 0) {
                throw PrivacyError(.invalidEncoding, "privacy cost \(name) must be finite and ≥ 0, got \(value)")
            }
        }
        let parameters = try c.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:]
        let r = try c.nestedContainer(keyedBy: CurveKeys.self, forKey: .rdp)
        let orders: [Double]
        if let name = try? r.decode(String.self, forKey: .orders) {
            guard name == Self.defaultOrdersName else {
                throw PrivacyError(.invalidEncoding, "unknown RDP order grid '\(name)'")
            }
            orders = Privacy.RDP.defaultOrders
        } else {
            orders = try r.decode([Double].self, forKey: .orders)
        }
        let values = try r.decode([Double?].self, forKey: .values).map { $0 ?? .infinity }
        let curve: Privacy.RDP.Curve
        do {
            curve = try Privacy.RDP.Curve(orders: orders, values: values)
        } catch let error as PrivacyError {
            throw PrivacyError(.invalidEncoding, "privacy cost RDP curve is malformed: \(error.message)")
        }
        self.init(mechanism: mechanism, rho: rho, pureEpsilon: eps, rdp: curve, parameters: parameters)
    }
}
