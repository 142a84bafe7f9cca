import CohortAnalytics
import CohortPrivacy
import Testing
@testable import CohortLearning

@Suite struct EvaluationTests {
    /// Scores at bin midpoints (so binning loses nothing) with labels.
    static func midpointSample(bins: Int) -> (scores: [Double], labels: [Bool], negatives: [Double], positives: [Double]) {
        var scores: [Double] = [], labels: [Bool] = []
        var negatives = [Double](repeating: 0, count: bins), positives = [Double](repeating: 0, count: bins)
        for b in 0..<bins {
            let m = (Double(b) + 0.5) / Double(bins)
            let pos = (b * 7) % 5, neg = (b * 3) % 4 + (b < bins / 2 ? 3 : 0)
            for _ in 0..<pos { scores.append(m); labels.append(true) }
            for _ in 0..<neg { scores.append(m); labels.append(false) }
            positives[b] = Double(pos)
            negatives[b] = Double(neg)
        }
        return (scores, labels, negatives, positives)
    }

    @Test func noiseFreeReportEqualsTheExactMetricsAtBinMidpoints() throws {
        let s = Self.midpointSample(bins: 20)
        let report = try Learning.EvaluationReport(negatives: s.negatives, positives: s.positives, noiseSD: 0)
        #expect(abs(report.auc!.value - (try Analytics.Metrics.auc(scores: s.scores, labels: s.labels))) < 1e-12)
        #expect(abs(report.accuracy!.value - (try Analytics.Metrics.accuracy(probabilities: s.scores, labels: s.labels, threshold: 0.5))) < 1e-12)
        #expect(abs(report.logLoss!.value - (try Analytics.Metrics.logLoss(probabilities: s.scores, labels: s.labels))) < 1e-12)
        #expect(report.auc!.standardError == 0)
        #expect(report.positives.value == Double(s.labels.filter { $0 }.count))
        // Calibration: 10 groups of 2 bins, observed rate and mean prediction per group.
        #expect(report.calibration.count == 10)
        for (g, row) in report.calibration.enumerated() {
            let members = s.scores.indices.filter { Int(s.scores[$0] * 10) == g }
            let observed = Double(members.filter { s.labels[$0] }.count) / Double(members.count)
            let predicted = members.map { s.scores[$0] }.reduce(0, +) / Double(members.count)
            #expect(abs(row.observedRate!.value - observed) < 1e-12)
            #expect(abs(row.meanPredicted! - predicted) < 1e-12)
            #expect(row.customers.value == Double(members.count))
        }
    }

    @Test func noisedReportHasStandardErrorsThatCoverTheTruth() throws {
        // 200 replicates of a larger sample; noise SD 5 per count (fixed seeds).
        let bins = 50
        var negatives = [Double](repeating: 0, count: bins), positives = [Double](repeating: 0, count: bins)
        for b in 0..<bins {
            positives[b] = Double(20 + 8 * b)
            negatives[b] = Double(400 - 7 * b)
        }
        let truth = try Learning.EvaluationReport(negatives: negatives, positives: positives, noiseSD: 0)
        var g = Privacy.SeededRandomness(seed: 3)
        let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: try Privacy.Rational(25))
        let noisedN = negatives.map { $0 + Double(sampler.sample(using: &g)) }
        let noisedP = positives.map { $0 + Double(sampler.sample(using: &g)) }
        let report = try Learning.EvaluationReport(negatives: noisedN, positives: noisedP, noiseSD: 5)
        #expect(report.auc!.standardError > 0)
        #expect(report.auc!.standardError < 0.01)
        #expect(abs(report.auc!.value - truth.auc!.value) <= 4 * report.auc!.standardError)
        #expect(abs(report.accuracy!.value - truth.accuracy!.value) <= 4 * report.accuracy!.standardError)
        #expect(abs(report.logLoss!.value - truth.logLoss!.value) <= 4 * report.logLoss!.standardError)
    }

    @Test func evaluationStudyHistogramsTheLabelledCustomersScores() throws {
        let customers = Fixtures.clustered(n: 600, seed: 5, prefix: "E").customers
        let space = try Learning.FeatureSpace(names: ["log_recency", "log_frequency", "nps_class"], halfWidth: 1)
        let model = try Learning.LogisticModel(space: space, weights: [1.5, -0.8, 0.2, 0.1, 0.9, 0], intercept: -1.2)
        var c = Learning.EvaluationStudy.Configuration(model: model, privacy: try .init(epsilon: 1, delta: 1e-6))
        c.noiseOff = true
        c.bins = 10
        let study = try Learning.EvaluationStudy(c)
        let result = try Learning.Simulation.run(study, parties: [customers], seed: 1, noise: false).result
        let labelled = (0..<customers.count).filter { customers.churned[$0] != nil }
        let scores = model.probabilities(customers, rows: labelled)
        let labels = labelled.map { customers.churned[$0]! }
        #expect(result.positives.value == Double(labels.filter { $0 }.count))
        #expect(abs(result.accuracy!.value - (try Analytics.Metrics.accuracy(probabilities: scores, labels: labels))) < 1e-12)
        // AUC from 10 bins is within the binning error of the exact AUC.
        #expect(abs(result.auc!.value - (try Analytics.Metrics.auc(scores: scores, labels: labels))) < 0.05)
        #expect(try study.epsilon(delta: 1e-6) <= 1)
    }

    @Test func badEvaluationPlansAreRefused() throws {
        let space = try Learning.FeatureSpace(names: ["log_recency"], halfWidth: 1)
        let model = try Learning.LogisticModel(space: space, weights: [1], intercept: 0)
        var c = Learning.EvaluationStudy.Configuration(model: model, privacy: try .init(epsilon: 1, delta: 1e-6))
        c.bins = 25
        #expect(throws: LearningError.self) { try Learning.EvaluationStudy(c) }
        #expect(throws: LearningError.self) { try Learning.LogisticModel(space: space, weights: [1, 2], intercept: 0) }
        #expect(throws: LearningError.self) { try Learning.EvaluationReport(negatives: [1, 2], positives: [1], noiseSD: 0) }
    }
}
