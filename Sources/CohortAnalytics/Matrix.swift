extension Analytics {
    /// A dense row-major matrix of `Double`: element `(r, c)` is `storage[r * cols + c]`.
    ///
    /// One contiguous array, so hot loops (Lloyd steps, gradients) walk rows without per-row
    /// allocation. Rows are observations, columns are features.
    public struct Matrix: Sendable, Equatable, Codable {
        /// Number of rows (observations).
        public private(set) var rows: Int
        /// Number of columns (features).
        public private(set) var cols: Int
        /// Row-major elements, `rows * cols` of them.
        public private(set) var storage: [Double]

        /// A `rows × cols` matrix filled with `value`.
        public init(rows: Int, cols: Int, repeating value: Double = 0) {
            precondition(rows >= 0 && cols >= 0, "Matrix dimensions must be non-negative")
            self.rows = rows
            self.cols = cols
            self.storage = [Double](repeating: value, count: rows * cols)
        }

        /// Wraps row-major `storage`; throws if its length is not `rows * cols`.
        public init(rows: Int, cols: Int, storage: [Double]) throws {
            guard rows >= 0, cols >= 0 else {
                throw AnalyticsError(.invalidParameter, "Matrix: negative dimensions \(rows)×\(cols)")
            }
            guard storage.count == rows * cols else {
                throw AnalyticsError(
                    .dimensionMismatch,
                    "Matrix: storage has \(storage.count) elements, expected \(rows)×\(cols) = \(rows * cols)")
            }
            self.rows = rows
            self.cols = cols
            self.storage = storage
        }

        /// Builds a matrix from an array of equally long rows (convenient for small tests).
        public init(rowArrays: [[Double]]) throws {
            let cols = rowArrays.first?.count ?? 0
            for (i, row) in rowArrays.enumerated() where row.count != cols {
                throw AnalyticsError(.dimensionMismatch, "Matrix: row \(i) has \(row.count) columns, expected \(cols)")
            }
            try self.init(rows: rowArrays.count, cols: cols, storage: rowArrays.flatMap { $0 })
        }

        /// Builds a matrix whose columns are the given equally long arrays. O(rows × cols).
        public init(columns: [[Double]]) throws {
            let rows = columns.first?.count ?? 0
            for (j, column) in columns.enumerated() where column.count != rows {
                throw AnalyticsError(.dimensionMismatch, "Matrix: column \(j) has \(column.count) rows, expected \(rows)")
            }
            self.init(rows: rows, cols: columns.count)
            let cols = columns.count
            storage.withUnsafeMutableBufferPointer { out in
                for (j, column) in columns.enumerated() {
                    column.withUnsafeBufferPointer { src in
                        for i in 0..<rows { out[i * cols + j] = src[i] }
                    }
                }
            }
        }

        private enum CodingKeys: String, CodingKey { case rows, cols, storage }

        /// Decodes and validates that `storage` has `rows × cols` elements.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(rows: try c.decode(Int.self, forKey: .rows), cols: try c.decode(Int.self, forKey: .cols),
                          storage: try c.decode([Double].self, forKey: .storage))
        }

        /// Element at row `r`, column `c` (bounds-checked).
        public subscript(r: Int, c: Int) -> Double {
            get {
                precondition(r >= 0 && r < rows && c >= 0 && c < cols, "Matrix index out of range")
                return storage[r * cols + c]
            }
            set {
                precondition(r >= 0 && r < rows && c >= 0 && c < cols, "Matrix index out of range")
                storage[r * cols + c] = newValue
            }
        }

        /// A copy of row `r`. O(cols).
        public func row(_ r: Int) -> [Double] {
            Array(storage[(r * cols)..<((r + 1) * cols)])
        }

        /// A copy of column `c`. O(rows).
        public func column(_ c: Int) -> [Double] {
            precondition(c >= 0 && c < cols, "Matrix column out of range")
            return storage.withUnsafeBufferPointer { s in (0..<rows).map { s[$0 * cols + c] } }
        }

        /// The matrix made of the given rows, in the given order. O(indices × cols).
        public func selectingRows(_ indices: [Int]) -> Matrix {
            var out = Matrix(rows: indices.count, cols: cols)
            let cols = self.cols
            storage.withUnsafeBufferPointer { src in
                out.storage.withUnsafeMutableBufferPointer { dst in
                    for (i, r) in indices.enumerated() {
                        for c in 0..<cols { dst[i * cols + c] = src[r * cols + c] }
                    }
                }
            }
            return out
        }

        /// Read access to the contiguous row-major elements for hot loops.
        public func withUnsafeElements<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
            try storage.withUnsafeBufferPointer(body)
        }

        /// Write access to the contiguous row-major elements for hot loops.
        public mutating func withUnsafeMutableElements<R>(
            _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
        ) rethrows -> R {
            try storage.withUnsafeMutableBufferPointer(body)
        }
    }
}
