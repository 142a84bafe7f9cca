import CohortAnalytics
import Testing

/// Five hand-computed customers, as of day 100 with a 10-day window (days 91…100; recent half
/// 96…100). See the comments for each expected value.
@Suite struct FeatureKnownAnswerTests {
    static let asOf: Int32 = 100
    static var customers: Analytics.CustomerTable {
        var c = Analytics.CustomerTable()
        c.append(id: "A", signupDay: 50, nps: 10, churned: false)
        c.append(id: "B", signupDay: 95, nps: nil, churned: true)
        c.append(id: "C", signupDay: 0, nps: 7, churned: true)
        c.append(id: "D", signupDay: 10, nps: 0, churned: nil)
        c.append(id: "E", signupDay: 100, nps: 9, churned: false)
        return c
    }
    static var table: Analytics.TransactionTable {
        transactions([
            (0, 85, 1000, 0),    // A: before the window (CLV only)
            (0, 92, 2000, 0),    // A: earlier half
            (0, 97, 3000, 1),    // A: recent half
            (0, 99, -500, 1),    // A: refund
            (0, 99, 1500, 1),    // A: purchase
            (0, 101, 9999, 2),   // A: after as-of, ignored
            (2, 20, 5000, 0),    // C: long ago only
            (3, 90, 7, 0),       // D: one day before the window
            (3, 91, 100, 0),     // D: first day of the window
            (3, 95, -300, 0),    // D: refund, earlier half
            (3, 100, 200, 0),    // D: as-of day itself (23:59:59), included
            (4, 100, 50, 2),     // E
        ], seconds: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 86_399, 0])
    }
    static func features() throws -> Analytics.FeatureTable {
        try Analytics.Features.compute(
            customers: customers, transactions: table, asOf: asOf, window: 10,
            options: .init(lifecycle: try .init(newTenureDays: 30, churnRecencyDays: 8, trendTolerance: 0.2)))
    }

    @Test func rawFeatures() throws {
        let f = try Self.features()
        #expect(f.recencyDays == [1, 11, 80, 0, 0])            // B never purchased: window + 1
        #expect(f.lastPurchaseDay == [99, nil, 20, 100, 100])
        #expect(f.frequency == [3, 0, 0, 2, 1])                // refunds are not purchases
        #expect(f.monetaryMinor == [6000, 0, 0, 0, 50])         // D: 100 − 300 + 200 = 0 (floored)
        #expect(f.tenureDays == [50, 5, 100, 90, 0])
        #expect(f.aovMinor == [2000, 0, 0, 0, 50])
        #expect(f.earlierHalfSpendMinor == [2000, 0, 0, 0, 0])  // D: 100 − 300 floored at 0
        #expect(f.recentHalfSpendMinor == [4000, 0, 0, 200, 50])
        #expect(f.clvMinor == [7000, 0, 5000, 7, 50])           // whole history up to as-of, net
    }

    @Test func channelDependence() throws {
        let f = try Self.features()
        #expect(f.dependenceChannel == [1, -1, -1, 0, 2])
        #expect(abs(f.channelShare[0] - 2.0 / 3.0) < 1e-12)
        #expect(f.channelBand == [3, 0, 0, 4, 4])
        let named = try Analytics.Features.compute(
            customers: Self.customers, transactions: Self.table, asOf: Self.asOf, window: 10, options: .init(channel: .named("web")))
        #expect(named.dependenceChannel == [0, 0, 0, 0, 0])
        #expect(named.channelBand == [1, 0, 0, 4, 0])   // A: 1 of 3 in web = 33 %
    }

    @Test func rankScoresSegmentsTiers() throws {
        let f = try Self.features()
        // Score = 1 + ⌊5w/5⌋ = 1 + w, w = customers with a strictly worse value; ties score alike.
        // R: B never bought (worst, w 0), C 80 d (w 1), A 1 d (w 2), D and E 0 d (w 3 each).
        #expect(f.recencyScore == [3, 1, 2, 4, 4])
        // F: B, C 0 (w 0), E 1 (w 2), D 2 (w 3), A 3 (w 4).
        #expect(f.frequencyScore == [5, 1, 1, 4, 3])
        // M: B, C, D 0 (w 0), E 50 (w 3), A 6000 (w 4).
        #expect(f.monetaryScore == [5, 1, 1, 1, 4])
        #expect(f.fmScore == [5, 1, 1, 3, 4])
        let segments = f.segment.compactMap { Analytics.RFMSegment(rawValue: $0) }
        #expect(segments == [.loyal, .lost, .hibernating, .loyal, .champions])
        // Tiers: sorted monetary [0,0,0,50,6000] ⇒ high ≥ 6000, mid ≥ 1 (raised from 0).
        #expect(f.tierCutPoints == (try .init(mid: 1, high: 6000)))
        #expect(f.valueTier == [0, 2, 2, 2, 1])
        #expect(f.rfmScoredByRank)
    }

    @Test func lifecycleAndNPS() throws {
        let f = try Self.features()
        let stages = f.lifecycleStage.compactMap { Analytics.LifecycleStage(rawValue: $0) }
        #expect(stages == [.growing, .new, .churned, .growing, .new])
        let classes = f.npsClass.compactMap { Analytics.NPSClass(rawValue: $0) }
        #expect(classes == [.promoter, .unanswered, .passive, .detractor, .promoter])
    }

    @Test func fixedCutPoints() throws {
        let cuts = try Analytics.RFM.CutPoints(recency: [1, 5, 20, 60], frequency: [0, 1, 2, 3], monetary: [0, 100, 1000, 5000])
        let f = try Analytics.Features.compute(
            customers: Self.customers, transactions: Self.table, asOf: Self.asOf, window: 10, options: .init(rfm: .cutPoints(cuts)))
        #expect(f.recencyScore == [5, 1, 1, 5, 5])   // B never bought ⇒ R 1 (not window + 1 = 11 d ⇒ 3)
        #expect(f.frequencyScore == [4, 1, 1, 3, 2])
        #expect(f.monetaryScore == [5, 1, 1, 1, 2])
        #expect(!f.rfmScoredByRank)
        #expect(f.rfmCutPoints == cuts)
    }

    @Test func unsortedTransactionsAreRejected() {
        let bad = transactions([(1, 95, 100, 0), (0, 96, 100, 0)])
        #expect {
            try Analytics.Features.compute(customers: Self.customers, transactions: bad, asOf: 100)
        } throws: { ($0 as? AnalyticsError)?.code == .unsortedTransactions }
        let missing = transactions([(7, 95, 100, 0)])
        #expect {
            try Analytics.Features.compute(customers: Self.customers, transactions: missing, asOf: 100)
        } throws: { ($0 as? AnalyticsError)?.code == .unsortedTransactions }
    }

    @Test func invalidInputIsRejected() {
        var c = Self.customers
        c.nps[2] = 11
        #expect {
            try Analytics.Features.compute(customers: c, transactions: Self.table, asOf: 100)
        } throws: { error in
            guard let e = error as? AnalyticsError else { return false }
            return e.code == .invalidValue && e.message.contains("customer C")
        }
        let unnamed = transactions([(0, 95, 100, 5)])
        #expect(throws: AnalyticsError.self) {
            try Analytics.Features.compute(customers: Self.customers, transactions: unnamed, asOf: 100)
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.Features.compute(customers: Self.customers, transactions: Self.table, asOf: 100, window: 0)
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.Features.compute(customers: Self.customers, transactions: Self.table, asOf: 100,
                                           options: .init(channel: .named("fax")))
        }
    }

    @Test func raggedColumnsAreRejected() {
        var c = Self.customers
        c.nps.removeLast()
        #expect {
            try Analytics.Features.compute(customers: c, transactions: Self.table, asOf: 100)
        } throws: { ($0 as? AnalyticsError)?.code == .dimensionMismatch }
        var t = Self.table
        t.amountMinor.append(5)
        #expect {
            try Analytics.Features.compute(customers: Self.customers, transactions: t, asOf: 100)
        } throws: { ($0 as? AnalyticsError)?.code == .dimensionMismatch }
    }

    @Test func clvFormula() throws {
        #expect(try Analytics.CLV.historical(amountsMinor: [1000, -300, 500, 9999], days: [1, 2, 3, 11], asOfDay: 10) == 1200)
        #expect(try Analytics.CLV.historical(amountsMinor: [100, -300], days: [1, 2], asOfDay: 10) == 0)
        #expect(try Analytics.CLV.historical(amountsMinor: [], days: [], asOfDay: 10) == 0)
    }

    @Test func emptyTables() throws {
        let f = try Analytics.Features.compute(customers: .init(), transactions: .init(), asOf: 100)
        #expect(f.count == 0)
    }
}

