extension Study {
    /// What the driver reports to the lead's machine after securely aggregating one round.
    public struct SecureRound: Sendable, Hashable {
        /// The round aggregated.
        public var round: Int
        /// Every survivor's message, the lead's own included, keyed by node. Their values are
        /// masked (uniform to the lead); only their costs and noise flags are read.
        public var messages: [String: ContributionMessage]
        /// The unmasked sum of the survivors' noised vectors, mod 2⁶⁴.
        public var sum: [UInt64]
        /// Parties that shared their keys but sent no masked input; their masks were removed
        /// and their contributions are not in the sum.
        public var dropouts: [String]

        /// Creates a report.
        public init(round: Int, messages: [String: ContributionMessage], sum: [UInt64], dropouts: [String]) {
            self.round = round
            self.messages = messages
            self.sum = sum
            self.dropouts = dropouts
        }
    }
}
