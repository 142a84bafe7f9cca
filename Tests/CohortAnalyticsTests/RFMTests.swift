import CohortAnalytics
import Testing

@Suite struct RFMScoreTests {
    @Test(arguments: [
        // value, cuts, higherIsBetter, expected score
        (0.0, [1.0, 2, 3, 4], true, UInt8(1)),
        (1.0, [1.0, 2, 3, 4], true, 1),       // equal to a cut ⇒ lower bin
        (1.5, [1.0, 2, 3, 4], true, 2),
        (4.0, [1.0, 2, 3, 4], true, 4),
        (4.1, [1.0, 2, 3, 4], true, 5),
        (0.0, [1.0, 2, 3, 4], false, 5),      // recency: small is good
        (2.5, [1.0, 2, 3, 4], false, 3),
        (99, [1.0, 2, 3, 4], false, 1),
        (2.0, [2.0, 2, 2, 2], true, 1),       // repeated cuts
        (2.5, [2.0, 2, 2, 2], true, 5),
    ] as [(Double, [Double], Bool, UInt8)])
    func cutPointScore(value: Double, cuts: [Double], higherIsBetter: Bool, expected: UInt8) {
        #expect(Analytics.RFM.score(value, cuts: cuts, higherIsBetter: higherIsBetter) == expected)
    }

    @Test func quintileScoresKnownAnswer() {
        // 10 values; the two 3s tie and both take the score of the first of them (rank 3 of 10
        // ascending ⇒ 2; rank 5 descending ⇒ 3) instead of being split by row.
        let values: [Int64] = [5, 1, 9, 3, 3, 7, 0, 8, 2, 6]
        #expect(Analytics.RFM.quintileScores(values, higherIsBetter: true) == [3, 1, 5, 2, 2, 4, 1, 5, 2, 4])
        #expect(Analytics.RFM.quintileScores(values, higherIsBetter: false) == [3, 5, 1, 3, 3, 2, 5, 1, 4, 2])
    }

    @Test func invalidCutPointsAreRejected() {
        #expect(throws: AnalyticsError.self) {
            try Analytics.RFM.CutPoints(recency: [1, 2, 3], frequency: [1, 2, 3, 4], monetary: [1, 2, 3, 4])
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.RFM.CutPoints(recency: [1, 2, 3, 4], frequency: [1, 3, 2, 4], monetary: [1, 2, 3, 4])
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.RFM.CutPoints(recency: [1, 2, 3, 4], frequency: [1, 2, 3, 4], monetary: [1, 2, 3, .nan])
        }
    }

    @Test func populationQuintileCutPoints() {
        let cuts = Analytics.RFM.CutPoints.quintiles(recency: [1, 2, 3, 4, 5, 6], frequency: [0, 0, 0, 0, 0, 10],
                                                     monetary: [100, 200, 300, 400, 500, 600])
        #expect(cuts.recency == [2, 3, 4, 5])
        #expect(cuts.frequency == [0, 0, 0, 0])
        #expect(cuts.monetary == [200, 300, 400, 500])
    }

    /// Property: for random values with many ties, scores are in 1…5, equal values score alike,
    /// scores are monotone in the value; for distinct values each score holds ⌊n/5⌋ or ⌈n/5⌉
    /// customers (with ties a score may hold more: the tie rule scores by value alone).
    @Test(arguments: [(UInt64(1), 1000), (2, 37), (3, 5), (4, 1), (5, 2503)])
    func quintileProperties(seed: UInt64, n: Int) {
        var g = TestGenerator(seed: seed)
        let values = (0..<n).map { _ in Int64(g.next() % 20) }
        let distinct = Array(0..<Int64(n)).shuffled(using: &g)
        for higherIsBetter in [true, false] {
            let scores = Analytics.RFM.quintileScores(values, higherIsBetter: higherIsBetter)
            #expect(scores.allSatisfy { (1...5).contains($0) })
            for i in 0..<n {
                for j in 0..<min(n, 60) {
                    if values[i] < values[j] {
                        #expect(higherIsBetter ? scores[i] <= scores[j] : scores[i] >= scores[j])
                    } else if values[i] == values[j] {
                        #expect(scores[i] == scores[j])
                    }
                }
            }
            var counts = [Int](repeating: 0, count: 6)
            for s in Analytics.RFM.quintileScores(distinct, higherIsBetter: higherIsBetter) { counts[Int(s)] += 1 }
            let sizes = counts[1...5].filter { $0 > 0 }
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        }
    }

    /// The radix-sorted rank scores agree with the definition (count the strictly worse values
    /// with a comparison sort and binary search) on wide and narrow (heavily tied) value ranges.
    @Test(arguments: [(UInt64(31), Int64(1) << 38), (32, 1 << 20), (33, 3), (34, 1 << 12)])
    func rankScoresMatchReferenceImplementation(seed: UInt64, range: Int64) {
        var g = TestGenerator(seed: seed)
        let n = 4000
        let values = (0..<n).map { _ in Int64(g.next() % UInt64(range)) - range / 2 }
        let ascending = values.sorted()
        for higherIsBetter in [true, false] {
            let expected = values.map { v -> UInt8 in
                // Number of values < v (higher better) or > v (lower better).
                var lo = 0, hi = n
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if higherIsBetter ? ascending[mid] < v : ascending[mid] <= v { lo = mid + 1 } else { hi = mid }
                }
                let worse = higherIsBetter ? lo : n - lo
                return UInt8(1 + 5 * worse / n)
            }
            #expect(Analytics.RFM.quintileScores(values, higherIsBetter: higherIsBetter) == expected)
        }
    }

    @Test func largeValuesUseTheFallbackSortAndAgree() {
        let values: [Int64] = [Int64.max, Int64.min, 0, 5, -5, Int64.max, 3, 1 << 50, -(1 << 50), 7]
        let scores = Analytics.RFM.quintileScores(values, higherIsBetter: true)
        #expect(scores == [5, 1, 2, 3, 2, 5, 3, 4, 1, 4])
    }
}

