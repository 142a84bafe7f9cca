import CohortAnalytics
import Testing

/// Issue 10, defect 11: RFM scores depended on the order of rows in the customers file (ties
/// were broken by row index), and a customer who never bought ranked as `window + 1` days
/// recent — more recent than anyone who last bought before that.
@Suite struct RFMTieTests {
    /// A purchase-log-like population, heavily tied like real ones (CDNOW, UCI Online Retail):
    /// ~20 % never bought, ~10 % bought only before the window, ~45 % bought exactly once in the
    /// window (three possible amounts, ten possible days), the rest 2–6 times, a few with refunds.
    static func tiedPopulation(n: Int, seed: UInt64, asOf: Int32 = 1000)
        -> (Analytics.CustomerTable, [(id: String, day: Int64, amount: Int64, channel: UInt16)]) {
        var g = TestGenerator(seed: seed)
        var customers = Analytics.CustomerTable()
        var purchases: [(id: String, day: Int64, amount: Int64, channel: UInt16)] = []
        for i in 0..<n {
            let id = "c\(i)"
            customers.append(id: id, signupDay: 0)
            let kind = g.next() % 100
            if kind < 20 { continue }
            if kind < 30 {
                purchases.append((id, Int64(100 + g.next() % 4 * 100), 1500, 0))
                continue
            }
            if kind < 75 {
                purchases.append((id, Int64(asOf) - Int64(g.next() % 10) * 30, [1000, 2000, 2500][Int(g.next() % 3)], 1))
                continue
            }
            for _ in 0..<(2 + Int(g.next() % 5)) {
                let amount = Int64(500 * (1 + g.next() % 8))
                purchases.append((id, Int64(asOf) - Int64(g.next() % 700), g.next() % 12 == 0 ? -amount : amount, UInt16(g.next() % 3)))
            }
        }
        return (customers, purchases)
    }

    /// The transaction table for `customers` (in their row order) from purchases keyed by id.
    static func table(_ customers: Analytics.CustomerTable,
                      _ purchases: [(id: String, day: Int64, amount: Int64, channel: UInt16)]) -> Analytics.TransactionTable {
        var row: [String: Int32] = [:]
        for (i, id) in customers.ids.enumerated() { row[id] = Int32(i) }
        let rows = purchases.map { (row[$0.id]!, $0.day, $0.amount, $0.channel) }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        return transactions(rows)
    }

