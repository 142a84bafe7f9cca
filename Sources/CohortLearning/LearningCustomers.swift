public import CohortAnalytics

extension Learning {
    /// One node's customers as the learning algorithms read them, struct-of-arrays: row `i` of
    /// every column is the same customer. Built from the node's ``Analytics/FeatureTable`` (and the
    /// customers' regions), or directly from arrays (simulations, tests).
    ///
    /// Only what the algorithms need is kept: the engineered numeric features, the categorical
    /// codes, the value tier and the churn label. Nothing here leaves a node; the algorithms turn
    /// it into bounded integer vectors with a stated sensitivity.
    public struct Customers: Sendable, Equatable {
        /// Partner customer ids (used only for the seeded holdout assignment, see ``Holdout``).
        public var ids: [String]
        /// Days since the last purchase (window + 1 for never purchased).
        public var recencyDays: [Int32]
        /// Purchases in the window.
        public var frequency: [Int32]
        /// Net spend in the window, cents, ≥ 0.
        public var monetaryMinor: [Int64]
        /// Days since signup, ≥ 0.
        public var tenureDays: [Int32]
        /// Average order value, cents, ≥ 0.
        public var aovMinor: [Double]
        /// Share of window purchases in the dependence channel, 0–1.
        public var channelShare: [Double]
        /// Region name, if known.
        public var region: [String?]
        /// ``Analytics/ChannelBand`` code 0–4.
        public var channelBand: [UInt8]
        /// ``Analytics/NPSClass`` code 0–3.
        public var npsClass: [UInt8]
        /// ``Analytics/ValueTier`` code 0–2.
        public var valueTier: [UInt8]
        /// Churn label, if known.
        public var churned: [Bool?]

        /// Number of customers.
        public var count: Int { ids.count }

        /// Creates the table and validates it. O(n).
        /// - Throws: `invalidCustomers` when column lengths differ, a code is out of range, or a
        ///   numeric value is negative or not finite (naming the column and row).
        public init(
            ids: [String], recencyDays: [Int32], frequency: [Int32], monetaryMinor: [Int64], tenureDays: [Int32],
            aovMinor: [Double], channelShare: [Double], region: [String?], channelBand: [UInt8], npsClass: [UInt8],
            valueTier: [UInt8], churned: [Bool?]
        ) throws {
            let n = ids.count
            let lengths: [(String, Int)] = [
                ("recency_days", recencyDays.count), ("frequency", frequency.count), ("monetary", monetaryMinor.count),
                ("tenure_days", tenureDays.count), ("aov", aovMinor.count), ("channel_share", channelShare.count),
                ("region", region.count), ("channel_band", channelBand.count), ("nps_class", npsClass.count),
                ("value_tier", valueTier.count), ("churned", churned.count),
            ]
            for (name, count) in lengths where count != n {
                throw LearningError(.invalidCustomers, "Customers: column \(name) has \(count) rows, ids has \(n)")
            }
            func check<T>(_ column: [T], _ name: String, _ valid: (T) -> Bool) throws {
                if let bad = column.firstIndex(where: { !valid($0) }) {
                    throw LearningError(.invalidCustomers, "Customers: \(name) at row \(bad) (customer \(ids[bad])) is \(column[bad]), outside its range")
                }
            }
            try check(recencyDays, "recency_days") { $0 >= 0 }
            try check(frequency, "frequency") { $0 >= 0 }
            try check(monetaryMinor, "monetary") { $0 >= 0 }
            try check(tenureDays, "tenure_days") { $0 >= 0 }
            try check(aovMinor, "aov") { $0 >= 0 && $0.isFinite }
            try check(channelShare, "channel_share") { $0 >= 0 && $0 <= 1 }
            try check(channelBand, "channel_band") { Int($0) < Analytics.ChannelBand.codeCount }
            try check(npsClass, "nps_class") { Int($0) < Analytics.NPSClass.codeCount }
            try check(valueTier, "value_tier") { Int($0) < Analytics.ValueTier.codeCount }
            self.ids = ids
            self.recencyDays = recencyDays
            self.frequency = frequency
            self.monetaryMinor = monetaryMinor
            self.tenureDays = tenureDays
            self.aovMinor = aovMinor
            self.channelShare = channelShare
            self.region = region
            self.channelBand = channelBand
            self.npsClass = npsClass
            self.valueTier = valueTier
            self.churned = churned
        }

        /// The customers of a feature table, with their regions (same rows, e.g. the
        /// ``Analytics/CustomerTable`` the features were computed from). O(n).
        /// - Throws: `invalidCustomers` when `regions` has a different length.
        public init(features t: Analytics.FeatureTable, regions: [String?]) throws {
            try self.init(
                ids: t.ids, recencyDays: t.recencyDays.map { max($0, 0) }, frequency: t.frequency,
                monetaryMinor: t.monetaryMinor, tenureDays: t.tenureDays, aovMinor: t.aovMinor,
                channelShare: t.channelShare.map { min(max($0, 0), 1) }, region: regions, channelBand: t.channelBand,
                npsClass: t.npsClass, valueTier: t.valueTier, churned: t.churned)
        }

        /// The given rows, in the given order. O(rows).
        public func selecting(_ rows: [Int]) -> Customers {
            Customers(
                unchecked: rows.map { ids[$0] }, rows.map { recencyDays[$0] }, rows.map { frequency[$0] },
                rows.map { monetaryMinor[$0] }, rows.map { tenureDays[$0] }, rows.map { aovMinor[$0] },
                rows.map { channelShare[$0] }, rows.map { region[$0] }, rows.map { channelBand[$0] },
                rows.map { npsClass[$0] }, rows.map { valueTier[$0] }, rows.map { churned[$0] })
        }

        /// All parties' customers one after the other (the central baseline's union). O(n).
        public static func union(_ parts: [Customers]) -> Customers {
            Customers(
                unchecked: parts.flatMap(\.ids), parts.flatMap(\.recencyDays), parts.flatMap(\.frequency),
                parts.flatMap(\.monetaryMinor), parts.flatMap(\.tenureDays), parts.flatMap(\.aovMinor),
                parts.flatMap(\.channelShare), parts.flatMap(\.region), parts.flatMap(\.channelBand),
                parts.flatMap(\.npsClass), parts.flatMap(\.valueTier), parts.flatMap(\.churned))
        }

        init(
            unchecked ids: [String], _ recencyDays: [Int32], _ frequency: [Int32], _ monetaryMinor: [Int64],
            _ tenureDays: [Int32], _ aovMinor: [Double], _ channelShare: [Double], _ region: [String?],
            _ channelBand: [UInt8], _ npsClass: [UInt8], _ valueTier: [UInt8], _ churned: [Bool?]
        ) {
            self.ids = ids
            self.recencyDays = recencyDays
            self.frequency = frequency
            self.monetaryMinor = monetaryMinor
            self.tenureDays = tenureDays
            self.aovMinor = aovMinor
            self.channelShare = channelShare
            self.region = region
            self.channelBand = channelBand
            self.npsClass = npsClass
            self.valueTier = valueTier
            self.churned = churned
        }
    }
}
