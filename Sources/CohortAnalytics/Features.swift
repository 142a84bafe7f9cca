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
    ///   whole history (not only the window); `window + 1` if the customer never purchased.
    /// - **Frequency**: number of purchase *transactions* in the window (two purchases at the same
    ///   timestamp count twice).
    /// - **Monetary**: net spend in the window (purchases + refunds), floored at 0, in cents.
    /// - **Tenure**: `asOf − signupDay` in days, floored at 0.
    /// - **AOV**: monetary / frequency in cents (0 when frequency is 0).
    /// - **CLV**: see ``CLV`` (net spend over the whole history, floored at 0).
    /// - **RFM scores / segment**: see ``RFM`` and ``RFMSegment``; by default population quintiles.
    /// - **Lifecycle stage**: see ``LifecycleStage``; **value tier**: see ``ValueTier``;
    ///   **channel band**: see ``ChannelBand``; **NPS class**: see ``NPSClass``.
    public enum Features {
        /// How RFM scores are assigned.
        public enum RFMScoring: Sendable, Equatable {
            /// Rank-based quintiles within this population (ties by row index).
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
        /// no name, an NPS answer is outside 0–10 (`invalidValue`), or `window` is outside 1…100 000.
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
            accumulate(transactions: transactions, offsets: offsets, asOf: Int64(asOf), window: Int64(window),
                       namedChannel: namedChannel, channelCount: transactions.channelNames.count, into: &raw)

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

            // Scores.
            let rScore, fScore, mScore: [UInt8]
            let cutPoints: RFM.CutPoints
            let byRank: Bool
            var sortedMonetary: [Int64] = []
            switch options.rfm {
            case .populationQuintiles:
                // The three rank orders (one sort each, in parallel) give both the scores and the
                // sorted values for the reference cut points and the value tiers.
                let columns: [(values: [Int64], higherIsBetter: Bool)] = [
                    (recency.map { Int64($0) }, false), (raw.frequency.map { Int64($0) }, true), (raw.monetary, true),
                ]
                let orders = ParallelChunks.map(count: 3, minimumChunk: 1) { range in
                    range.map { RFM.rankOrder(columns[$0].values, higherIsBetter: columns[$0].higherIsBetter) }
                }.flatMap { $0 }
                rScore = RFM.quintileScores(rankOrder: orders[0])
                fScore = RFM.quintileScores(rankOrder: orders[1])
                mScore = RFM.quintileScores(rankOrder: orders[2])
                sortedMonetary = orders[2].map { raw.monetary[Int($0)] }
                cutPoints = RFM.CutPoints.fromSorted(
                    recency: orders[0].reversed().map { Double(recency[Int($0)]) },
                    frequency: orders[1].map { Double(raw.frequency[Int($0)]) },
                    monetary: sortedMonetary.map(Double.init))
                byRank = true
            case .cutPoints(let cuts):
                sortedMonetary = raw.monetary.sorted()
                rScore = recency.map { RFM.score(Double($0), cuts: cuts.recency, higherIsBetter: false) }
                fScore = raw.frequency.map { RFM.score(Double($0), cuts: cuts.frequency, higherIsBetter: true) }
                mScore = raw.monetary.map { RFM.score(Double($0), cuts: cuts.monetary, higherIsBetter: true) }
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

        /// The single pass over transactions, split by customer ranges across cores.
        static func accumulate(
            transactions t: TransactionTable, offsets: [Int], asOf: Int64, window: Int64, namedChannel: Int,
            channelCount: Int, into raw: inout RawColumns
        ) {
            let n = offsets.count - 1
            let windowStart = asOf - window   // in window: day > windowStart
            let recentStart = asOf - window / 2   // recent half: day > recentStart
            t.timestamp.withUnsafeBufferPointer { ts in
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
                _ = ParallelChunks.map(count: n, minimumChunk: 4096) { range in
                    var counts = [Int32](repeating: 0, count: max(channelCount, 1))
                    var touched = [UInt16]()
                    touched.reserveCapacity(16)
                    counts.withUnsafeMutableBufferPointer { cnt in
                        for i in range {
                            var last = Int64.min
                            var freq: Int32 = 0
                            var net: Int64 = 0, early: Int64 = 0, recent: Int64 = 0, ever: Int64 = 0
                            for j in off[i]..<off[i + 1] {
                                let d = CivilDay.day(ofTimestamp: ts[j])
                                if d > asOf { continue }
                                let a = amount[j]
                                ever &+= a
                                if a > 0 && d > last { last = d }
                                if d > windowStart {
                                    net &+= a
                                    if d > recentStart { recent &+= a } else { early &+= a }
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
                    return 0
                }
            }}}}}}}}}}}}
        }
    }
}
