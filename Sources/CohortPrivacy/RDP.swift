extension Privacy {
    /// Rényi differential privacy: curves `α ↦ ε_α` on a fixed grid of orders, their composition
    /// and their conversion to (ε, δ)-DP.
    public enum RDP {
        /// The order grid of Google dp-accounting's `RdpAccountant` (`DEFAULT_RDP_ORDERS`):
        /// 1.1, 1.2, …, 10.9, then 11 … 63, then 128, 256, 512, 1024 (156 orders).
        public static let defaultOrders: [Double] = {
            var orders: [Double] = []
            for x in 1 ..< 100 { orders.append(1 + Double(x) / 10.0) }
            for a in 11 ..< 64 { orders.append(Double(a)) }
            orders.append(contentsOf: [128, 256, 512, 1024])
            return orders
        }()

        /// A Rényi DP curve: `values[i]` is the RDP ε (in nats) at order `orders[i]`; `+∞` allowed.
        public struct Curve: Sendable, Hashable {
            /// The orders α > 1.
            public let orders: [Double]
            /// RDP ε at each order (nats, ≥ 0, possibly `+∞`).
            public let values: [Double]

            /// Creates a curve; orders and values must have the same count, orders ≥ 1.
            /// - Throws: `invalidParameter`/`nonFiniteParameter` for malformed input.
            public init(orders: [Double] = RDP.defaultOrders, values: [Double]) throws {
                guard orders.count == values.count, !orders.isEmpty else {
                    throw PrivacyError(.dimensionMismatch, "RDP curve has \(orders.count) orders but \(values.count) values")
                }
                for (a, v) in zip(orders, values) {
                    guard a.isFinite, a >= 1 else {
                        throw PrivacyError(.invalidParameter, "RDP order must be finite and ≥ 1, got \(a)")
                    }
                    guard !v.isNaN, v >= 0 else {
                        throw PrivacyError(.invalidParameter, "RDP value at order \(a) must be ≥ 0, got \(v)")
                    }
                }
                self.orders = orders
                self.values = values
            }

            init(unchecked orders: [Double], _ values: [Double]) {
                self.orders = orders
                self.values = values
            }

            /// The zero curve (no privacy loss).
            public static func zero(orders: [Double] = RDP.defaultOrders) -> Curve {
                Curve(unchecked: orders, Array(repeating: 0, count: orders.count))
            }

            /// The curve of a ρ-zCDP mechanism: `ε_α = ρ·α`.
            public static func zcdp(rho: Double, orders: [Double] = RDP.defaultOrders) -> Curve {
                Curve(unchecked: orders, orders.map { rho * $0 })
            }

            /// The curve implied by pure ε-DP: `min(ε, α·ε²/2)` (Bun–Steinke 2016, Prop. 3.3).
            public static func pure(epsilon: Double, orders: [Double] = RDP.defaultOrders) -> Curve {
                Curve(unchecked: orders, orders.map { Swift.min(epsilon, $0 * epsilon * epsilon / 2) })
            }

            /// Composition: the pointwise sum (adaptive composition of RDP).
            /// - Throws: `incompatibleOrders` when the grids differ.
            public func composed(with other: Curve) throws -> Curve {
                guard orders == other.orders else {
                    throw PrivacyError(.incompatibleOrders, "cannot compose RDP curves on different order grids (\(orders.count) vs \(other.orders.count) orders)")
                }
                return Curve(unchecked: orders, zip(values, other.values).map { $0 + $1 })
            }

            /// `k`-fold self-composition.
            public func repeated(_ k: Int) -> Curve {
                Curve(unchecked: orders, values.map { $0 * Double(k) })
            }

            /// The pointwise minimum of two valid bounds for the same mechanism.
            func pointwiseMin(_ other: Curve) -> Curve {
                Curve(unchecked: orders, zip(values, other.values).map { Swift.min($0, $1) })
            }

            /// The smallest ε such that the mechanism is (ε, δ)-DP, and the optimal order.
            ///
            /// Uses the conversion of Canonne–Kamath–Steinke 2020 / Asoodeh et al. 2020
            /// `ε = ε_α + log1p(−1/α) − (log δ + log α)/(α − 1)` for α > 1.01, together with the
            /// KL bound `δ ≥ √(1 − e^{−ε_α})` ⇒ ε = 0 — the same computation as dp-accounting's
            /// `compute_epsilon`.
            /// - Throws: `invalidParameter` for δ ∉ (0, 1).
            public func epsilon(delta: Double) throws -> (epsilon: Double, order: Double) {
                try PrivacyError.requireDelta(delta)
                var best = Double.infinity
                var bestOrder = orders[0]
                for (a, r) in zip(orders, values) {
                    let eps: Double
                    if delta * delta + mathExpm1(-r) > 0 {
                        eps = 0
                    } else if a > 1.01 {
                        eps = r + mathLog1p(-1 / a) - mathLog(delta * a) / (a - 1)
                    } else {
                        eps = .infinity
                    }
                    if eps < best {
                        best = eps
                        bestOrder = a
                    }
                }
                return (Swift.max(0, best), bestOrder)
            }
        }
    }
}
