import CohortScenario
import CohortStudy
import CohortTestSupport
import Foundation
import Testing

/// Scenario files with learning studies (`kmeans`, `logistic-regression`, `quantiles`): a valid
/// one loads with its learning expectations, and an expectation or spec that does not fit its
/// study is reported with its place (file:line:column) before anything starts.
@Suite struct LearningValidationTests {
    /// A valid scenario with one study of each learning kind and their expectations.
    static let valid = """
        name: learn
        parties:
          - name: alpha
            data:
              synthetic: { profile: retail, customers: 500, seed: 1 }
          - name: beta
            data:
              synthetic: { profile: bank, customers: 300 }
        studies:
          - name: km
            lead: alpha
            spec:
              kind: kmeans
              purpose: segmentation
              learning: { k: 3 }
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
          - name: lr
            lead: alpha
            spec:
              kind: logistic-regression
              purpose: model-training
              learning: { rounds: 4 }
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
          - name: q
            lead: beta
            spec:
              kind: quantiles
              purpose: benchmarking
              privacy: { epsilon: 0.5, delta: 1.0e-6 }
        expectations:
          - study: km
            inertia_ratio_at_most: 1.05
          - study: km
            ari_at_least: 0.8
          - study: lr
            auc_within: 0.01
          - study: lr
            accuracy_within: 0.02
          - study: lr
            metric: log_loss
            at_most: 0.7
          - study: q
            within_se: 6
        """

    @Test func aScenarioWithLearningStudiesLoadsWithItsExpectations() throws {
        let result = Scenario.check(text: Self.valid, file: "learn.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let definition = try #require(result.definition)
        #expect(definition.studies.map { $0.spec.kind.rawValue } == ["kmeans", "logistic-regression", "quantiles"])
        #expect(definition.studies[0].spec.learning?.k == 3)
        #expect(definition.studies[0].rounds > 1, "k-means runs several rounds")
        #expect(definition.expectations.map(\.check) == [
            .metric(study: "km", metric: .inertiaRatio, atMost: 1.05, atLeast: nil),
            .metric(study: "km", metric: .ari, atMost: nil, atLeast: 0.8),
            .metric(study: "lr", metric: .aucGap, atMost: 0.01, atLeast: nil),
            .metric(study: "lr", metric: .accuracyGap, atMost: 0.02, atLeast: nil),
            .metric(study: "lr", metric: .logLoss, atMost: 0.7, atLeast: nil),
            .withinStandardErrors(study: "q", z: 6),
        ])
        #expect(definition.expectations.first?.place == "learn.yaml:31:5")
    }

    /// One edit of `base` and the diagnostic it must produce.
    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var base: String
        var replace: String
        var with: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "k-means expectation on a histogram study", base: ScenarioValidationTests.valid,
                replace: "    metric: mean_absolute_error\n    at_most: 10", with: "    inertia_ratio_at_most: 1.1",
                line: 22, column: 5, message: "`inertia_ratio_at_most` does not apply to study `s`, a histogram study"),
        BadCase(name: "churn-model metric on a histogram study", base: ScenarioValidationTests.valid,
                replace: "metric: mean_absolute_error", with: "metric: auc",
                line: 22, column: 13, message: "metric `auc` does not apply to study `s`, a histogram study"),
        BadCase(name: "k-means expectation on a churn model", base: valid,
                replace: "  - study: lr\n    auc_within: 0.01", with: "  - study: lr\n    ari_at_least: 0.8",
                line: 36, column: 5, message: "`ari_at_least` does not apply to study `lr`, a logistic-regression study"),
        BadCase(name: "cell metric on a k-means study", base: valid,
                replace: "  - study: km\n    ari_at_least: 0.8", with: "  - study: km\n    metric: max_z\n    at_most: 3",
                line: 34, column: 13, message: "metric `max_z` does not apply to study `km`, a kmeans study"),
        BadCase(name: "within_se on a k-means study", base: valid,
                replace: "  - study: km\n    ari_at_least: 0.8", with: "  - study: km\n    within_se: 5",
                line: 34, column: 5, message: "`within_se` does not apply to study `km`, a kmeans study"),
        BadCase(name: "two learning checks in one expectation", base: valid,
                replace: "    inertia_ratio_at_most: 1.05", with: "    inertia_ratio_at_most: 1.05\n    ari_at_least: 0.9",
                line: 31, column: 5, message: "an expectation on a study checks one thing"),
        BadCase(name: "negative bound", base: valid,
                replace: "auc_within: 0.01", with: "auc_within: -0.01",
                line: 36, column: 17, message: "`auc_within`"),
        BadCase(name: "k-means with one cluster", base: valid,
                replace: "learning: { k: 3 }", with: "learning: { k: 1 }",
                line: 15, column: 22, message: "`learning.k`"),
        BadCase(name: "k-means without k", base: valid,
                replace: "      learning: { k: 3 }\n", with: "",
                line: 13, column: 7, message: "the spec has no `learning.k`"),
        BadCase(name: "churn-model parameter on a k-means study", base: valid,
                replace: "learning: { k: 3 }", with: "learning: { k: 3, l2: 0.01 }",
                line: 15, column: 29, message: "`learning.l2`"),
        BadCase(name: "evaluation is still reserved", base: valid,
                replace: "kind: quantiles", with: "kind: evaluation",
                line: 27, column: 13, message: "study kind `evaluation` is not supported yet by the scenario runner"),
    ]

    @Test(arguments: badCases)
    func badLearningInputIsReportedWithItsPlace(_ bad: BadCase) throws {
        #expect(bad.base.contains(bad.replace), "the case edits the base scenario")
        let text = bad.base.replacingOccurrences(of: bad.replace, with: bad.with)
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-bad")
        defer { temp.remove() }
        let file = temp.appending("bad.yaml")
        try Data(text.utf8).write(to: file)
        let result = try Scenario.check(file: file.path)
        #expect(result.definition == nil, "a scenario with a problem has no definition")
        let diagnostic = try #require(result.diagnostics.first { $0.message.contains(bad.message) },
                                      "expected '\(bad.message)' among \(result.diagnostics.map(\.description))")
        #expect(diagnostic.line == bad.line && diagnostic.column == bad.column,
                "\(bad.name): at \(diagnostic.line ?? 0):\(diagnostic.column ?? 0), expected \(bad.line):\(bad.column)")
        #expect(diagnostic.description.hasPrefix("\(file.path):\(bad.line):\(bad.column): "))
        #expect(!diagnostic.fix.isEmpty)
    }
}
