import Foundation
import CohortAnalytics
import Testing

@Suite struct SegmentationReportTests {
    static func report(seed: UInt64 = 1) throws -> Analytics.SegmentationReport {
        let (c, t) = randomTables(n: 1500, meanTransactions: 5, seed: 77)
        return try Analytics.SegmentationReport.build(customers: c, transactions: t, asOf: 1000,
                                                      options: .init(seed: seed, kSelectionSampleSize: 600))
    }

    @Test func countsAddUpAndChurnModelBeatsChance() throws {
        let r = try Self.report()
        #expect(r.customers == 1500)
        #expect(r.segments.count == 11)
        #expect(r.segments.map(\.customers).reduce(0, +) == 1500)
        #expect(r.lifecycleStages.map(\.customers).reduce(0, +) == 1500)
        #expect(r.valueTiers.map(\.customers).reduce(0, +) == 1500)
        #expect(r.channelBands.map(\.customers).reduce(0, +) == 1500)
        #expect(abs(r.segments.map(\.share).reduce(0, +) - 1) < 1e-9)
        #expect(r.segments.map(\.churnLabelled).reduce(0, +) == r.overall.churnLabelled)
        let km = try #require(r.kmeans)
        #expect((2...6).contains(km.k))
        #expect(km.clusters.map(\.size).reduce(0, +) == 1500)
        #expect(km.clusters.map(\.cluster) == Array(1...km.k))
        #expect(zip(km.clusters, km.clusters.dropFirst()).allSatisfy { $0.meanMonetaryMinor >= $1.meanMonetaryMinor })
        let churn = try #require(r.churnModel)
        // The synthetic churners stopped buying 200–400 days ago, so both models separate well.
        #expect(churn.holdoutAUC > 0.8)
        #expect(churn.baselineAUC > 0.8)
        #expect(churn.trainCount + churn.holdoutCount == r.overall.churnLabelled)
        #expect(abs(Double(churn.holdoutCount) - 0.3 * Double(r.overall.churnLabelled)) <= 1)
        #expect(r.notes.isEmpty)
    }

    @Test func segmentChurnAndNPSMatchDirectComputation() throws {
        let (c, t) = randomTables(n: 1500, meanTransactions: 5, seed: 77)
        let f = try Analytics.Features.compute(customers: c, transactions: t, asOf: 1000)
        let r = try Analytics.SegmentationReport.build(features: f, options: .init(k: .fixed(3)))
        for s in r.segments {
            let rows = (0..<f.count).filter { Int(f.segment[$0]) == s.code }
            let labels = rows.compactMap { f.churned[$0] }
            let churnRate = labels.isEmpty ? nil : Double(labels.filter { $0 }.count) / Double(labels.count)
            #expect(s.churnRate == churnRate)
            let answers = rows.compactMap { f.nps[$0] }
            let nps = answers.isEmpty ? nil
                : 100 * Double(answers.filter { $0 >= 9 }.count - answers.filter { $0 <= 6 }.count) / Double(answers.count)
            #expect(s.nps.map { ($0 * 1e9).rounded() } == nps.map { ($0 * 1e9).rounded() })
        }
        #expect(r.kmeans?.k == 3)
        #expect(r.kmeans?.selection == "fixed")
    }

    @Test func deterministicForASeedAndJSONRoundTrips() throws {
        let a = try Self.report(seed: 5), b = try Self.report(seed: 5)
        #expect(a == b)
        let json = try a.renderJSON()
        #expect(json == (try b.renderJSON()))
        let decoded = try Analytics.SegmentationReport.decodeJSON(json)
        #expect(decoded == a)
        // Keys are snake_case and sorted: "as_of_date" precedes "as_of_day" precedes "channel_bands".
        let i1 = try #require(json.range(of: "\"as_of_date\"")), i2 = try #require(json.range(of: "\"as_of_day\""))
        let i3 = try #require(json.range(of: "\"channel_bands\""))
        #expect(i1.lowerBound < i2.lowerBound && i2.lowerBound < i3.lowerBound)
    }

    @Test func textRenderingHasAlignedTables() throws {
        let text = try Self.report().renderText()
        for heading in ["Segmentation report — as of 1972-09-27", "RFM segments", "Lifecycle stages", "Value tiers",
                        "k-means segmentation", "Churn model", "Champions", "Can't Lose Them", "AUC"] {
            #expect(text.contains(heading))
        }
        // In the segment table, the "customers" column ends at the same offset on every row.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("segment ") })
        let end = try #require(lines[header].range(of: "customers")).upperBound.utf16Offset(in: lines[header])
        for line in lines[(header + 2)..<(header + 14)] {
            let index = line.index(line.startIndex, offsetBy: end - 1)
            #expect(line[index].isNumber)
            #expect(line[line.index(after: index)] == " ")
        }
    }

    @Test func smallPopulationsDegradeWithNotes() throws {
        var c = Analytics.CustomerTable()
        c.append(id: "only", signupDay: 0, churned: true)
        let r = try Analytics.SegmentationReport.build(customers: c, transactions: .init(), asOf: 10)
        #expect(r.kmeans == nil)
        #expect(r.churnModel == nil)
        #expect(r.notes.count == 2)
        #expect(r.renderText().contains("Notes"))
        #expect(throws: AnalyticsError.self) {
            try Analytics.SegmentationReport.build(customers: c, transactions: .init(), asOf: 10, options: .init(holdoutFraction: 1))
        }
    }
}

@Suite struct FeatureCSVTests {
    @Test func headerAndRows() throws {
        let f = try FeatureKnownAnswerTests.features()
        let lines = Array(Analytics.FeatureCSV.lines(f))
        #expect(lines.count == 6)
        #expect(lines[0] == Analytics.FeatureCSV.columns.joined(separator: ","))
        #expect(lines[1] == "A,1,1970-04-10,3,6000,50,2000.00,7000,3,5,5,5,loyal,growing,high,store,0.6667,60-80,10,promoter,0")
        #expect(lines[2] == "B,11,,0,0,5,0.00,0,1,1,1,1,lost,new,basic,,0.0000,0-20,,unanswered,1")   // never bought ⇒ R 1
        #expect(lines[4].hasSuffix(",0,detractor,"))   // D: churn unknown
        for line in lines { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 21) }
        #expect(Array(Analytics.FeatureCSV.lines(f, includeHeader: false)).count == 5)
    }

    @Test(arguments: [("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("x\ny", "\"x\ny\"")])
    func quoting(field: String, expected: String) {
        #expect(Analytics.FeatureCSV.quote(field) == expected)
    }
}
