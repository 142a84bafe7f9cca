extension Audit {
    /// What a `study.proposed` entry records as agreed: the spec's digest and its terms.
    public struct StudyTerms: Sendable, Hashable {
        /// SHA-256 hex of the spec's canonical JSON.
        public var specSHA256: String
        /// The study kind.
        public var kind: String
        /// ε of the study.
        public var epsilon: Double
        /// δ of the study.
        public var delta: Double
        /// The as-of date, `YYYY-MM-DD`.
        public var asOf: String
        /// The dimensions, in spec order.
        public var dimensions: [String]
        /// The lead first, then the participants.
        public var parties: [String]

        /// Creates the terms.
        public init(
            specSHA256: String, kind: String, epsilon: Double, delta: Double, asOf: String, dimensions: [String],
            parties: [String]
        ) {
            self.specSHA256 = specSHA256
            self.kind = kind
            self.epsilon = epsilon
            self.delta = delta
            self.asOf = asOf
            self.dimensions = dimensions
            self.parties = parties
        }
    }
}
