extension Analytics {
    /// A two-way contingency table (cross-tab) of two categorical code columns.
    public struct CrossTab: Sendable, Equatable, Codable {
        /// Number of row categories.
        public private(set) var rows: Int
        /// Number of column categories.
        public private(set) var cols: Int
        /// Counts, row-major: `counts[r * cols + c]`.
        public private(set) var counts: [Int]

        /// Cross-tabulates `rowCodes[i]` × `colCodes[i]`. O(n). Throws on unequal lengths or codes
        /// out of range (naming the row).
        public init(rowCodes: [UInt8], rows: Int, colCodes: [UInt8], cols: Int) throws {
            guard rowCodes.count == colCodes.count else {
                throw AnalyticsError(.dimensionMismatch, "CrossTab: \(rowCodes.count) row codes vs \(colCodes.count) column codes")
            }
            guard rows > 0, cols > 0 else {
                throw AnalyticsError(.invalidParameter, "CrossTab: need rows > 0 and cols > 0, got \(rows)×\(cols)")
            }
            var counts = [Int](repeating: 0, count: rows * cols)
            for i in rowCodes.indices {
                let r = Int(rowCodes[i]), c = Int(colCodes[i])
                guard r < rows, c < cols else {
                    throw AnalyticsError(.invalidValue, "CrossTab: codes (\(r), \(c)) at row \(i) outside \(rows)×\(cols)")
                }
                counts[r * cols + c] += 1
            }
            self.rows = rows
            self.cols = cols
            self.counts = counts
        }

        private enum CodingKeys: String, CodingKey { case rows, cols, counts }

        /// Decodes and validates that `counts` has `rows × cols` cells.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(rows: try c.decode(Int.self, forKey: .rows), cols: try c.decode(Int.self, forKey: .cols),
                          counts: try c.decode([Int].self, forKey: .counts))
        }

        /// Wraps known (e.g. aggregated) row-major counts; throws unless there are `rows × cols`.
        public init(rows: Int, cols: Int, counts: [Int]) throws {
            guard rows > 0, cols > 0, counts.count == rows * cols else {
                throw AnalyticsError(.dimensionMismatch, "CrossTab: \(counts.count) counts for \(rows)×\(cols) cells")
            }
            self.rows = rows
            self.cols = cols
            self.counts = counts
        }

        /// Count of cell (`r`, `c`).
        public subscript(r: Int, c: Int) -> Int { counts[r * cols + c] }

        /// Totals per row category.
        public var rowTotals: [Int] { (0..<rows).map { r in (0..<cols).reduce(0) { $0 + counts[r * cols + $1] } } }

        /// Totals per column category.
        public var colTotals: [Int] { (0..<cols).map { c in (0..<rows).reduce(0) { $0 + counts[$1 * cols + c] } } }
    }
}
