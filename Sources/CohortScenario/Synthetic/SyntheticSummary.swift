public import Foundation

extension Synthetic {
    /// What ``Generator/write(to:)`` wrote.
    public struct Summary: Sendable, Equatable {
        /// The profile generated.
        public var profile: Profile
        /// Path of `customers.csv`.
        public var customersFile: URL
        /// Path of `transactions.csv`.
        public var transactionsFile: URL
        /// Path of `consent.csv`.
        public var consentFile: URL
        /// Path of `ground_truth.csv` (evaluation only; never import it).
        public var groundTruthFile: URL
        /// Rows written to `customers.csv` (and `ground_truth.csv`).
        public var customerCount: Int
        /// Rows written to `transactions.csv`.
        public var transactionCount: Int
        /// Rows written to `consent.csv`.
        public var consentEventCount: Int
        /// Customers with `churned = 1`.
        public var churnedCount: Int
        /// First day of the transaction history.
        public var historyStart: CalendarDay
        /// First day of the churn observation window.
        public var observationStart: CalendarDay
        /// The as-of date (last day of history).
        public var asOf: CalendarDay
    }
}
