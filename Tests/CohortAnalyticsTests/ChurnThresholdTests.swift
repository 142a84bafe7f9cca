import CohortAnalytics
import Foundation
import Testing

/// Issue 17 item 7: `analyze` printed the churn model's accuracy at a fixed 0.5 threshold
/// (0.7750, below the 0.7755 of predicting "no churn" for everyone) with no baseline beside it,
/// and its JSON keys were camelCase.
@Suite struct ChurnThresholdTests {
    @Test(arguments: [
        // Separable, centred: the threshold between the classes.
        ([0.1, 0.2, 0.3, 0.4], [false, false, true, true], 0.3),
        // Imbalanced, every probability below 0.5 (the defect's case): 0.5 predicts no churn at all.
        ([0.05, 0.1, 0.2, 0.3, 0.35, 0.4], [false, false, false, false, true, true], 0.35),
        // Uninformative scores: predicting the majority class (negative) for everyone is best.
        ([0.6, 0.6, 0.6, 0.6], [false, false, false, true], 0.6.nextUp),
    ])
    func thresholdMaximizesTrainingAccuracy(probabilities: [Double], labels: [Bool], expected: Double) throws {
        let threshold = try Analytics.LogisticRegression.accuracyMaximizingThreshold(probabilities: probabilities, labels: labels)
        #expect(threshold == expected)
        let chosen = try Analytics.Metrics.accuracy(probabilities: probabilities, labels: labels, threshold: threshold)
        let atHalf = try Analytics.Metrics.accuracy(probabilities: probabilities, labels: labels, threshold: 0.5)
        #expect(chosen >= atHalf)
        let majority = Double(max(labels.filter { $0 }.count, labels.filter { !$0 }.count)) / Double(labels.count)
        #expect(chosen >= majority, "never below the majority-class rule on the rows it was chosen on")
    }

    @Test func badInputIsAnErrorNamingTheRow() {
        #expect(throws: AnalyticsError.self) {
            try Analytics.LogisticRegression.accuracyMaximizingThreshold(probabilities: [0.1, .nan], labels: [true, false])
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.LogisticRegression.accuracyMaximizingThreshold(probabilities: [], labels: [])
        }
        #expect(throws: AnalyticsError.self) {
            try Analytics.LogisticRegression.accuracyMaximizingThreshold(probabilities: [0.1], labels: [true, false])
        }
    }

    @Test func reportShowsTheBaselineBesideTheAccuracyAtTheTrainingThreshold() throws {
        let (c, t) = randomTables(n: 1500, meanTransactions: 5, seed: 77)
        let report = try Analytics.SegmentationReport.build(
            customers: c, transactions: t, asOf: 1000, options: .init(seed: 3, kSelectionSampleSize: 600))
        let churn = try #require(report.churnModel)
        #expect(churn.decisionThreshold > 0 && churn.decisionThreshold <= 1)
        let text = report.renderText()
        #expect(text.contains("accuracy (threshold \(String(format: "%.4f", churn.decisionThreshold)), chosen on the training split)"))
        #expect(text.contains("majority-class baseline accuracy (predict no churn for all)"))
        let json = try report.renderJSON()
        for key in ["\"decision_threshold\"", "\"majority_accuracy\"", "\"holdout_auc\"", "\"mean_clv_minor\""] {
            #expect(json.contains(key), "snake_case key \(key)")
        }
        #expect(!json.contains("\"holdoutAUC\""))
        #expect(try Analytics.SegmentationReport.decodeJSON(json) == report)
    }
}

@Suite struct ChurnModelTextSnapshotTests {
    /// The churn model's metric table as `cohort analyze` prints it (seeded data, seed 3).
    @Test func churnMetricTableSnapshot() throws {
        let (c, t) = randomTables(n: 1500, meanTransactions: 5, seed: 77)
        let report = try Analytics.SegmentationReport.build(
            customers: c, transactions: t, asOf: 1000, options: .init(seed: 3, kSelectionSampleSize: 600))
        let lines = report.renderText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("Churn model:") })
        let table = lines[start...(start + 8)].joined(separator: "\n")
        #expect(table == Self.expected, "\n\(table)")
    }

    static let expected = """
        Churn model: L2 logistic regression (λ = 0.001), 941 train / 403 holdout customers (seed 3)
        metric                                                       holdout
        -----------------------------------------------------------  -------
        AUC                                                           0.9728
        baseline AUC (recency_days)                                   0.9442
        accuracy (threshold 0.5810, chosen on the training split)     0.9280
        majority-class baseline accuracy (predict no churn for all)   0.6873
        log-loss                                                      0.2022
        churn rate                                                    31.3 %
        """
}
