extension Analytics {
    /// Per-column standardization `z = (x − mean) / sd` (population standard deviation).
    ///
    /// Columns with zero (or non-finite) spread get `sd = 1`, so they become constant 0 instead of
    /// NaN. Fitting is O(rows × cols).
    public struct Standardizer: Sendable, Equatable, Codable {
        /// Column means.
        public var means: [Double]
        /// Column standard deviations (1 where a column is constant).
        public var standardDeviations: [Double]

        /// Creates a standardizer from known means and standard deviations.
        public init(means: [Double], standardDeviations: [Double]) throws {
            guard means.count == standardDeviations.count else {
                throw AnalyticsError(.dimensionMismatch,
                                     "Standardizer: \(means.count) means vs \(standardDeviations.count) standard deviations")
            }
            for (j, s) in standardDeviations.enumerated() where !(s > 0 && s.isFinite) {
                throw AnalyticsError(.invalidValue, "Standardizer: standard deviation of column \(j) is \(s), must be > 0")
            }
            self.means = means
            self.standardDeviations = standardDeviations
        }

        private enum CodingKeys: String, CodingKey { case means, standardDeviations }

        /// Decodes and validates (equal lengths, positive standard deviations).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(means: try c.decode([Double].self, forKey: .means),
                          standardDeviations: try c.decode([Double].self, forKey: .standardDeviations))
        }

        /// Fits column means and standard deviations on `matrix`.
        public init(fitting matrix: Matrix) {
            let rows = matrix.rows, cols = matrix.cols
            var sum = [Double](repeating: 0, count: cols)
            var sumSq = [Double](repeating: 0, count: cols)
            matrix.withUnsafeElements { x in
                // Two-pass (mean, then centred squares) for numerical stability.
                for i in 0..<rows { for j in 0..<cols { sum[j] += x[i * cols + j] } }
                let n = Double(max(rows, 1))
                for j in 0..<cols { sum[j] /= n }
                for i in 0..<rows {
                    for j in 0..<cols {
                        let d = x[i * cols + j] - sum[j]
                        sumSq[j] += d * d
                    }
                }
            }
            means = sum
            standardDeviations = sumSq.map { s in
                let sd = (s / Double(max(rows, 1))).squareRoot()
                return sd > 1e-12 && sd.isFinite ? sd : 1
            }
        }

        /// Standardizes `matrix` in place. Throws if its width differs from the fitted width.
        public func transform(_ matrix: inout Matrix) throws {
            let cols = matrix.cols
            guard cols == means.count else {
                throw AnalyticsError(.dimensionMismatch,
                                     "Standardizer: matrix has \(cols) columns, fitted on \(means.count)")
            }
            let rows = matrix.rows
            let inv = standardDeviations.map { 1 / $0 }
            means.withUnsafeBufferPointer { mu in
                inv.withUnsafeBufferPointer { s in
                    matrix.withUnsafeMutableElements { x in
                        for i in 0..<rows {
                            for j in 0..<cols { x[i * cols + j] = (x[i * cols + j] - mu[j]) * s[j] }
                        }
                    }
                }
            }
        }

        /// A standardized copy of `matrix`.
        public func transformed(_ matrix: Matrix) throws -> Matrix {
            var copy = matrix
            try transform(&copy)
            return copy
        }
    }
}
