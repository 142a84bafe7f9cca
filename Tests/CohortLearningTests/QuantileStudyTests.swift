import CohortAnalytics
import CohortPrivacy
import Testing
@testable import CohortLearning

@Suite struct QuantileStudyTests {
    static let parties = (0..<3).map { Fixtures.clustered(n: 3000, seed: 70 + UInt64($0), prefix: "Q\($0)-", spread: 0.5).customers }

    @Test func noiseFreeQuantilesEqualTheHistogramQuantilesOfTheUnion() throws {
        var c = Learning.QuantileStudy.Configuration(privacy: try .init(epsilon: 1, delta: 1e-6))
        c.noiseOff = true
        let study = try Learning.QuantileStudy(c)
        let result = try Learning.Simulation.run(study, parties: Self.parties, seed: 1, noise: false).result
        let union = Learning.Customers.union(Self.parties)
        let p = [0.2, 0.4, 0.6, 0.8]
        // Recency: 1-day bins, so the released quantile is within one day of the exact one.
        let exactRecency = try Analytics.Quantiles.exact(union.recencyDays.map(Double.init), probabilities: p)
        for (r, e) in zip(result.recencyDays, exactRecency) { #expect(abs(r.value - e) <= 1) }
        let exactFrequency = try Analytics.Quantiles.exact(union.frequency.map(Double.init), probabilities: p)
        for (r, e) in zip(result.frequency, exactFrequency) { #expect(abs(r.value - e) <= 1) }
        // Monetary: the histogram quantile on the log scale, mapped back.
        var logHistogram = [Double](repeating: 0, count: c.monetaryBins)
        let upper = Analytics.Math.log1p(c.maxMonetaryMajor)
        for v in union.monetaryMinor {
            let b = min(Int((Analytics.Math.log1p(Double(v) / 100) / upper * Double(c.monetaryBins)).rounded(.down)), c.monetaryBins - 1)
            logHistogram[b] += 1
        }
        let expected = try Analytics.Quantiles.fromHistogram(counts: logHistogram, lower: 0, upper: upper, probabilities: p)
        for (r, e) in zip(result.monetaryMajor, expected) { #expect(abs(r.value - (Analytics.Math.exp(e) - 1)) < 1e-6 * max(1, r.value)) }
        let exactMonetary = try Analytics.Quantiles.exact(union.monetaryMinor.map { Double($0) / 100 }, probabilities: p)
        for (r, e) in zip(result.monetaryMajor, exactMonetary) { #expect(abs(r.value - e) / e < 0.02) }
        #expect(result.recencyDays.allSatisfy { $0.standardError == 0 })
        // Consortium RFM cut points, in cents for monetary.
        let cuts = try result.rfmCutPoints()
        #expect(cuts.recency == result.recencyDays.map(\.value))
        #expect(cuts.monetary == result.monetaryMajor.map { $0.value * 100 })
    }

    @Test func dpQuantilesWithRealNoiseAreCloseToTheExactOnes() throws {
        var c = Learning.QuantileStudy.Configuration(privacy: try .init(epsilon: 1, delta: 1e-6))
        c.parties = 3
        let study = try Learning.QuantileStudy(c)
        let union = Learning.Customers.union(Self.parties)
        let n = Double(union.count)
        for seed: UInt64 in [1, 2] {
            let result = try Learning.Simulation.run(study, parties: Self.parties, seed: seed).result
            // Tolerance in probability: the cumulative noise up to a bin has SD σ_agg·√bins ≈
            // 13.6·√731 ≈ 370 customers of 9 000, so the exact share of customers below each
            // released quantile must be within 4 SD (0.17) — and is typically far closer.
            let tolerance = 4 * study.noise.aggregateStandardDeviation(parties: 3) * 731.0.squareRoot() / n
            for (r, p) in zip(result.recencyDays, c.probabilities) {
                let below = Double(union.recencyDays.filter { Double($0) < r.value }.count) / n
                let atOrBelow = Double(union.recencyDays.filter { Double($0) <= r.value }.count) / n
                #expect(below - tolerance <= p && p <= atOrBelow + tolerance)
                #expect(r.standardError > 0)
            }
            let cuts = try result.rfmCutPoints()
            #expect(cuts.frequency == cuts.frequency.sorted())
        }
    }

    @Test func quantilePlansAndNonQuintileCutPointsAreRefused() throws {
        var c = Learning.QuantileStudy.Configuration(privacy: try .init(epsilon: 1, delta: 1e-6))
        c.probabilities = [0.5, 1.5]
        #expect(throws: LearningError.self) { try Learning.QuantileStudy(c) }
        c.probabilities = [0.5]
        c.noiseOff = true
        let study = try Learning.QuantileStudy(c)
        let result = try Learning.Simulation.run(study, parties: Self.parties, seed: 1, noise: false).result
        #expect(throws: LearningError.self) { try result.rfmCutPoints() }
    }
}
