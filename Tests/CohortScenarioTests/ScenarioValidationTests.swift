import CohortScenario
import CohortTestSupport
import Foundation
import Testing

/// Scenario files: every shipped scenario validates, and each kind of bad input is reported
/// with its place (file:line:column) before anything starts.
@Suite struct ScenarioValidationTests {
    /// The repository's `scenarios/` folder.
    static var scenariosFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios")
    }

    static var shippedScenarios: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scenariosFolder.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func theShippedScenariosIncludeTheDemoAndOneOfEachKind() {
        let names = Set(Self.shippedScenarios)
        for required in ["demo.yaml", "retail-benchmark.yaml", "consent-and-erasure.yaml", "hostile-peer.yaml",
                         "budget-exhaustion.yaml", "crash-restart.yaml", "uci-online-retail.yaml",
                         "kmeans-segmentation.yaml", "churn-model.yaml"] {
            #expect(names.contains(required), "scenarios/\(required) is shipped")
        }
    }

    @Test(arguments: shippedScenarios)
    func everyShippedScenarioValidates(file: String) throws {
        let result = try Scenario.check(file: Self.scenariosFolder.appendingPathComponent(file).path)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description).joined(separator: "\n"))")
        let definition = try #require(result.definition)
        #expect(!definition.studies.isEmpty)
        #expect(!definition.expectations.isEmpty, "\(file) checks something at the end")
    }

    /// A valid scenario the bad cases below each break in one place.
    static let valid = """
        name: t
        parties:
          - name: alpha
            data:
              synthetic: { profile: retail, customers: 500, seed: 1 }
          - name: beta
            data:
              synthetic: { profile: bank, customers: 300 }
        studies:
          - name: s
            lead: alpha
            spec:
              kind: histogram
              purpose: segmentation
              dimensions: [rfm_segment]
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
        events:
          - at: { during: s, round: 1 }
            pause: { party: beta, seconds: 1 }
        expectations:
          - study: s
            metric: mean_absolute_error
            at_most: 10
        """

    @Test func theBaseOfTheBadCasesIsValid() {
        let result = Scenario.check(text: Self.valid, file: "t.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.definition?.events.first?.point == .during("s", round: 1))
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var replace: String
        var with: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "unknown key", replace: "    lead: alpha", with: "    lead: alpha\n    leed: beta",
                line: 12, column: 5, message: "`leed` is not a key of a study"),
        BadCase(name: "party listed twice", replace: "  - name: beta", with: "  - name: alpha",
                line: 6, column: 11, message: "party `alpha` is listed twice (first on line 3)"),
        BadCase(name: "study naming an unknown party", replace: "    lead: alpha", with: "    lead: zeta",
                line: 11, column: 11, message: "the lead `zeta` is not a party of this scenario"),
        BadCase(name: "event at a round the study does not have", replace: "round: 1", with: "round: 2",
                line: 18, column: 29, message: "study `s` (histogram) has 1 round; there is no round 2"),
        BadCase(name: "expectation on an unknown metric", replace: "metric: mean_absolute_error", with: "metric: mean_error",
                line: 22, column: 13, message: "unknown metric `mean_error`"),
        BadCase(name: "data path that does not exist", replace: "synthetic: { profile: bank, customers: 300 }",
                with: "csv: { customers: nope/customers.csv, transactions: nope/tx.csv }",
                line: 8, column: 25, message: "the data file `nope/customers.csv` does not exist"),
        BadCase(name: "study kind not supported yet", replace: "kind: histogram", with: "kind: evaluation",
                line: 13, column: 13, message: "study kind `evaluation` is not supported yet by the scenario runner"),
        BadCase(name: "secure aggregation with an unknown key", replace: "      kind: histogram", with: "      secure_aggregation: { threshold: 1 }\n      kind: histogram",
                line: 13, column: 29, message: "`secure_aggregation.threshold`"),
        BadCase(name: "bad value inside a study spec", replace: "epsilon: 1.0,", with: "epsilon: -1,",
                line: 16, column: 27, message: "`privacy.epsilon`"),
        BadCase(name: "unknown spec key", replace: "      purpose: segmentation", with: "      purpose: segmentation\n      dimension: [x]",
                line: 15, column: 7, message: "`dimension` is not a study spec key"),
        BadCase(name: "expectation naming an unknown study", replace: "  - study: s", with: "  - study: q",
                line: 21, column: 12, message: "the expectation names study `q`, which the scenario does not have"),
        BadCase(name: "YAML syntax error", replace: "    lead: alpha", with: "    lead: [alpha",
                line: 12, column: 5, message: "not valid YAML"),
    ]

    @Test(arguments: badCases)
    func badInputIsReportedWithItsPlace(_ bad: BadCase) throws {
        #expect(Self.valid.contains(bad.replace), "the case edits the base scenario")
        let text = Self.valid.replacingOccurrences(of: bad.replace, with: bad.with)
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-bad")
        defer { temp.remove() }
        let file = temp.appending("bad.yaml")
        try Data(text.utf8).write(to: file)
        let result = try Scenario.check(file: file.path)
        #expect(result.definition == nil, "a scenario with a problem has no definition")
        let diagnostic = try #require(result.diagnostics.first { $0.message.contains(bad.message) },
                                      "expected '\(bad.message)' among \(result.diagnostics.map(\.description))")
        if bad.name != "YAML syntax error" {
            #expect(diagnostic.line == bad.line && diagnostic.column == bad.column,
                    "\(bad.name): at \(diagnostic.line ?? 0):\(diagnostic.column ?? 0), expected \(bad.line):\(bad.column)")
        } else {
            #expect(diagnostic.line != nil && diagnostic.column != nil)
        }
        #expect(diagnostic.description.hasPrefix("\(file.path):\(diagnostic.line ?? 0):\(diagnostic.column ?? 0): "))
        #expect(!diagnostic.fix.isEmpty)
    }

    @Test func loadingAScenarioWithProblemsThrowsEveryProblem() throws {
        let text = Self.valid.replacingOccurrences(of: "lead: alpha", with: "lead: zeta")
            .replacingOccurrences(of: "    pause: { party: beta, seconds: 1 }", with: "    pause: { party: beta, seconds: 1 }\n    extra: 1")
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-bad")
        defer { temp.remove() }
        let file = temp.appending("bad.yaml")
        try Data(text.utf8).write(to: file)
        #expect {
            try Scenario.load(file: file.path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("zeta") && text.contains("`extra`")
        }
    }
}
