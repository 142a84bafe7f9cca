extension Synthetic {
    /// The generated rows of one chunk of consecutive customers, as compact columns.
    ///
    /// Customer rows are local (0 ..< count); `firstIndex` is the global index of row 0.
    /// Transactions are sorted by customer, then time; consent events likewise.
    struct ChunkData: Sendable {
        var firstIndex: Int
        var count: Int = 0

        // Customers (missing values: birthYear 0, gender/region 255, nps/csat -1, churnDay nil).
        var signupDay: [Int32] = []
        var birthYear: [Int16] = []
        var gender: [UInt8] = []
        var region: [UInt8] = []
        var primaryChannel: [UInt8] = []
        var nps: [Int8] = []
        var csat: [Int8] = []
        var churnDay: [Int32?] = []
        // Ground truth.
        var segment: [UInt8] = []
        var churnProbability: [Double] = []

        // Transactions.
        var txCustomer: [Int32] = []
        var txTimestamp: [Int64] = []
        var txAmount: [Int64] = []
        var txChannel: [UInt8] = []
        var txCategory: [UInt8] = []

        // Consent events.
        var consentCustomer: [Int32] = []
        var consentPurpose: [UInt8] = []
        var consentWithdraw: [Bool] = []
        var consentAt: [Int64] = []
        var consentMethod: [UInt8] = []
        var consentPolicy: [UInt8] = []

        init(firstIndex: Int, expectedCustomers: Int, expectedTransactions: Int) {
            self.firstIndex = firstIndex
            signupDay.reserveCapacity(expectedCustomers)
            birthYear.reserveCapacity(expectedCustomers)
            gender.reserveCapacity(expectedCustomers)
            region.reserveCapacity(expectedCustomers)
            primaryChannel.reserveCapacity(expectedCustomers)
            nps.reserveCapacity(expectedCustomers)
            csat.reserveCapacity(expectedCustomers)
            churnDay.reserveCapacity(expectedCustomers)
            segment.reserveCapacity(expectedCustomers)
            churnProbability.reserveCapacity(expectedCustomers)
            txCustomer.reserveCapacity(expectedTransactions)
            txTimestamp.reserveCapacity(expectedTransactions)
            txAmount.reserveCapacity(expectedTransactions)
            txChannel.reserveCapacity(expectedTransactions)
            txCategory.reserveCapacity(expectedTransactions)
        }

        /// Gender codes: 0 = F, 1 = M, 2 = X.
        static let genderNames = ["F", "M", "X"]
        /// Consent policy versions: `v1` before the last year of history, `v2` within it.
        static let policyNames = ["v1", "v2"]
    }
}
