import CohortCore
import CohortPrivacy
import Testing
@testable import CohortLearning
import CohortScenario

#if canImport(Glibc)
import Glibc
#endif

/// Full-scale quality figures (issue 12), only when `COHORT_LEARNING_QUALITY=1`; prints the table.
@Suite struct QualityMeasurementTests {
    static var enabled: Bool { getenv("COHORT_LEARNING_QUALITY").map { String(cString: $0) == "1" } ?? false }

    @Test(.enabled(if: QualityMeasurementTests.enabled))
    func fullScaleDemoPartiesMeetIssueTargets() throws {
        let scale = getenv("COHORT_LEARNING_SCALE").flatMap { Double(String(cString: $0)) } ?? 1
        let segmentation = try DemoParties.make(scale: scale, purpose: .segmentation)
        let training = try DemoParties.make(scale: scale, purpose: .modelTraining)
        let privacy = try Learning.PrivacyTarget(epsilon: 1, delta: 1e-6)
        let k = getenv("COHORT_LEARNING_K").flatMap { Int(String(cString: $0)) } ?? 4
        var kmeans = Learning.KMeansStudy.Configuration(k: k, privacy: privacy)
        if let rounds = getenv("COHORT_LEARNING_LLOYD").flatMap({ Int(String(cString: $0)) }) { kmeans.lloydRounds = rounds }
        if let t = getenv("COHORT_LEARNING_THRESHOLD").flatMap({ Double(String(cString: $0)) }) { kmeans.thresholdMultiplier = t }
        if let r = getenv("COHORT_LEARNING_RESTARTS").flatMap({ Int(String(cString: $0)) }) { kmeans.initializationRestarts = r }
        if let grid = getenv("COHORT_LEARNING_GRID").flatMap({ Int(String(cString: $0)) }) { kmeans.gridResolution = grid }
        let configuration = Learning.QualityHarness.Configuration(
            kmeans: kmeans, logistic: .init(privacy: privacy), seeds: [1, 2, 3, 4, 5])
        let report = try Learning.QualityHarness.run(segmentation: segmentation, training: training, configuration: configuration)
        print(report.table)
        #expect(report.meanInertiaRatio <= 1.2)
        #expect(report.meanAdjustedRandIndex >= 0.9)
        #expect(abs(report.meanAUCDifference) <= 0.01)
        #expect(abs(report.meanAccuracyDifference) <= 0.01)
    }
}

/// Always-on quality check at a quarter of the demo's size (about 23 000 customers for k-means,
/// 12 500 for the churn model), ε = 1 per node, δ = 1e-6, two noise seeds. With a quarter of the
/// customers the noise weighs four times more, so the tolerances are the issue's k-means targets
/// with the coarser grid (r = 8) that suits this size, and twice the AUC tolerance.
@Suite struct QuarterScaleQualityTests {
    @Test func quarterScaleDemoPartiesStayNearTheCentralBaselines() throws {
        let segmentation = DemoParties.quarterSegmentation, training = DemoParties.quarterTraining
        try #require(segmentation.count == 3 && training.count == 3)
        let privacy = try Learning.PrivacyTarget(epsilon: 1, delta: 1e-6)
        var kmeans = Learning.KMeansStudy.Configuration(k: 4, privacy: privacy)
        kmeans.gridResolution = 8
        let configuration = Learning.QualityHarness.Configuration(
            kmeans: kmeans, logistic: .init(privacy: privacy), seeds: [1, 2])
        let report = try Learning.QualityHarness.run(segmentation: segmentation, training: training, configuration: configuration)
        #expect(report.meanInertiaRatio <= 1.2, "\(report.table)")
        #expect(report.meanAdjustedRandIndex >= 0.9, "\(report.table)")
        #expect(abs(report.meanAUCDifference) <= 0.02, "\(report.table)")
        #expect(abs(report.meanAccuracyDifference) <= 0.01, "\(report.table)")
        #expect(abs(report.kmeansEpsilon - 1) < 0.01 && report.kmeansEpsilon <= 1)
        #expect(abs(report.logisticEpsilon - 1) < 0.01 && report.logisticEpsilon <= 1)
    }
}
