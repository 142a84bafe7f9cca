extension Learning {
    /// Solves `A x = b` for a symmetric positive-definite `A` by Cholesky decomposition (pivots
    /// that are not positive are floored at 1e-12, so a noised, nearly singular matrix still
    /// yields a finite answer). O(p³).
    public enum CholeskySolver {
        /// `A⁻¹ b` for row-major `a` (`p × p`) and `b` (`p`).
        /// - Throws: `dimensionMismatch` for inconsistent sizes.
        public static func solve(_ a: [Double], _ b: [Double]) throws -> [Double] {
            let p = b.count
            guard a.count == p * p else {
                throw LearningError(.dimensionMismatch, "CholeskySolver: matrix has \(a.count) entries for a vector of \(p)")
            }
            var l = [Double](repeating: 0, count: p * p)
            for i in 0..<p {
                for j in 0...i {
                    var s = a[i * p + j]
                    for k in 0..<j { s -= l[i * p + k] * l[j * p + k] }
                    if i == j { l[i * p + i] = max(s, 1e-12).squareRoot() } else { l[i * p + j] = s / l[j * p + j] }
                }
            }
            var y = [Double](repeating: 0, count: p)
            for i in 0..<p {
                var s = b[i]
                for k in 0..<i { s -= l[i * p + k] * y[k] }
                y[i] = s / l[i * p + i]
            }
            var x = [Double](repeating: 0, count: p)
            for i in stride(from: p - 1, through: 0, by: -1) {
                var s = y[i]
                for k in (i + 1)..<p { s -= l[k * p + i] * x[k] }
                x[i] = s / l[i * p + i]
            }
            return x
        }
    }
}
