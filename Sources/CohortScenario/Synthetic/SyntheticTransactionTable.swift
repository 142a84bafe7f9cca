extension Synthetic {
    /// Generated transactions as struct-of-arrays, sorted by customer row, then time.
    ///
    /// Same columns and units as `Analytics.TransactionTable`: seconds since 1970-01-01 UTC,
    /// integer cents (negative = refund), dictionary-coded channel and category.
    public struct TransactionTable: Sendable, Equatable {
        /// Customer row index (into ``CustomerTable``) of each transaction.
        public var customer: [Int32] = []
        /// Time in seconds since 1970-01-01 UTC.
        public var timestamp: [Int64] = []
        /// Amount in minor currency units (cents); negative for refunds and credits.
        public var amountMinor: [Int64] = []
        /// Channel code (index into ``channelNames``).
        public var channel: [UInt16] = []
        /// Category code (index into ``categoryNames``).
        public var category: [UInt16] = []
        /// Channel names by code.
        public var channelNames: [String] = []
        /// Category names by code.
        public var categoryNames: [String] = []
        /// ISO 4217 currency of every amount.
        public var currency: String = ""

        /// Number of transactions.
        public var count: Int { customer.count }

        /// Creates an empty table.
        public init() {}
    }
}
