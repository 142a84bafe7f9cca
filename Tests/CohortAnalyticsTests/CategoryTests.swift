import CohortAnalytics
import Testing

@Suite struct CategoryTests {
    @Test(arguments: [
        (Int8?.none, Analytics.NPSClass?.some(.unanswered)), (0, .detractor), (6, .detractor), (7, .passive),
        (8, .passive), (9, .promoter), (10, .promoter), (11, nil), (-1, nil),
    ] as [(Int8?, Analytics.NPSClass?)])
    func npsClass(answer: Int8?, expected: Analytics.NPSClass?) {
        #expect(Analytics.NPSClass(answer: answer) == expected)
    }

    @Test func npsScore() {
        // 5 promoters, 3 passives, 2 detractors ⇒ 50 % − 20 % = 30 points.
        #expect(Analytics.NPSClass.score(promoters: 5, passives: 3, detractors: 2) == 30)
        #expect(Analytics.NPSClass.score(promoters: 0, passives: 0, detractors: 4) == -100)
        #expect(Analytics.NPSClass.score(promoters: 0, passives: 0, detractors: 0) == nil)
    }

    @Test(arguments: [
        (0, 0, Analytics.ChannelBand.upTo20), (0, 5, .upTo20), (1, 10, .upTo20), (1, 5, .upTo40), (1, 3, .upTo40),
        (2, 5, .upTo60), (1, 2, .upTo60), (3, 5, .upTo80), (2, 3, .upTo80), (4, 5, .upTo100), (5, 5, .upTo100),
    ] as [(Int, Int, Analytics.ChannelBand)])
    func channelBandExact(inChannel: Int, purchases: Int, expected: Analytics.ChannelBand) {
        #expect(Analytics.ChannelBand(purchasesInChannel: inChannel, purchases: purchases) == expected)
    }

    @Test(arguments: [(0.0, UInt8(0)), (0.19, 0), (0.2, 1), (0.5, 2), (0.79, 3), (0.8, 4), (1.0, 4), (1.5, 4), (-1, 0), (.nan, 0)])
    func channelBandFromShare(share: Double, expected: UInt8) {
        #expect(Analytics.ChannelBand(share: share).code == expected)
    }

    @Test func channelBandNames() {
        #expect(Analytics.ChannelBand.names == ["0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"])
        #expect(Analytics.ChannelBand(slug: "80-100") == .upTo100)
    }

    @Test(arguments: [(Int64(0), Analytics.ValueTier.basic), (1, .basic), (499, .basic), (500, .mid), (999, .mid), (1000, .high), (-5, .basic)])
    func valueTier(monetary: Int64, expected: Analytics.ValueTier) throws {
        #expect(Analytics.ValueTier(monetary: monetary, cutPoints: try .init(mid: 500, high: 1000)) == expected)
    }

    @Test func valueTierPopulationCutPoints() throws {
        let monetary = (1...10).map { Int64($0 * 100) }   // 100 … 1000
        let cuts = Analytics.ValueTier.CutPoints.population(monetary: monetary)
        #expect(cuts == (try .init(mid: 600, high: 900)))
        let tiers = monetary.map { Analytics.ValueTier(monetary: $0, cutPoints: cuts) }
        #expect(tiers.filter { $0 == .high }.count == 2)   // top 20 %
        #expect(tiers.filter { $0 == .mid }.count == 3)    // next 30 %
        #expect(throws: AnalyticsError.self) { try Analytics.ValueTier.CutPoints(mid: 10, high: 5) }
    }

    @Test(arguments: [
        // tenure, recency, earlier, recent, expected (standard rules: 90 d, 180 d, ±20 %)
        (Int32(10), Int32(500), Int64(0), Int64(0), Analytics.LifecycleStage.new),
        (89, 1, 100, 100, .new),
        (90, 181, 100, 100, .churned),
        (400, 180, 0, 0, .declining),
        (400, 10, 0, 1, .growing),
        (400, 10, 100, 121, .growing),
        (400, 10, 100, 120, .mature),
        (400, 10, 100, 80, .mature),
        (400, 10, 100, 79, .declining),
        (400, 10, 100, 0, .declining),
    ] as [(Int32, Int32, Int64, Int64, Analytics.LifecycleStage)])
    func lifecycleRules(tenure: Int32, recency: Int32, earlier: Int64, recent: Int64, expected: Analytics.LifecycleStage) {
        #expect(Analytics.LifecycleStage(tenureDays: tenure, recencyDays: recency, earlierHalfSpend: earlier,
                                         recentHalfSpend: recent) == expected)
    }

    @Test func lifecycleRulesValidate() {
        #expect(throws: AnalyticsError.self) { try Analytics.LifecycleStage.Rules(trendTolerance: 1.5) }
        #expect(throws: AnalyticsError.self) { try Analytics.LifecycleStage.Rules(newTenureDays: -1) }
    }

    @Test func codeTablesAreDense() {
        #expect(Analytics.LifecycleStage.slugs == ["new", "growing", "mature", "declining", "churned"])
        #expect(Analytics.ValueTier.slugs == ["high", "mid", "basic"])
        #expect(Analytics.NPSClass.slugs == ["promoter", "passive", "detractor", "unanswered"])
        #expect(Analytics.LifecycleStage.allCases.map(\.code) == [0, 1, 2, 3, 4])
    }
}

@Suite struct CivilDayTests {
    @Test(arguments: [(Int64(0), "1970-01-01"), (-1, "1969-12-31"), (11016, "2000-02-29"), (19723, "2024-01-01"), (-719_468, "0000-03-01")])
    func isoRoundTrip(day: Int64, text: String) {
        #expect(Analytics.CivilDay.isoString(ofDay: day) == text)
        #expect(Analytics.CivilDay.day(isoString: text) == day)
    }

    @Test func timestampsFloorToDays() {
        #expect(Analytics.CivilDay.day(ofTimestamp: 0) == 0)
        #expect(Analytics.CivilDay.day(ofTimestamp: 86_399) == 0)
        #expect(Analytics.CivilDay.day(ofTimestamp: 86_400) == 1)
        #expect(Analytics.CivilDay.day(ofTimestamp: -1) == -1)
        #expect(Analytics.CivilDay.day(ofTimestamp: -86_400) == -1)
        #expect(Analytics.CivilDay.day(ofTimestamp: -86_401) == -2)
    }

    @Test func malformedDates() {
        #expect(Analytics.CivilDay.day(isoString: "2023-02-29") == nil)
        #expect(Analytics.CivilDay.day(isoString: "2023-13-01") == nil)
        #expect(Analytics.CivilDay.day(isoString: "20230101") == nil)
    }
}