    /// Property: shuffling the customer rows (fixed seeds) leaves every customer's R, F, M
    /// scores, segment and value tier unchanged, in both scorings. Fails on the row-index tie
    /// rule: most tied customers changed score.
    @Test(arguments: [(UInt64(11), 997), (12, 2_000), (13, 5), (14, 9_000)])
    func rfmScoresArePermutationInvariant(seed: UInt64, n: Int) throws {
        let (customers, purchases) = Self.tiedPopulation(n: n, seed: seed)
        let cuts = try Analytics.RFM.CutPoints(recency: [30, 90, 180, 400], frequency: [1, 2, 3, 4], monetary: [1000, 2000, 3000, 5000])
        var g = TestGenerator(seed: seed ^ 0xA5A5)
        var order = Array(0..<n)
        order.shuffle(using: &g)
        var shuffled = Analytics.CustomerTable()
        for i in order { shuffled.append(id: customers.ids[i], signupDay: customers.signupDay[i]) }
        for scoring in [Analytics.Features.RFMScoring.populationQuintiles, .cutPoints(cuts)] {
            let options = Analytics.Features.Options(rfm: scoring)
            let a = try Analytics.Features.compute(customers: customers, transactions: Self.table(customers, purchases), asOf: 1000, options: options)
            let b = try Analytics.Features.compute(customers: shuffled, transactions: Self.table(shuffled, purchases), asOf: 1000, options: options)
            var mismatches = 0
            for (k, i) in order.enumerated() {
                #expect(b.ids[k] == a.ids[i])
                if (a.recencyScore[i], a.frequencyScore[i], a.monetaryScore[i], a.segment[i], a.valueTier[i])
                    != (b.recencyScore[k], b.frequencyScore[k], b.monetaryScore[k], b.segment[k], b.valueTier[k]) {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0, "\(mismatches) of \(n) customers changed score when the rows were shuffled (\(scoring))")
            #expect(a.rfmCutPoints == b.rfmCutPoints)
            #expect(a.tierCutPoints == b.tierCutPoints)
            // No purchase in the window: F 1, M 1, so FM 1 — never Loyal or a Champion.
            for i in 0..<n where a.frequency[i] == 0 {
                #expect(a.frequencyScore[i] == 1 && a.monetaryScore[i] == 1)
                let segment = Analytics.RFMSegment(rawValue: a.segment[i])
                #expect(segment != .loyal && segment != .champions)
            }
        }
    }

    /// The tie rule, exactly: score = 1 + ⌊5 · (customers with a strictly worse value) / n⌋.
    @Test func tieRuleKnownAnswer() {
        let values: [Int64] = [0, 0, 0, 0, 0, 0, 1, 1, 2, 3]
        // Higher is better: the six 0s have nobody worse (score 1); the 1s have 6 worse ⇒
        // 1 + ⌊30/10⌋ = 4; 2 has 8 worse ⇒ 5; 3 has 9 worse ⇒ 5.
        #expect(Analytics.RFM.quintileScores(values, higherIsBetter: true) == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5])
        // Lower is better (recency): 3 has 0 worse ⇒ 1; 2 has 1 ⇒ 1; the 1s have 2 ⇒ 2; the 0s
        // have 4 ⇒ 1 + ⌊20/10⌋ = 3.
        #expect(Analytics.RFM.quintileScores(values, higherIsBetter: false) == [3, 3, 3, 3, 3, 3, 2, 2, 1, 1])
        // Same multiset, any order: same score per value.
        let reversed = Array(values.reversed())
        #expect(Analytics.RFM.quintileScores(reversed, higherIsBetter: true) == [5, 5, 4, 4, 1, 1, 1, 1, 1, 1])
        // All equal: everyone scores 1.
        #expect(Analytics.RFM.quintileScores([7, 7, 7], higherIsBetter: true) == [1, 1, 1])
        #expect(Analytics.RFM.quintileScores([7, 7, 7], higherIsBetter: false) == [1, 1, 1])
    }

    /// A customer who never bought is the least recent of all — below customers whose last
    /// purchase was 900 days ago — so R 1, F 1, M 1 and segment Lost, under both scorings; before
    /// the fix they ranked as `window + 1` = 366 days (R 3 by rank, R 2 with these cut points).
    @Test func neverBoughtRanksLeastRecentAndIsNeverLoyalOrChampion() throws {
        var customers = Analytics.CustomerTable()
        for i in 0..<10 { customers.append(id: "k\(i)", signupDay: 0) }
        // Row 4 never bought; rows 0–3 last bought 900 days ago; rows 5–9 bought recently, often.
        var rows: [(Int32, Int64, Int64, UInt16)] = []
        for i in Int32(0)...3 { rows.append((i, 100, 5000, 0)) }
        for i in Int32(5)...9 {
            for d in 0..<Int64(i) { rows.append((i, 990 - d * 10, 1000 * Int64(i), 0)) }
        }
        let t = transactions(rows)
        let cuts = try Analytics.RFM.CutPoints(recency: [30, 90, 180, 400], frequency: [1, 2, 3, 4], monetary: [1000, 2000, 3000, 5000])
        for scoring in [Analytics.Features.RFMScoring.populationQuintiles, .cutPoints(cuts)] {
            let f = try Analytics.Features.compute(customers: customers, transactions: t, asOf: 1000, window: 365,
                                                   options: .init(rfm: scoring))
            #expect(f.lastPurchaseDay[4] == nil)
            #expect(f.recencyScore[4] == 1, "never-bought R score \(f.recencyScore[4]) (\(scoring))")
            #expect(f.frequencyScore[4] == 1 && f.monetaryScore[4] == 1)
            #expect(Analytics.RFMSegment(rawValue: f.segment[4]) == .lost)
            for i in 0..<10 where i != 4 { #expect(f.recencyScore[i] >= f.recencyScore[4]) }
        }
        // By rank: the never-bought customer is the only one with nobody worse; the four 900-day
        // customers have 1 worse (1 + ⌊5/10⌋ = 1); the five recent ones 5 worse (R 3).
        let ranked = try Analytics.Features.compute(customers: customers, transactions: t, asOf: 1000, window: 365)
        #expect(ranked.recencyScore == [1, 1, 1, 1, 1, 3, 3, 3, 3, 3])
        // Reference recency cut points stay computed from ascending values (366 merged in place).
        #expect(ranked.rfmCutPoints.recency == ranked.rfmCutPoints.recency.sorted())
    }

    /// A population where every customer never bought scores 1 everywhere.
    @Test func populationOfNeverBoughtScoresOne() throws {
        var customers = Analytics.CustomerTable()
        for i in 0..<4 { customers.append(id: "n\(i)", signupDay: 0) }
        let f = try Analytics.Features.compute(customers: customers, transactions: transactions([]), asOf: 1000)
        #expect(f.recencyScore == [1, 1, 1, 1] && f.frequencyScore == [1, 1, 1, 1] && f.monetaryScore == [1, 1, 1, 1])
    }
}