@Suite struct FeaturePropertyTests {
    @Test func parallelAndSequentialAgreeWithPerCustomerRecomputation() throws {
        let (c, t) = randomTables(n: 3000, meanTransactions: 6, seed: 42)
        let f = try Analytics.Features.compute(customers: c, transactions: t, asOf: 1000, window: 365)
        // Recompute frequency/monetary/CLV customer by customer straight from the definition.
        var expectedFrequency = [Int32](repeating: 0, count: c.count)
        var net = [Int64](repeating: 0, count: c.count), ever = [Int64](repeating: 0, count: c.count)
        for j in 0..<t.count {
            let i = Int(t.customer[j])
            let day = Analytics.CivilDay.day(ofTimestamp: t.timestamp[j])
            guard day <= 1000 else { continue }
            ever[i] += t.amountMinor[j]
            if day > 1000 - 365 {
                net[i] += t.amountMinor[j]
                if t.amountMinor[j] > 0 { expectedFrequency[i] += 1 }
            }
        }
        #expect(f.frequency == expectedFrequency)
        #expect(f.monetaryMinor == net.map { max(0, $0) })
        #expect(f.clvMinor == ever.map { max(0, $0) })
        #expect(f.recencyScore.allSatisfy { (1...5).contains($0) })
        #expect(f.frequencyScore.allSatisfy { (1...5).contains($0) })
        #expect(f.monetaryScore.allSatisfy { (1...5).contains($0) })
        let segments = try Analytics.Histogram(codes: f.segment, of: Analytics.RFMSegment.self)
        #expect(segments.total == c.count)
        #expect(f.channelShare.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
