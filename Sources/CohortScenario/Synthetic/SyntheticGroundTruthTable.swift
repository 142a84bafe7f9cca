extension Synthetic {
    /// The latent truth behind generated customers (for evaluating studies; never imported).
    public struct GroundTruthTable: Sendable, Equatable {
        /// Planted segment code of each customer row (index into ``segmentNames``).
        public var segment: [UInt8] = []
        /// Segment names by code.
        public var segmentNames: [String] = []
        /// True probability of churning within the observation window.
        public var churnProbability: [Double] = []
        /// Realized churn label (same as the customer table's `churned`).
        public var churned: [Bool] = []

        /// Number of customers.
        public var count: Int { segment.count }

        /// Creates an empty table.
        public init() {}
    }
}
