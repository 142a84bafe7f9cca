extension Analytics {
    /// Value tier by monetary value (net spend in the window, cents).
    ///
    /// With cut points `(mid, high)`: **high** if monetary ≥ `high`, **mid** if ≥ `mid`, else
    /// **basic**; a customer with monetary 0 is always basic. Population cut points
    /// (``CutPoints/population(monetary:)``) target top 20 % high, next 30 % mid, rest basic.
    public enum ValueTier: UInt8, Category {
        /// Top tier.
        case high = 0
        /// Middle tier.
        case mid = 1
        /// Everyone else (including customers who spent nothing).
        case basic = 2

        /// Display name.
        public var name: String {
            switch self {
            case .high: "High"
            case .mid: "Mid"
            case .basic: "Basic"
            }
        }

        /// Stable slug.
        public var slug: String {
            switch self {
            case .high: "high"
            case .mid: "mid"
            case .basic: "basic"
            }
        }

        /// Monetary thresholds in cents (`mid ≤ high`).
        public struct CutPoints: Sendable, Equatable, Codable {
            /// Minimum monetary (cents) of the mid tier.
            public var mid: Int64
            /// Minimum monetary (cents) of the high tier.
            public var high: Int64

            /// Creates cut points; throws unless `0 ≤ mid ≤ high`.
            public init(mid: Int64, high: Int64) throws {
                guard mid >= 0, mid <= high else {
                    throw AnalyticsError(.invalidCutPoints, "ValueTier.CutPoints: need 0 ≤ mid (\(mid)) ≤ high (\(high))")
                }
                self.mid = mid
                self.high = high
            }

            private enum CodingKeys: String, CodingKey { case mid, high }

            /// Decodes and validates `0 ≤ mid ≤ high`.
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try self.init(mid: try c.decode(Int64.self, forKey: .mid), high: try c.decode(Int64.self, forKey: .high))
            }

            /// Population cut points: `high` = the value at the 80th percentile position and `mid`
            /// = the value at the 50th percentile position of the sorted monetary values, i.e. with
            /// ascending values `v`, `high = v[⌊0.8·n⌋]` and `mid = v[⌊0.5·n⌋]` (so the top 20 % /
            /// next 30 % when there are no ties; ties go to the higher tier). Both are raised to at
            /// least 1 cent. O(n log n).
            public static func population(monetary: [Int64]) -> CutPoints {
                population(sortedMonetary: monetary.sorted())
            }

            /// Population cut points from ascending-sorted monetary values. O(1).
            static func population(sortedMonetary sorted: [Int64]) -> CutPoints {
                guard !sorted.isEmpty else { return CutPoints(uncheckedMid: 1, high: 1) }
                let n = sorted.count
                let high = max(1, sorted[min(n - 1, n * 8 / 10)])
                let mid = max(1, min(high, sorted[min(n - 1, n / 2)]))
                return CutPoints(uncheckedMid: mid, high: high)
            }

            init(uncheckedMid mid: Int64, high: Int64) {
                self.mid = mid
                self.high = high
            }
        }

        /// The tier of `monetary` (cents) under `cutPoints`.
        @inlinable
        public init(monetary: Int64, cutPoints: CutPoints) {
            if monetary <= 0 { self = .basic } else if monetary >= cutPoints.high { self = .high } else if monetary >= cutPoints.mid {
                self = .mid
            } else { self = .basic }
        }
    }
}
