extension Synthetic {
    /// A whole generated partner dataset in memory (what the CSV files contain, row for row).
    public struct Dataset: Sendable, Equatable {
        /// The profile generated.
        public var profile: Profile
        /// The as-of date (last day of history).
        public var asOf: CalendarDay
        /// First day of the transaction history.
        public var historyStart: CalendarDay
        /// First day of the churn observation window.
        public var observationStart: CalendarDay
        /// Customers (`customers.csv`).
        public var customers: CustomerTable
        /// Transactions (`transactions.csv`).
        public var transactions: TransactionTable
        /// Consent events (`consent.csv`).
        public var consent: ConsentTable
        /// Latent segments and churn probabilities (`ground_truth.csv`).
        public var groundTruth: GroundTruthTable
    }
}
