import CohortAnalytics
import Foundation
import Testing

@Suite struct HistogramTests {
    @Test func countsCodes() throws {
        let h = try Analytics.Histogram(codes: [0, 2, 2, 1, 2, 0], binCount: 4)
        #expect(h.counts == [2, 1, 3, 0])
        #expect(h.total == 6)
        let expectedShares: [Double] = [2.0 / 6, 1.0 / 6, 3.0 / 6, 0]
        #expect(h.shares == expectedShares)
        let merged = try h.merged(with: Analytics.Histogram(counts: [1, 1, 1, 1]))
        #expect(merged.counts == [3, 2, 4, 1])
        #expect(throws: AnalyticsError.self) { try h.merged(with: Analytics.Histogram(binCount: 3)) }
        var growing = Analytics.Histogram(binCount: 2)
        try growing.add(code: 1)
        #expect(growing.counts == [0, 1])
        #expect(throws: AnalyticsError.self) { try growing.add(code: 2) }
    }

    @Test func outOfRangeCodeNamesTheRow() {
        #expect {
            try Analytics.Histogram(codes: [0, 1, 7], binCount: 3)
        } throws: { ($0 as? AnalyticsError)?.message.contains("row 2") ?? false }
    }

    @Test func numericBinsClampOutliers() throws {
        let h = try Analytics.Histogram(values: [-5, 0, 0.99, 1, 2.5, 3, 100, .nan], lower: 0, upper: 3, binCount: 3)
        #expect(h.counts == [3, 1, 3])
    }

    @Test func crossTab() throws {
        let t = try Analytics.CrossTab(rowCodes: [0, 0, 1, 1, 1], rows: 2, colCodes: [0, 1, 1, 1, 2], cols: 3)
        #expect(t.counts == [1, 1, 0, 0, 2, 1])
        #expect(t[1, 1] == 2)
        #expect(t.rowTotals == [2, 3])
        #expect(t.colTotals == [1, 3, 1])
        #expect(throws: AnalyticsError.self) {
            try Analytics.CrossTab(rowCodes: [0, 3], rows: 2, colCodes: [0, 0], cols: 1)
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.CrossTab(rowCodes: [0], rows: 2, colCodes: [0, 0], cols: 1)
        }
    }

    @Test func groupedSumsGiveMeansPerCell() throws {
        let g = try Analytics.GroupedSums(codes: [0, 0, 1, 2, 2], values: [1, 0, nil, 10, 20], binCount: 4)
        #expect(g.sums == [1, 0, 30, 0])
        #expect(g.counts == [2, 0, 2, 0])
        #expect(g.means == [0.5, nil, 15, nil])
    }
}

