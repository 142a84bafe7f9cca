import CohortAnalytics

extension Learning {
    /// A churn model over a consortium feature space: `P(churn) = σ(w · x + b)` with `x` the
    /// customer's encoded vector (``FeatureSpace``, half-width 1).
    public struct LogisticModel: Sendable, Hashable, Codable {
        /// The feature space.
        public var space: FeatureSpace
        /// One weight per column of ``space`` (``FeatureSpace/columnNames``).
        public var weights: [Double]
        /// The intercept b.
        public var intercept: Double

        /// Creates a model. - Throws: `dimensionMismatch` unless there is one finite weight per
        /// column and the intercept is finite.
        public init(space: FeatureSpace, weights: [Double], intercept: Double) throws {
            guard weights.count == space.dimension, weights.allSatisfy(\.isFinite), intercept.isFinite else {
                throw LearningError(.dimensionMismatch, "LogisticModel: \(weights.count) weights for \(space.dimension) columns (all must be finite, intercept \(intercept))")
            }
            self.space = space
            self.weights = weights
            self.intercept = intercept
        }

        private enum CodingKeys: String, CodingKey { case space, weights, intercept }

        /// Decodes and validates (one finite weight per column).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(space: try c.decode(FeatureSpace.self, forKey: .space), weights: try c.decode([Double].self, forKey: .weights),
                          intercept: try c.decode(Double.self, forKey: .intercept))
        }

        /// `(column name, weight)` pairs.
        public var coefficients: [(name: String, weight: Double)] {
            Array(zip(space.columnNames, weights)).map { (name: $0.0, weight: $0.1) }
        }

        /// Churn probability of customer `i`. O(d).
        public func probability(_ customers: Customers, row i: Int) -> Double {
            let d = space.dimension
            var x = [Double](repeating: 0, count: d)
            return x.withUnsafeMutableBufferPointer { xb in
                space.encode(customers, i, into: xb.baseAddress!)
                var z = intercept
                for j in 0..<d { z += weights[j] * xb[j] }
                return Analytics.Math.sigmoid(z)
            }
        }

        /// Churn probabilities of the given rows (default all). O(rows · d).
        public func probabilities(_ customers: Customers, rows: [Int]? = nil) -> [Double] {
            (rows ?? Array(0..<customers.count)).map { probability(customers, row: $0) }
        }
    }
}
