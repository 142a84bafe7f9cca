extension Study {
    /// Bound on how much one customer can change a node's contribution vector, in encoded
    /// integer units (neighbouring datasets differ by adding or removing one customer).
    public struct Sensitivity: Sendable, Hashable, Codable {
        /// L1 bound.
        public let l1: Double
        /// L2 bound (calibrates the discrete Gaussian).
        public let l2: Double

        /// Creates a sensitivity.
        public init(l1: Double, l2: Double) {
            self.l1 = l1
            self.l2 = l2
        }

        /// The sensitivity of a study's contribution, known from the spec alone (before any data
        /// is read):
        /// - `histogram`: one customer adds 1 to exactly one cell → L1 = L2 = 1.
        /// - `mean`: one customer adds `e ∈ [0, Q]` to one cell's sum and `Q` to its count
        ///   (``FixedPoint``) → L1 = 2Q, L2 = √(Q² + Q²) = Q·√2.
        /// - learning kinds: 0 here; each round has its own (``LearningAlgorithm/roundNoise(for:)``).
        public static func of(_ spec: Spec) -> Sensitivity {
            switch spec.kind {
            case .histogram:
                return Sensitivity(l1: 1, l2: 1)
            case .mean:
                let q = Double(FixedPoint.resolution)
                return Sensitivity(l1: 2 * q, l2: q * 2.0.squareRoot())
            case .kmeans, .logisticRegression, .quantiles, .evaluation:
                // Per round: see ``LearningAlgorithm/roundNoise(for:)``.
                return Sensitivity(l1: 0, l2: 0)
            }
        }
    }
}
