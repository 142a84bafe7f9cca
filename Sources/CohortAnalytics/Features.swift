extension Analytics {
    /// Per-customer feature computation (RFM, tenure, AOV, CLV, scores, segment, lifecycle stage,
    /// value tier, channel dependence, NPS class).
    ///
    /// Definitions (days are UTC day numbers; a transaction's day is ⌊timestamp / 86 400⌋):
    /// - **Window**: the `window` days ending at the as-of day *inclusive*, i.e. days
    ///   `asOf − window + 1 … asOf`. Transactions after the as-of day are ignored everywhere.
    /// - **Purchase**: a transaction with a positive amount. Refunds (negative) and zero amounts
    ///   are not purchases.
    /// - **Recency**: `asOf − (day of the last purchase on or before asOf)`, looking back over the
    ///   whole history (not only the window). A customer who never purchased shows `window + 1` in
    ///   the column but is *ranked and scored as the least recent of all*: R score 1 under both
    ///   scorings, below every customer who ever bought, however long ago.
    /// - **Frequency**: number of purchase *transactions* in the window (two purchases at the same
    ///   timestamp count twice).
    /// - **Monetary**: net spend in the window (purchases + refunds), floored at 0, in cents.
    ///   All spend sums (monetary, the two window halves, CLV) use checked 64-bit arithmetic: a sum
    ///   that would leave the `Int64` range throws ``AnalyticsError/Code-swift.enum/overflow``
    ///   naming the customer and the sum, never wraps and never traps.
    /// - **Tenure**: `asOf − signupDay` in days, floored at 0.
    /// - **AOV**: monetary / frequency in cents (0 when frequency is 0).
    /// - **CLV**: see ``CLV`` (net spend over the whole history, floored at 0).
    /// - **RFM scores / segment**: see ``RFM`` and ``RFMSegment``; by default population quintiles
    ///   with ties scored by value alone (equal values, equal score; row order never matters).
    ///   Frequency 0 scores F 1 and monetary 0 scores M 1 under both scorings, so a customer with
    ///   no purchase in the window has FM 1 and is never Loyal or a Champion.
    /// - **Lifecycle stage**: see ``LifecycleStage``; **value tier**: see ``ValueTier``;
    ///   **channel band**: see ``ChannelBand``; **NPS class**: see ``NPSClass``.
    public enum Features {
        /// How RFM scores are assigned.
        public enum RFMScoring: Sendable, Equatable {
            /// Rank-based quintiles within this population (equal values, equal score; see ``RFM``).
            case populationQuintiles
            /// Fixed cut points (e.g. a DP release or a study spec).
            case cutPoints(RFM.CutPoints)
        }

        /// How value tiers are assigned.
        public enum TierScoring: Sendable, Equatable {
            /// ``ValueTier/CutPoints/population(monetary:)`` (top 20 % / next 30 % / rest).
            case population
            /// Fixed monetary cut points.
            case cutPoints(ValueTier.CutPoints)
        }

        /// Which channel the channel-dependence share refers to.
        public enum DependenceChannel: Sendable, Equatable {
            /// The customer's top channel by window purchases (ties: lowest channel code).
            case top
            /// A named channel (must be one of the transaction table's channel names).
            case named(String)
        }

        /// Scoring options; the defaults are the documented standard definitions.
        public struct Options: Sendable, Equatable {
            /// RFM scoring.
            public var rfm: RFMScoring
            /// Value tiers.
            public var tiers: TierScoring
            /// Lifecycle rules.
            public var lifecycle: LifecycleStage.Rules
            /// Channel-dependence channel.
            public var channel: DependenceChannel

            /// Creates options.
            public init(rfm: RFMScoring = .populationQuintiles, tiers: TierScoring = .population,
                        lifecycle: LifecycleStage.Rules = .standard, channel: DependenceChannel = .top) {
                self.rfm = rfm
                self.tiers = tiers
                self.lifecycle = lifecycle
                self.channel = channel
            }
        }

        /// Computes the feature table of every customer as of day `asOf` (days since 1970-01-01)
        /// over a window of `window` days (default 365).
        ///
        /// Transactions must be grouped by ascending customer row (their order in time within a
        /// customer does not matter). O(customers + transactions); rank scoring uses a radix sort;
        /// runs on all cores. Throws ``AnalyticsError`` on columns of unequal length
        /// (`dimensionMismatch`), when transactions are not grouped by ascending
        /// customer row or reference a missing customer (`unsortedTransactions`), a channel code has
        /// no name, an NPS answer is outside 0–10 (`invalidValue`), a customer's spend sum leaves the
        /// `Int64` range (`overflow`), or `window` is outside 1…100 000.
        public static func compute(
            customers: CustomerTable, transactions: TransactionTable, asOf: Int32, window: Int32 = 365,
            options: Options = Options()
        ) throws -> FeatureTable {
            guard window >= 1, window <= 100_000 else {
                throw AnalyticsError(.invalidParameter, "Features.compute: window \(window) days must be in 1…100000")
            }
            let n = customers.count
            let customerColumns = [customers.signupDay.count, customers.birthYear.count, customers.gender.count,
                                   customers.region.count, customers.primaryChannel.count, customers.nps.count,
                                   customers.csat.count, customers.churned.count, customers.churnDay.count]
            guard customerColumns.allSatisfy({ $0 == n }) else {
                throw AnalyticsError(.dimensionMismatch, "CustomerTable: column lengths \(customerColumns) differ from \(n) ids")
            }
            let m = transactions.count
            let transactionColumns = [transactions.timestamp.count, transactions.amountMinor.count,
                                      transactions.channel.count, transactions.category.count]
            guard transactionColumns.allSatisfy({ $0 == m }) else {
                throw AnalyticsError(.dimensionMismatch, "TransactionTable: column lengths \(transactionColumns) differ from \(m) customer indices")
            }
            let offsets = try transactionOffsets(transactions, customerCount: n)
            for i in 0..<n {
                if let a = customers.nps[i], !(0...10).contains(a) {
                    throw AnalyticsError(.invalidValue, "customer \(customers.ids[i]) (row \(i)): NPS \(a) outside 0–10")
                }
            }
            var namedChannel: Int = -1
            if case .named(let name) = options.channel {
                guard let code = transactions.channelNames.firstIndex(of: name) else {
                    throw AnalyticsError(.invalidParameter, "Features.compute: channel \"\(name)\" not among \(transactions.channelNames)")
                }
                namedChannel = code
            }

            var raw = RawColumns(count: n)
            let overflow = accumulate(
                transactions: transactions, offsets: offsets, asOf: Int64(asOf), window: Int64(window),
                namedChannel: namedChannel, channelCount: transactions.channelNames.count, into: &raw)
            if let overflow {
                throw AnalyticsError(
                    .overflow,
                    "customer \(customers.ids[overflow.row]) (row \(overflow.row)): \(overflow.sums) exceeds the 64-bit range of cents (±9.2e18); check the amounts of this customer's transactions \(offsets[overflow.row])..<\(offsets[overflow.row + 1])")
            }

            // Recency, tenure, AOV.
            var recency = [Int32](repeating: 0, count: n)
            var tenure = [Int32](repeating: 0, count: n)
            var aov = [Double](repeating: 0, count: n)
            var lastDay = [Int32?](repeating: nil, count: n)
            for i in 0..<n {
                let last = raw.lastPurchaseDay[i]
                if last != Int64.min {
                    recency[i] = Int32(clamping: Int64(asOf) - last)
                    lastDay[i] = Int32(clamping: last)
                } else {
                    recency[i] = window &+ 1
                }
                tenure[i] = max(0, asOf &- customers.signupDay[i])
                let f = raw.frequency[i]
                aov[i] = f > 0 ? Double(raw.monetary[i]) / Double(f) : 0
            }

            // Scores. Never-purchased customers rank below every buyer on recency: their rank key
            // is one more than any recency a buyer can have (recency is an Int32).
            let neverBought = Int64(Int32.max) + 1
            let recencyKey: [Int64] = (0..<n).map { lastDay[$0] == nil ? neverBought : Int64(recency[$0]) }
            let rScore, fScore, mScore: [UInt8]
            let cutPoints: RFM.CutPoints
            let byRank: Bool
            var sortedMonetary: [Int64] = []
            switch options.rfm {
            case .populationQuintiles:
                // The three rank orders (one sort each, in parallel) give both the scores and the
                // sorted values for the reference cut points and the value tiers.
                let columns: [(values: [Int64], higherIsBetter: Bool)] = [
                    (recencyKey, false), (raw.frequency.map { Int64($0) }, true), (raw.monetary, true),
                ]
                let orders = ParallelChunks.map(count: 3, minimumChunk: 1) { range in
                    range.map { RFM.rankOrder(columns[$0].values, higherIsBetter: columns[$0].higherIsBetter) }
                }.flatMap { $0 }
                rScore = RFM.quintileScores(rankOrder: orders[0], values: columns[0].values)
                fScore = RFM.quintileScores(rankOrder: orders[1], values: columns[1].values)
                mScore = RFM.quintileScores(rankOrder: orders[2], values: columns[2].values)
                sortedMonetary = orders[2].map { raw.monetary[Int($0)] }
                cutPoints = RFM.CutPoints.fromSorted(
                    recency: sortedRecency(rankOrder: orders[0], recency: recency, lastDay: lastDay, window: window),
                    frequency: orders[1].map { Double(raw.frequency[Int($0)]) },
                    monetary: sortedMonetary.map(Double.init))
                byRank = true
            case .cutPoints(let cuts):
                sortedMonetary = raw.monetary.sorted()
                // Never purchased ⇒ R 1; no purchase in the window ⇒ F 1; no net spend ⇒ M 1, even
                // if (e.g. noisy DP) cut points lie below 0.
                rScore = (0..<n).map {
                    lastDay[$0] == nil ? 1 : RFM.score(Double(recency[$0]), cuts: cuts.recency, higherIsBetter: false)
                }
                fScore = raw.frequency.map { $0 == 0 ? 1 : RFM.score(Double($0), cuts: cuts.frequency, higherIsBetter: true) }
                mScore = raw.monetary.map { $0 == 0 ? 1 : RFM.score(Double($0), cuts: cuts.monetary, higherIsBetter: true) }
                cutPoints = cuts
                byRank = false
            }
            let tierCuts: ValueTier.CutPoints
            switch options.tiers {
            case .population: tierCuts = .population(sortedMonetary: sortedMonetary)
            case .cutPoints(let cuts): tierCuts = cuts
            }

            var fm = [UInt8](repeating: 0, count: n)
            var segment = [UInt8](repeating: 0, count: n)
            var stage = [UInt8](repeating: 0, count: n)
            var tier = [UInt8](repeating: 0, count: n)
            var band = [UInt8](repeating: 0, count: n)
            var npsClass = [UInt8](repeating: 0, count: n)
            for i in 0..<n {
                fm[i] = RFMSegment.fmScore(frequency: fScore[i], monetary: mScore[i])
                segment[i] = RFMSegment(recencyScore: rScore[i], fmScore: fm[i]).code
                stage[i] = LifecycleStage(
                    tenureDays: tenure[i], recencyDays: recency[i], earlierHalfSpend: raw.earlierHalf[i],
                    recentHalfSpend: raw.recentHalf[i], rules: options.lifecycle).code
                tier[i] = ValueTier(monetary: raw.monetary[i], cutPoints: tierCuts).code
                band[i] = ChannelBand(purchasesInChannel: Int(raw.channelPurchases[i]), purchases: Int(raw.frequency[i])).code
                npsClass[i] = (NPSClass(answer: customers.nps[i]) ?? .unanswered).code
            }
            let share: [Double] = (0..<n).map { i in
                raw.frequency[i] > 0 ? Double(raw.channelPurchases[i]) / Double(raw.frequency[i]) : 0
            }

            return FeatureTable(
                asOfDay: asOf, windowDays: window, ids: customers.ids, recencyDays: recency,
                lastPurchaseDay: lastDay, frequency: raw.frequency, monetaryMinor: raw.monetary, tenureDays: tenure,
                aovMinor: aov, earlierHalfSpendMinor: raw.earlierHalf, recentHalfSpendMinor: raw.recentHalf,
                clvMinor: raw.clv, dependenceChannel: raw.channel, channelShare: share, recencyScore: rScore,
                frequencyScore: fScore, monetaryScore: mScore, fmScore: fm, segment: segment, lifecycleStage: stage,
                valueTier: tier, channelBand: band, npsClass: npsClass, nps: customers.nps, churned: customers.churned,
                rfmCutPoints: cutPoints, rfmScoredByRank: byRank, tierCutPoints: tierCuts,
                channelNames: transactions.channelNames)
        }

        /// The recency column in ascending order, from the recency rank order (worst first, with
        /// never-purchased customers first): buyers' values reversed, with the never-purchased
        /// customers' `window + 1` merged in at their place. O(n).
        static func sortedRecency(rankOrder order: [Int32], recency: [Int32], lastDay: [Int32?], window: Int32) -> [Double] {
            var buyers: [Double] = []
            buyers.reserveCapacity(order.count)
            for i in order.reversed() where lastDay[Int(i)] != nil { buyers.append(Double(recency[Int(i)])) }
            let never = order.count - buyers.count
            guard never > 0 else { return buyers }
            let value = Double(window) + 1
            var split = buyers.count
            while split > 0 && buyers[split - 1] > value { split -= 1 }
            return Array(buyers[..<split]) + [Double](repeating: value, count: never) + Array(buyers[split...])
        }

        /// `offsets[i]..<offsets[i+1]` are customer `i`'s transactions. Validates grouping and codes.
        static func transactionOffsets(_ t: TransactionTable, customerCount n: Int) throws -> [Int] {
            var offsets = [Int](repeating: 0, count: n + 1)
            let m = t.count
            let channels = t.channelNames.count
            var failure: AnalyticsError?
            t.customer.withUnsafeBufferPointer { cust in
                t.channel.withUnsafeBufferPointer { ch in
                    offsets.withUnsafeMutableBufferPointer { off in
                        var previous: Int32 = 0
                        for j in 0..<m {
                            let c = cust[j]
                            if c < previous || Int(c) >= n {
                                failure = AnalyticsError(
                                    .unsortedTransactions,
                                    c < previous
                                        ? "transaction \(j): customer row \(c) after row \(previous); transactions must be sorted by customer row"
                                        : "transaction \(j): customer row \(c) outside 0..<\(n)")
                                return
                            }
                            if Int(ch[j]) >= channels {
                                failure = AnalyticsError(
                                    .invalidValue, "transaction \(j): channel code \(ch[j]) has no name (\(channels) channel names)")
                                return
                            }
                            off[Int(c) + 1] += 1
                            previous = c
                        }
                        for i in 0..<n { off[i + 1] += off[i] }
                    }
                }
            }
            if let failure { throw failure }
            return offsets
        }

        /// Raw per-customer accumulations.
        struct RawColumns {
            var lastPurchaseDay: [Int64]
            var frequency: [Int32]
            var monetary: [Int64]
            var earlierHalf: [Int64]
            var recentHalf: [Int64]
            var clv: [Int64]
            var channel: [Int32]
            var channelPurchases: [Int32]

            init(count n: Int) {
                lastPurchaseDay = [Int64](repeating: .min, count: n)
                frequency = [Int32](repeating: 0, count: n)
                monetary = [Int64](repeating: 0, count: n)
                earlierHalf = [Int64](repeating: 0, count: n)
                recentHalf = [Int64](repeating: 0, count: n)
                clv = [Int64](repeating: 0, count: n)
                channel = [Int32](repeating: -1, count: n)
                channelPurchases = [Int32](repeating: 0, count: n)
            }
        }

        /// The first customer row whose spend sums overflowed, and which sums.
        struct Overflow {
            /// Customer row.
            var row: Int
            /// Bit set: 1 monetary (window net spend), 2 earlier-half spend, 4 recent-half spend,
            /// 8 CLV (whole-history net spend).
            var flags: UInt8

            /// The names of the overflowing sums.
            var sums: String {
                let names = ["monetary (net spend in the window)", "earlier-half spend", "recent-half spend",
                             "CLV (net spend over the whole history)"]
                return names.indices.filter { flags & (1 << $0) != 0 }.map { names[$0] }.joined(separator: ", ")
            }
        }

        /// The single pass over transactions, split by customer ranges across cores. Spend sums use
        /// `addingReportingOverflow`; the overflow bits are OR-ed per transaction (no branch) and
        /// checked once per customer. Returns the lowest customer row that overflowed, if any (its
        /// raw columns are then meaningless and the caller must throw).
        static func accumulate(
            transactions t: TransactionTable, offsets: [Int], asOf: Int64, window: Int64, namedChannel: Int,
            channelCount: Int, into raw: inout RawColumns
        ) -> Overflow? {
            let n = offsets.count - 1
            let windowStart = asOf - window   // in window: day > windowStart
            let recentStart = asOf - window / 2   // recent half: day > recentStart
            return t.timestamp.withUnsafeBufferPointer { ts in
            t.amountMinor.withUnsafeBufferPointer { amount in
            t.channel.withUnsafeBufferPointer { ch in
            offsets.withUnsafeBufferPointer { off in
            raw.lastPurchaseDay.withUnsafeMutableBufferPointer { lastOut in
            raw.frequency.withUnsafeMutableBufferPointer { freqOut in
            raw.monetary.withUnsafeMutableBufferPointer { monOut in
            raw.earlierHalf.withUnsafeMutableBufferPointer { earlyOut in
            raw.recentHalf.withUnsafeMutableBufferPointer { recentOut in
            raw.clv.withUnsafeMutableBufferPointer { clvOut in
            raw.channel.withUnsafeMutableBufferPointer { chanOut in
            raw.channelPurchases.withUnsafeMutableBufferPointer { chanCountOut in
                ParallelChunks.map(count: n, minimumChunk: 4096) { range -> Overflow? in
                    var firstOverflow: Overflow?
                    var counts = [Int32](repeating: 0, count: max(channelCount, 1))
                    var touched = [UInt16]()
                    touched.reserveCapacity(16)
                    counts.withUnsafeMutableBufferPointer { cnt in
                        for i in range {
                            var last = Int64.min
                            var freq: Int32 = 0
                            var net: Int64 = 0, early: Int64 = 0, recent: Int64 = 0, ever: Int64 = 0
                            var overflow: UInt8 = 0
                            for j in off[i]..<off[i + 1] {
                                let d = CivilDay.day(ofTimestamp: ts[j])
                                if d > asOf { continue }
                                let a = amount[j]
                                let e = ever.addingReportingOverflow(a)
                                ever = e.partialValue
                                overflow |= e.overflow ? 8 : 0
                                if a > 0 && d > last { last = d }
                                if d > windowStart {
                                    let w = net.addingReportingOverflow(a)
                                    net = w.partialValue
                                    overflow |= w.overflow ? 1 : 0
                                    if d > recentStart {
                                        let r = recent.addingReportingOverflow(a)
                                        recent = r.partialValue
                                        overflow |= r.overflow ? 4 : 0
                                    } else {
                                        let h = early.addingReportingOverflow(a)
                                        early = h.partialValue
                                        overflow |= h.overflow ? 2 : 0
                                    }
                                    if a > 0 {
                                        freq += 1
                                        let c = ch[j]
                                        if cnt[Int(c)] == 0 { touched.append(c) }
                                        cnt[Int(c)] += 1
                                    }
                                }
                            }
                            var best: Int32 = -1, bestCount: Int32 = 0
                            if namedChannel >= 0 {
                                best = namedChannel < channelCount ? Int32(namedChannel) : -1
                                bestCount = best >= 0 ? cnt[namedChannel] : 0
                            } else {
                                for c in touched {
                                    let k = cnt[Int(c)]
                                    if k > bestCount || (k == bestCount && Int32(c) < best) {
                                        best = Int32(c)
                                        bestCount = k
                                    }
                                }
                            }
                            for c in touched { cnt[Int(c)] = 0 }
                            touched.removeAll(keepingCapacity: true)
                            if overflow != 0 && firstOverflow == nil { firstOverflow = Overflow(row: i, flags: overflow) }
                            lastOut[i] = last
                            freqOut[i] = freq
                            monOut[i] = max(0, net)
                            earlyOut[i] = max(0, early)
                            recentOut[i] = max(0, recent)
                            clvOut[i] = max(0, ever)
                            chanOut[i] = best
                            chanCountOut[i] = bestCount
                        }
                    }
                    return firstOverflow
                }.lazy.compactMap { $0 }.first
            }}}}}}}}}}}}
        }
    }
}