@Suite struct QuantileTests {
    @Test(arguments: [(0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (0.75, 3.25), (1.0, 4.0)])
    func exactType7(p: Double, expected: Double) throws {
        let q = try Analytics.Quantiles.exact([4, 1, 3, 2], probabilities: [p])
        #expect(abs(q[0] - expected) < 1e-12)
    }

    @Test(arguments: [(0.0, 0.0), (0.25, 0.5), (0.5, 1.0), (0.75, 2.5), (1.0, 3.0)])
    func fromHistogramKnownAnswers(p: Double, expected: Double) throws {
        let q = try Analytics.Quantiles.fromHistogram(counts: [10, 0, 10], lower: 0, upper: 3, probabilities: [p])
        #expect(abs(q[0] - expected) < 1e-12)
    }

    @Test func noisyCountsAreClampedAndErrorsReported() throws {
        let q = try Analytics.Quantiles.fromHistogram(counts: [-3, 4, 0, 4], lower: 0, upper: 40, probabilities: [0.5])
        #expect(abs(q[0] - 20) < 1e-12)
        #expect(throws: AnalyticsError.self) {
            try Analytics.Quantiles.fromHistogram(counts: [0, -1], lower: 0, upper: 1, probabilities: [0.5])
        }
        #expect(throws: AnalyticsError.self) { try Analytics.Quantiles.exact([], probabilities: [0.5]) }
        #expect(throws: AnalyticsError.self) { try Analytics.Quantiles.exact([1], probabilities: [1.5]) }
        #expect(throws: AnalyticsError.self) {
            try Analytics.Quantiles.fromHistogram(counts: [1], lower: 1, upper: 1, probabilities: [0.5])
        }
    }

    /// Property: with fine bins, histogram quantiles are within one bin width of exact ones.
    @Test(arguments: [UInt64(7), 8, 9])
    func fineHistogramApproximatesExact(seed: UInt64) throws {
        var g = TestGenerator(seed: seed)
        let values = (0..<5000).map { _ in g.uniform() * g.uniform() * 1000 }
        let probabilities = [0.1, 0.2, 0.5, 0.8, 0.9]
        let exact = try Analytics.Quantiles.exact(values, probabilities: probabilities)
        let histogram = try Analytics.Histogram(values: values, lower: 0, upper: 1000, binCount: 1000)
        let approx = try Analytics.Quantiles.fromHistogram(counts: histogram.counts.map(Double.init), lower: 0, upper: 1000,
                                                           probabilities: probabilities)
        for (e, a) in zip(exact, approx) { #expect(abs(e - a) <= 1.0) }
    }
}

@Suite struct FederatedBuildingBlockTests {
    @Test func meanStudyInputsReproduceReportFigures() throws {
        let f = try FeatureKnownAnswerTests.features()
        // NPS contributions: A promoter, B none, C passive, D detractor, E promoter.
        #expect(f.npsContribution == [100, nil, 0, -100, 100])
        #expect(f.churnIndicator == [0, 1, 1, nil, 0])
        #expect(f.clvValues(clampedTo: 6000) == [6000, 0, 5000, 7, 50])
        let nps = try Analytics.GroupedSums(codes: f.segment, values: f.npsContribution, binCount: Analytics.RFMSegment.codeCount)
        // Loyal = A (+100) and D (−100) ⇒ NPS 0; Champions = E (+100); Hibernating = C (passive);
        // Lost = B (no answer).
        #expect(nps.means[Int(Analytics.RFMSegment.loyal.code)] == 0)
        #expect(nps.means[Int(Analytics.RFMSegment.champions.code)] == 100)
        #expect(nps.counts[Int(Analytics.RFMSegment.hibernating.code)] == 1)
        #expect(nps.counts[Int(Analytics.RFMSegment.lost.code)] == 0)
        let crossTab = try Analytics.CrossTab(rowCodes: f.segment, rows: Analytics.RFMSegment.codeCount,
                                              colCodes: f.lifecycleStage, cols: Analytics.LifecycleStage.codeCount)
        #expect(crossTab.counts.reduce(0, +) == 5)
        #expect(crossTab[Int(Analytics.RFMSegment.champions.code), Int(Analytics.LifecycleStage.new.code)] == 1)
    }

    @Test func codableShapesAreValidatedOnDecode() throws {
        let bad = #"{"rows":2,"cols":2,"storage":[1,2,3]}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Analytics.Matrix.self, from: Data(bad.utf8)) }
        let sums = #"{"k":2,"dimension":2,"sums":[1,2,3],"counts":[1,1],"inertia":0}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Analytics.KMeans.StepSums.self, from: Data(sums.utf8)) }
        let good = try Analytics.KMeans.StepSums(k: 1, dimension: 2, sums: [1, 2], counts: [1], inertia: 0.5)
        let data = try JSONEncoder().encode(good)
        #expect(try JSONDecoder().decode(Analytics.KMeans.StepSums.self, from: data) == good)
        let model = Analytics.LogisticRegression.Model(weights: [1, 2], intercept: 0,
                                                       standardizer: try .init(means: [0], standardDeviations: [1]))
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(Analytics.LogisticRegression.Model.self, from: JSONEncoder().encode(model))
        }
    }
}
