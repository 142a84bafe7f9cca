extension Analytics {
    /// Sums and counts of a numeric value per category cell — the local input of a federated
    /// `mean` study (churn rate, NPS, CLV by segment). Values are optional: `nil` rows are skipped.
    public struct GroupedSums: Sendable, Equatable, Codable {
        /// Sum of values per cell.
        public private(set) var sums: [Double]
        /// Number of (non-nil) values per cell.
        public private(set) var counts: [Int]

        /// Wraps known (e.g. aggregated) sums and counts; throws on unequal lengths.
        public init(sums: [Double], counts: [Int]) throws {
            guard sums.count == counts.count else {
                throw AnalyticsError(.dimensionMismatch, "GroupedSums: \(sums.count) sums vs \(counts.count) counts")
            }
            self.sums = sums
            self.counts = counts
        }

        /// Groups `values[i]` by `codes[i]` into `binCount` cells. O(n).
        public init(codes: [UInt8], values: [Double?], binCount: Int) throws {
            guard codes.count == values.count else {
                throw AnalyticsError(.dimensionMismatch, "GroupedSums: \(codes.count) codes vs \(values.count) values")
            }
            guard binCount > 0 else {
                throw AnalyticsError(.invalidParameter, "GroupedSums: binCount \(binCount) must be > 0")
            }
            var sums = [Double](repeating: 0, count: binCount)
            var counts = [Int](repeating: 0, count: binCount)
            for i in codes.indices {
                let c = Int(codes[i])
                guard c < binCount else {
                    throw AnalyticsError(.invalidValue, "GroupedSums: code \(c) at row \(i) is ≥ binCount \(binCount)")
                }
                guard let v = values[i] else { continue }
                sums[c] += v
                counts[c] += 1
            }
            self.sums = sums
            self.counts = counts
        }

        /// Mean per cell (`nil` for empty cells).
        public var means: [Double?] {
            zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : nil }
        }
    }
}
