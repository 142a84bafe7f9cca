/// Namespace for the pure customer-analytics core (no I/O).
public enum Analytics {}

extension Analytics {
    /// Customers of one node as struct-of-arrays. Row `i` of every array is the same customer.
    ///
    /// Days are counted from 1970-01-01 UTC. Optional attributes use `nil` when unknown.
    public struct CustomerTable: Sendable, Equatable {
        /// The partner's customer id.
        public var ids: [String]
        /// Signup date, in days since 1970-01-01 (UTC).
        public var signupDay: [Int32]
        /// Birth year, if known.
        public var birthYear: [Int16?]
        /// Gender as given by the partner, if known.
        public var gender: [String?]
        /// Region, if known.
        public var region: [String?]
        /// Primary channel as recorded by the partner, if known.
        public var primaryChannel: [String?]
        /// Net Promoter Score answer 0–10, if the customer answered.
        public var nps: [Int8?]
        /// Customer satisfaction 1–5, if answered.
        public var csat: [Int8?]
        /// Churn flag (true = churned), if known.
        public var churned: [Bool?]
        /// Churn date in days since 1970-01-01, if churned and known.
        public var churnDay: [Int32?]

        /// Number of customers.
        public var count: Int { ids.count }

        /// Creates a table; all arrays must have the same length.
        public init(
            ids: [String] = [], signupDay: [Int32] = [], birthYear: [Int16?] = [],
            gender: [String?] = [], region: [String?] = [], primaryChannel: [String?] = [],
            nps: [Int8?] = [], csat: [Int8?] = [], churned: [Bool?] = [], churnDay: [Int32?] = []
        ) {
            precondition(
                [signupDay.count, birthYear.count, gender.count, region.count, primaryChannel.count,
                 nps.count, csat.count, churned.count, churnDay.count].allSatisfy { $0 == ids.count },
                "CustomerTable columns must have equal length")
            self.ids = ids
            self.signupDay = signupDay
            self.birthYear = birthYear
            self.gender = gender
            self.region = region
            self.primaryChannel = primaryChannel
            self.nps = nps
            self.csat = csat
            self.churned = churned
            self.churnDay = churnDay
        }

        /// Appends one customer. O(1) amortized.
        public mutating func append(
            id: String, signupDay: Int32, birthYear: Int16? = nil, gender: String? = nil,
            region: String? = nil, primaryChannel: String? = nil, nps: Int8? = nil, csat: Int8? = nil,
            churned: Bool? = nil, churnDay: Int32? = nil
        ) {
            ids.append(id)
            self.signupDay.append(signupDay)
            self.birthYear.append(birthYear)
            self.gender.append(gender)
            self.region.append(region)
            self.primaryChannel.append(primaryChannel)
            self.nps.append(nps)
            self.csat.append(csat)
            self.churned.append(churned)
            self.churnDay.append(churnDay)
        }
    }

    /// Transactions as struct-of-arrays, **sorted by customer index, then by time**.
    ///
    /// `customer[j]` is a row index into the matching ``CustomerTable``. Amounts are integer
    /// minor currency units (cents); negative amounts are refunds. Channels and categories are
    /// dictionary-coded: `channel[j]` indexes ``channelNames``, `category[j]` indexes
    /// ``categoryNames``.
    public struct TransactionTable: Sendable, Equatable {
        /// Customer row index of each transaction.
        public var customer: [Int32]
        /// Transaction time in seconds since 1970-01-01 UTC.
        public var timestamp: [Int64]
        /// Amount in minor currency units (cents).
        public var amountMinor: [Int64]
        /// Channel code (index into ``channelNames``).
        public var channel: [UInt16]
        /// Category code (index into ``categoryNames``).
        public var category: [UInt16]
        /// Channel names by code.
        public var channelNames: [String]
        /// Category names by code.
        public var categoryNames: [String]

        /// Number of transactions.
        public var count: Int { customer.count }

        /// Creates a table; the per-transaction arrays must have the same length.
        public init(
            customer: [Int32] = [], timestamp: [Int64] = [], amountMinor: [Int64] = [],
            channel: [UInt16] = [], category: [UInt16] = [], channelNames: [String] = [],
            categoryNames: [String] = []
        ) {
            precondition(
                [timestamp.count, amountMinor.count, channel.count, category.count]
                    .allSatisfy { $0 == customer.count },
                "TransactionTable columns must have equal length")
            self.customer = customer
            self.timestamp = timestamp
            self.amountMinor = amountMinor
            self.channel = channel
            self.category = category
            self.channelNames = channelNames
            self.categoryNames = categoryNames
        }
    }
}