@Suite struct RFMSegmentTests {
    @Test(arguments: [
        (UInt8(5), UInt8(5), Analytics.RFMSegment.champions), (4, 4, .champions), (5, 4, .champions),
        (5, 3, .loyal), (4, 3, .loyal), (3, 4, .loyal), (3, 5, .loyal),
        (5, 2, .potentialLoyalist), (4, 2, .potentialLoyalist),
        (5, 1, .new), (4, 1, .promising),
        (3, 2, .needAttention), (3, 3, .needAttention),
        (3, 1, .aboutToSleep), (2, 2, .aboutToSleep),
        (2, 3, .atRisk), (2, 5, .atRisk), (1, 3, .atRisk),
        (1, 4, .cantLoseThem), (1, 5, .cantLoseThem),
        (2, 1, .hibernating), (1, 2, .hibernating),
        (1, 1, .lost),
    ] as [(UInt8, UInt8, Analytics.RFMSegment)])
    func ruleTable(r: UInt8, fm: UInt8, expected: Analytics.RFMSegment) {
        #expect(Analytics.RFMSegment(recencyScore: r, fmScore: fm) == expected)
    }

    @Test(arguments: [(UInt8(1), UInt8(1), UInt8(1)), (1, 2, 2), (2, 3, 3), (4, 5, 5), (5, 5, 5), (3, 4, 4), (1, 5, 3)])
    func fmScoreRoundsHalfUp(f: UInt8, m: UInt8, expected: UInt8) {
        #expect(Analytics.RFMSegment.fmScore(frequency: f, monetary: m) == expected)
    }

    /// Every (R, F, M) in 1…5³ maps to exactly one segment and all 11 segments occur.
    @Test func gridCoversEveryScoreAndEverySegment() {
        var seen = Set<Analytics.RFMSegment>()
        var total = 0
        for r in UInt8(1)...5 {
            for f in UInt8(1)...5 {
                for m in UInt8(1)...5 {
                    seen.insert(Analytics.RFMSegment(recency: r, frequency: f, monetary: m))
                    total += 1
                }
            }
        }
        #expect(total == 125)
        #expect(seen.count == 11)
        #expect(Analytics.RFMSegment.grid.count == 5 && Analytics.RFMSegment.grid.allSatisfy { $0.count == 5 })
    }

    @Test func namesAndSlugsRoundTrip() {
        #expect(Analytics.RFMSegment.codeCount == 11)
        #expect(Analytics.RFMSegment.names[8] == "Can't Lose Them")
        for s in Analytics.RFMSegment.allCases {
            #expect(Analytics.RFMSegment(slug: s.slug) == s)
            #expect(Analytics.RFMSegment(slug: s.name) == s)
            #expect(Int(s.code) == Analytics.RFMSegment.allCases.firstIndex(of: s))
        }
        #expect(Analytics.RFMSegment(slug: "vip") == nil)
    }
}
