extension Synthetic {
    /// Generated customers as struct-of-arrays (row `i` of every column is one customer).
    ///
    /// Same columns and units as `Analytics.CustomerTable` (days since 1970-01-01 UTC), so a
    /// scenario can use generated data without going through CSV.
    public struct CustomerTable: Sendable, Equatable {
        /// Customer ids (prefix + zero-padded number).
        public var ids: [String] = []
        /// Signup date in days since 1970-01-01.
        public var signupDay: [Int32] = []
        /// Birth year, `nil` for the ~5 % unknown.
        public var birthYear: [Int16?] = []
        /// `F`, `M`, `X`, or `nil` when unknown.
        public var gender: [String?] = []
        /// Region name, `nil` for the ~1 % unknown.
        public var region: [String?] = []
        /// Primary channel recorded for the customer.
        public var primaryChannel: [String?] = []
        /// NPS answer 0–10 for ~30 % of customers.
        public var nps: [Int8?] = []
        /// CSAT answer 1–5 for ~30 % of customers.
        public var csat: [Int8?] = []
        /// Churned within the observation window (always set).
        public var churned: [Bool?] = []
        /// Churn day in days since 1970-01-01 when churned.
        public var churnDay: [Int32?] = []

        /// Number of customers.
        public var count: Int { ids.count }

        /// Creates an empty table.
        public init() {}
    }
}
