public import CohortCore
extension Synthetic {
    /// Generated consent events, sorted by customer row, then time.
    public struct ConsentTable: Sendable, Equatable {
        /// Customer row index (into ``CustomerTable``).
        public var customer: [Int32] = []
        /// Purpose of the event.
        public var purpose: [Purpose] = []
        /// Grant or withdraw.
        public var action: [ConsentAction] = []
        /// Time of the event in seconds since 1970-01-01 UTC.
        public var at: [Int64] = []
        /// How consent was given or withdrawn (e.g. `web-form`, `app`).
        public var method: [String] = []
        /// Version of the privacy policy in force (`v1`, `v2`).
        public var policyVersion: [String] = []

        /// Number of events.
        public var count: Int { customer.count }

        /// Creates an empty table.
        public init() {}
    }
}
