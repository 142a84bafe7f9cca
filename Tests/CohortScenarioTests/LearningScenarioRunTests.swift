import CohortScenario
import CohortStudy
import CohortTestSupport
import Foundation
import Testing

/// Learning studies run end to end with real `cohort node run` processes: a k-means
/// segmentation, a churn model and quantiles between three small parties, each compared with
/// its central baseline, in every report file.
@Suite(.serialized) struct LearningScenarioRunTests {
    static let scenario = """
        name: learning
        consortium: test
        parties:
          - name: alpha
            data:
              synthetic: { profile: retail, customers: 1500, seed: 1 }
          - name: beta
            data:
              synthetic: { profile: telecom, customers: 1000, seed: 2 }
          - name: gamma
            data:
              synthetic: { profile: bank, customers: 800, seed: 3 }
        studies:
          - name: clusters
            lead: alpha
            spec:
              kind: kmeans
              purpose: segmentation
              learning: { k: 3, rounds: 4 }
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
          - name: churn-model
            lead: beta
            spec:
              kind: logistic-regression
              purpose: model-training
              learning: { rounds: 3 }
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
          - name: cuts
            lead: gamma
            spec:
              kind: quantiles
              purpose: segmentation
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
        expectations:
          - study: clusters
            outcome: published
          - study: churn-model
            outcome: published
          - study: cuts
            outcome: published
          - study: clusters
            inertia_ratio_at_most: 3
          - study: churn-model
            auc_within: 0.3
          - budget_within_cap: true
          - no_process_left: true
        """

    @Test func learningStudiesRunBetweenNodesAndAreComparedWithTheirCentralBaselines() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-learning")
        defer { temp.remove() }
        let file = temp.appending("learning.yaml")
        try Data(Self.scenario.utf8).write(to: file)
        let definition = try Scenario.load(file: file.path)
        let out = temp.appending("out")
        let outcome = try await ScenarioRunner.run(definition, options: .init(
            output: out, executable: try BuiltProducts.cohortExecutable(), file: file.path))
        #expect(outcome.failedExpectations.isEmpty, "\(outcome.failedExpectations.map { "\($0.name): \($0.detail)" })")
        let run = try #require(outcome.runs.first)
        #expect(run.studies.map(\.name) == ["clusters", "churn-model", "cuts"])
        #expect(run.studies.allSatisfy { $0.status == .published }, "\(run.studies.map { $0.failureReason ?? "" })")

        let clusters = try #require(run.studies.first { $0.name == "clusters" })
        let kmeans = try #require(clusters.kmeans)
        #expect(kmeans.federated.count == 3 && kmeans.central.count == 3)
        #expect((kmeans.inertiaRatio ?? 0) >= 0.99, "the central k-means is (nearly) the best fit: \(kmeans.inertiaRatio ?? .nan)")
        #expect(kmeans.adjustedRandIndex.map { (-1...1).contains($0) } == true)
        #expect(clusters.rounds.count == clusters.learning?.rounds && clusters.rounds.count > 2)
        // Secure aggregation (the default with three nodes) charges the distributed accountant's ε,
        // which its 1 % noise steps keep just under the spec's.
        #expect(clusters.spends.count == 3 && clusters.spends.allSatisfy { $0.epsilon <= 1 + 1e-9 && $0.epsilon > 0.95 },
                "\(clusters.spends.map(\.epsilon))")
        let centralCustomers = try #require(clusters.centralCustomers)
        #expect(centralCustomers > 0 && centralCustomers <= 3300)

        let model = try #require(run.studies.first { $0.name == "churn-model" }?.model)
        #expect(model.centralAUC.map { $0 > 0.5 && $0 <= 1 } == true, "the central model ranks churners above chance")
        #expect(model.federatedAUC != nil && model.federatedAccuracy != nil && model.centralAccuracy != nil)
        #expect((model.coefficients?.count ?? 0) > 1 && !model.centralROC.isEmpty)

        let cuts = try #require(run.studies.first { $0.name == "cuts" })
        #expect(cuts.cells.count == 12 && cuts.cells.allSatisfy { $0.central != nil })

        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for text in ["#### Clusters (released)", "#### Central k-means", "#### Churn model coefficients", "#### Calibration (released)",
                     "#### Quantiles (released)", "#### RFM cut points (quintiles)"] {
            #expect(md.contains(LearningReportTests.markdown(text)), "report.md has \(text)")
        }
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("data-metric=\"study.clusters.kmeans_inertia_ratio\"") && html.contains("data-metric=\"study.churn-model.central_auc\""))
        let decoded = try JSONDecoder().decode(ScenarioSummary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(decoded.studies.first?.learning == clusters.learning && decoded.studies.first?.kmeans == kmeans)
    }
}
