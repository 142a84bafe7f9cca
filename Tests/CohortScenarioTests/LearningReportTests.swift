import CohortScenario
import CohortStudy
import Foundation
import Testing

/// Reports of learning studies: a released k-means segmentation, churn model and quantiles
/// (hand-made results) render their clusters, coefficients, evaluation, calibration and cut
/// points in `report.md`, `report.html` and `cohort study result --html`, beside the central
/// comparison when the run has one.
@Suite struct LearningReportTests {
    static let space = """
        {"numeric": ["log_recency", "log_frequency", "log_monetary"],
         "bounds": [{"lower": 0, "upper": 6.6}, {"lower": 0, "upper": 5.3}, {"lower": 0, "upper": 11.5}],
         "categorical": [], "halfWidth": 1}
        """

    static func estimate(_ v: Double, _ se: Double) -> String { "{\"value\": \(v), \"standardError\": \(se)}" }

    /// A k-means release: two clusters.
    static let kmeansJSON = """
        {"rounds": 11, "kmeans": {"space": \(space), "centroids": [-0.5, 0.4, 0.6, 0.3, -0.6, -0.7],
         "lloydIterations": 8, "converged": true, "clusters": [
          {"cluster": 1, "name": "High-value frequent", "centroid": [2.5, 2.9, 6.8], "centroidNatural": [11.2, 17.1, 897.8],
           "size": \(estimate(1234.4, 9.9)), "share": 0.4, "meanRecencyDays": \(estimate(14.5, 0.7)), "meanFrequency": \(estimate(16.2, 0.3)),
           "meanMonetary": \(estimate(902.3, 11.0)), "churnRate": \(estimate(0.041, 0.004)),
           "valueTierShares": [\(estimate(0.6, 0.01)), \(estimate(0.3, 0.01)), \(estimate(0.1, 0.01))]},
          {"cluster": 2, "name": "Low-value lapsed", "centroid": [4.2, 0.9, 2.1], "centroidNatural": [65.7, 1.46, 7.17],
           "size": \(estimate(1851.6, 9.9)), "share": 0.6, "meanRecencyDays": \(estimate(301.5, 2.1)), "meanFrequency": \(estimate(1.4, 0.1)),
           "meanMonetary": \(estimate(7.5, 0.9)), "churnRate": \(estimate(0.52, 0.01)),
           "valueTierShares": [\(estimate(0.02, 0.01)), \(estimate(0.18, 0.01)), \(estimate(0.8, 0.01))]}]}}
        """

    /// A churn-model release: three weights, two calibration groups.
    static let modelJSON = """
        {"rounds": 10, "logistic_regression": {"model": {"space": \(space), "weights": [0.812, -0.433, -0.25], "intercept": -1.125},
         "steps": 8, "converged": false, "trainingCount": \(estimate(2100.2, 14.1)),
         "evaluation": {"bins": 100, "positives": \(estimate(301.5, 7.2)), "negatives": \(estimate(598.5, 7.2)),
          "auc": \(estimate(0.8312, 0.0041)), "accuracy": \(estimate(0.7765, 0.0052)), "logLoss": \(estimate(0.4821, 0.0063)),
          "calibration": [
           {"lower": 0, "upper": 0.5, "customers": \(estimate(640.2, 10.1)), "meanPredicted": 0.182, "observedRate": \(estimate(0.171, 0.016))},
           {"lower": 0.5, "upper": 1, "customers": \(estimate(259.8, 10.1)), "meanPredicted": 0.703, "observedRate": \(estimate(0.688, 0.04))}]}}}
        """

