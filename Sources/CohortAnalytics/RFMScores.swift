extension Analytics {
    /// RFM scores 1–5 for recency (R), frequency (F) and monetary (M).
    ///
    /// Two ways to score:
    /// - **Population quintiles** (``quintileScores(_:higherIsBetter:)``): a customer's score
    ///   depends on its value alone, never on row order. With `w` = the number of customers whose
    ///   value is strictly *worse* (R: a strictly larger recency; F, M: a strictly smaller value)
    ///   among `n`, the score is `1 + ⌊5w / n⌋` — the rank of the first occurrence of the value
    ///   (pandas `rank(method="min")` − 1) cut into fifths. Equal values get equal scores, so a
    ///   score can hold more than n/5 customers when many are tied (e.g. every customer with no
    ///   purchase in the window has F score 1), and scores are monotone in the value. Without ties
    ///   every score holds ⌊n/5⌋ or ⌈n/5⌉ customers. Customers who never purchased are ranked as
    ///   the least recent of all (R score 1), see ``Features``.
    /// - **Fixed cut points** (``score(_:cuts:higherIsBetter:)``), e.g. from a DP release or a study
    ///   spec: with ascending cuts `c₁ ≤ c₂ ≤ c₃ ≤ c₄`, let `k = #{i : cᵢ < v}`; then F and M score
    ///   `1 + k` and R scores `5 − k` (a value equal to a cut falls in the lower bin).
    public enum RFM {
        /// Four ascending cut points per dimension (R in days, F in purchases, M in cents).
        public struct CutPoints: Sendable, Hashable, Codable {
            /// Recency cuts (days).
            public var recency: [Double]
            /// Frequency cuts (purchases).
            public var frequency: [Double]
            /// Monetary cuts (cents).
            public var monetary: [Double]

            /// Creates cut points; throws unless each dimension has 4 finite ascending values.
            public init(recency: [Double], frequency: [Double], monetary: [Double]) throws {
                for (name, cuts) in [("recency", recency), ("frequency", frequency), ("monetary", monetary)] {
                    try RFM.validate(cuts, name: name)
                }
                self.recency = recency
                self.frequency = frequency
                self.monetary = monetary
            }

            private enum CodingKeys: String, CodingKey { case recency, frequency, monetary }

            /// Decodes and validates (4 finite ascending values per dimension).
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try self.init(recency: try c.decode([Double].self, forKey: .recency),
                              frequency: try c.decode([Double].self, forKey: .frequency),
                              monetary: try c.decode([Double].self, forKey: .monetary))
            }

            /// Exact population quintile cut points (20/40/60/80 % quantiles, linear interpolation,
            /// see ``Quantiles/exact(_:probabilities:)``) of each dimension. O(n log n).
            public static func quintiles(recency: [Int32], frequency: [Int32], monetary: [Int64]) -> CutPoints {
                fromSorted(recency: recency.sorted().map(Double.init), frequency: frequency.sorted().map(Double.init),
                           monetary: monetary.sorted().map(Double.init))
            }

            /// Quintile cut points from already ascending-sorted values.
            static func fromSorted(recency: [Double], frequency: [Double], monetary: [Double]) -> CutPoints {
                let p = [0.2, 0.4, 0.6, 0.8]
                func q(_ sorted: [Double]) -> [Double] {
                    sorted.isEmpty ? [0, 0, 0, 0] : p.map { Quantiles.type7(sorted: sorted, $0) }
                }
                return CutPoints(uncheckedRecency: q(recency), frequency: q(frequency), monetary: q(monetary))
            }

            init(uncheckedRecency recency: [Double], frequency: [Double], monetary: [Double]) {
                self.recency = recency
                self.frequency = frequency
                self.monetary = monetary
            }
        }

        static func validate(_ cuts: [Double], name: String) throws {
            guard cuts.count == 4 else {
                throw AnalyticsError(.invalidCutPoints, "RFM cut points for \(name): need 4 values, got \(cuts.count)")
            }
            for (i, c) in cuts.enumerated() {
                guard c.isFinite else {
                    throw AnalyticsError(.invalidCutPoints, "RFM cut points for \(name): value \(i) is not finite")
                }
                if i > 0 && cuts[i - 1] > c {
                    throw AnalyticsError(.invalidCutPoints,
                                         "RFM cut points for \(name): not ascending at index \(i) (\(cuts[i - 1]) > \(c))")
                }
            }
        }

        /// The score 1–5 of `value` under 4 ascending `cuts` (see the type documentation).
        @inlinable
        public static func score(_ value: Double, cuts: [Double], higherIsBetter: Bool) -> UInt8 {
            var k: UInt8 = 0
            for c in cuts where c < value { k += 1 }
            k = min(k, 4)
            return higherIsBetter ? 1 + k : 5 - k
        }

        /// Scores every value against fixed cut points. O(n).
        public static func scores(_ values: [Int64], cuts: [Double], higherIsBetter: Bool) throws -> [UInt8] {
            try validate(cuts, name: "scores")
            return values.map { score(Double($0), cuts: cuts, higherIsBetter: higherIsBetter) }
        }

        /// Rank-based quintile scores 1–5 of `values` (see the type documentation: equal values,
        /// equal score; the order of the values does not matter); `higherIsBetter` is false for
        /// recency. O(n) with a radix sort for spans below 2³⁹, else O(n log n).
        public static func quintileScores(_ values: [Int64], higherIsBetter: Bool) -> [UInt8] {
            quintileScores(rankOrder: rankOrder(values, higherIsBetter: higherIsBetter), values: values)
        }

        /// Scores from a rank order of `values` (row indices, worst first): the customer at
        /// 0-based position `p` whose tied run of equal values starts at position `w` (the number
        /// of strictly worse customers) scores `1 + ⌊5w / n⌋`. O(n).
        static func quintileScores(rankOrder order: [Int32], values: [Int64]) -> [UInt8] {
            let n = order.count
            guard n > 0 else { return [] }
            precondition(values.count == n, "rank order and values differ in length")
            var scores = [UInt8](repeating: 0, count: n)
            scores.withUnsafeMutableBufferPointer { out in
                order.withUnsafeBufferPointer { ord in
                    values.withUnsafeBufferPointer { v in
                        var runStart = 0
                        var runValue = v[Int(ord[0])]
                        for p in 0..<n {
                            let i = Int(ord[p])
                            if v[i] != runValue {
                                runStart = p
                                runValue = v[i]
                            }
                            out[i] = UInt8(1 + 5 * runStart / n)
                        }
                    }
                }
            }
            return scores
        }

        /// Row indices in ascending "goodness" order (equal values in row order; scores never depend
        /// on that order, see ``quintileScores(rankOrder:values:)``).
        static func rankOrder(_ values: [Int64], higherIsBetter: Bool) -> [Int32] {
            let n = values.count
            guard let lo = values.min(), let hi = values.max() else { return [] }
            // Goodness g = v − lo (higher better) or hi − v (lower better), both ≥ 0.
            let (span, overflow) = hi.subtractingReportingOverflow(lo)
            if !overflow && span < (1 << 39) && n < (1 << 24) {
                var keys = [UInt64](repeating: 0, count: n)
                values.withUnsafeBufferPointer { v in
                    keys.withUnsafeMutableBufferPointer { k in
                        for i in 0..<n {
                            let g = higherIsBetter ? v[i] - lo : hi - v[i]
                            k[i] = UInt64(g) << 24 | UInt64(i)
                        }
                    }
                }
                RadixSort.sort(&keys)
                return keys.map { Int32(truncatingIfNeeded: $0 & 0xFF_FFFF) }
            }
            var order = (0..<n).map { Int32($0) }
            values.withUnsafeBufferPointer { v in
                order.sort { a, b in
                    let va = v[Int(a)], vb = v[Int(b)]
                    if va != vb { return higherIsBetter ? va < vb : va > vb }
                    return a < b
                }
            }
            return order
        }
    }
}