    /// A quantiles release at the quintiles.
    static let quantilesJSON = """
        {"rounds": 1, "quantiles": {"probabilities": [0.2, 0.4, 0.6, 0.8],
         "recencyDays": [\(estimate(12, 0.5)), \(estimate(40, 0.6)), \(estimate(95, 1)), \(estimate(240, 2))],
         "frequency": [\(estimate(1, 0.1)), \(estimate(2, 0.1)), \(estimate(4, 0.1)), \(estimate(9, 0.2))],
         "monetaryMajor": [\(estimate(20.5, 0.4)), \(estimate(61.25, 0.7)), \(estimate(150.75, 1.5)), \(estimate(480, 4))]}}
        """

    /// `text` as report.md writes it: escaped, a `#### ` heading's marks kept.
    static func markdown(_ text: String) -> String {
        text.hasPrefix("#### ") ? "#### " + MarkdownText.escape(String(text.dropFirst(5))) : MarkdownText.escape(text)
    }

    static func release(_ json: String) throws -> Study.LearningRelease {
        try JSONDecoder().decode(Study.LearningRelease.self, from: Data(json.utf8))
    }

    static func result(kind: String, purpose: String, release: Study.LearningRelease) throws -> Study.Result {
        let spec = try Study.Spec.load(yaml: """
            kind: \(kind)
            purpose: \(purpose)
            as_of: 2026-06-30
            \(kind == "kmeans" ? "learning: { k: 2 }" : "")
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            participants: [beta]
            deadline_seconds: 120
            """)
        return Study.Result(
            study: "\(kind)-x", lead: "alpha", spec: spec, cells: [],
            participants: [.init(node: "alpha", epsilon: 1, delta: 1e-6, rho: 0.0244, noiseVariance: 10, simulatedNoise: false),
                           .init(node: "beta", epsilon: 1, delta: 1e-6, rho: 0.0244, noiseVariance: 10, simulatedNoise: false)],
            noiseVariance: 20, simulatedNoise: false, releasedCustomers: 0, releasedCustomersStandardError: 0,
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), completedAt: Date(timeIntervalSince1970: 1_800_000_030),
            learning: release)
    }

    @Test func aKMeansStudyShowsItsClustersProfilesAndTheCentralComparison() throws {
        let release = try Self.release(Self.kmeansJSON)
        var study = ScenarioSummary.StudySummary(result: try Self.result(kind: "kmeans", purpose: "segmentation", release: release), name: "clusters")
        #expect(study.learning == release)
        #expect(study.releasedCustomers == 1234.4 + 1851.6, "the released customers are the summed cluster sizes")
        study.kmeans = .init(
            features: ["log_recency", "log_frequency", "log_monetary"],
            federated: [.init(size: 1234.4, centroid: [-0.5, 0.4, 0.6]), .init(size: 1851.6, centroid: [0.3, -0.6, -0.7])],
            central: [.init(size: 1240, centroid: [-0.49, 0.41, 0.6], centroidNatural: [11.0, 17.4, 901.2]),
                      .init(size: 1846, centroid: [0.31, -0.6, -0.71], centroidNatural: [66.1, 1.44, 7.01])],
            federatedInertia: 1003.5, centralInertia: 1000, adjustedRandIndex: 0.973)
        let md = ScenarioReportMarkdown.study(study)
        for text in ["#### Clusters (released)", "High-value frequent", "1234 ± 9.9", "40.0 %", "897.8", "monetary (major units)",
                     "#### Cluster profiles (released)", "0.520 ± 0.0100", "#### Central k-means", "901.2",
                     "Inertia ratio (federated / central, on the union): 1.0035", "adjusted Rand index of the labels: 0.973", "11 rounds"] {
            #expect(md.contains(LearningReportTests.markdown(text)), "report.md shows \(text)\n\(md)")
        }
        let html = StudySectionHTML.render(study, anchor: "clusters")
        let (found, conflicts) = ReportFixtures.metrics(inHTML: html)
        #expect(conflicts.isEmpty)
        #expect(found["study.clusters.kmeans_inertia_ratio"] == study.kmeans?.inertiaRatio)
        #expect(found["study.clusters.adjusted_rand_index"] == 0.973)
        #expect(html.contains("High-value frequent") && html.contains("Cluster profiles (released)"))
        // summary.json carries the release, decodable as published.
        let json = try JSONEncoder().encode(study)
        let decoded = try JSONDecoder().decode(ScenarioSummary.StudySummary.self, from: json)
        #expect(decoded.learning == release && decoded.kmeans == study.kmeans)
        #expect(String(decoding: json, as: UTF8.self).contains("\"centroid_natural\""))
    }

    @Test func aChurnModelShowsCoefficientsEvaluationWithStandardErrorsAndCalibration() throws {
        let release = try Self.release(Self.modelJSON)
        var study = ScenarioSummary.StudySummary(result: try Self.result(kind: "logistic-regression", purpose: "model-training", release: release), name: "churn-model")
        #expect(study.releasedCustomers == 2100.2)
        let partnerPage = ScenarioReportMarkdown.study(study)
        #expect(partnerPage.contains("0.8312 ± 0.00410") && partnerPage.contains("| –"), "without a run the central column is empty")
        study.model = .init(
            federatedAUC: 0.8301, centralAUC: 0.8315, federatedAccuracy: 0.7754, centralAccuracy: 0.7771,
            coefficients: [.init(name: "intercept", federated: -1.125, central: -1.1),
                           .init(name: "log_recency", federated: 0.812, central: 0.8)])
        let md = ScenarioReportMarkdown.study(study)
        for text in ["#### Churn model coefficients", "intercept", "−1.1250", "−1.1000", "0.8120", "0.8000",
                     "#### Holdout evaluation", "0.8312 ± 0.00410", "0.7765 ± 0.00520", "0.4821 ± 0.00630", "0.8301", "0.8315",
                     "#### Calibration (released)", "0.50–1.00", "0.688 ± 0.0400", "8 gradient steps", "2100 ± 14.1"] {
            #expect(md.contains(LearningReportTests.markdown(text)), "report.md shows \(text)\n\(md)")
        }
        let html = StudySectionHTML.render(study, anchor: "churn")
        let (found, conflicts) = ReportFixtures.metrics(inHTML: html)
        #expect(conflicts.isEmpty)
        #expect(found["study.churn-model.federated_auc"] == 0.8301)
        #expect(found["study.churn-model.central_auc"] == 0.8315)
        #expect(found["study.churn-model.central_accuracy"] == 0.7771)
        #expect(html.contains("Calibration (released)") && html.contains("0.4821 ± 0.00630"))
        // The partner's page of the same result.
        let page = StudyResultReport.html(result: try Self.result(kind: "logistic-regression", purpose: "model-training", release: release),
                                          role: "lead", digest: String(repeating: "ab", count: 32))
        #expect(ReportFixtures.structureProblem(page) == nil)
        #expect(page.contains("Churn model coefficients") && page.contains("0.8312 ± 0.00410"))
    }

    @Test func quantilesShowTheirTableAndRFMCutPoints() throws {
        let release = try Self.release(Self.quantilesJSON)
        let study = ScenarioSummary.StudySummary(result: try Self.result(kind: "quantiles", purpose: "benchmarking", release: release), name: "rfm")
        #expect(study.cells.count == 12, "one cell per measure and quantile")
        #expect(study.cells.first?.labels == ["recency_days", "p20"] && study.cells.first?.federated == 12)
        let md = ScenarioReportMarkdown.study(study)
        for text in ["#### Quantiles (released)", "p20", "p80", "240.0 ± 2.00", "480 ± 4.0", "#### RFM cut points (quintiles)", "48\u{2009}000"] {
            #expect(md.contains(LearningReportTests.markdown(text)), "report.md shows \(text)\n\(md)")
        }
        let html = StudySectionHTML.render(study, anchor: "rfm")
        #expect(html.contains("RFM cut points") && !html.contains("<svg"), "a table, no chart mixing days and money")
    }
}
