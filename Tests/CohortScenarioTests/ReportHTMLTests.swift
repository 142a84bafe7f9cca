import CohortStudy
import CohortNode
import CohortScenario
import CohortTestSupport
import Foundation
import Testing

/// The scenario report's three files carry the same numbers, its text is escaped, and its
/// summary.json reads back exactly.
@Suite struct ReportHTMLTests {
    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cohort-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes the report files, reads summary.json back and parses report.html: every metric of
    /// the summary is in a table cell with exactly its value, and the page names no other.
    @Test func htmlReportNumbersEqualSummaryJSON() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let urls = try ScenarioReport.write(ReportFixtures.summary(), to: dir)
        #expect(urls.map(\.lastPathComponent) == ["summary.json", "report.md", "report.html"])
        let decoded = try ScenarioSummary.decode(json: Data(contentsOf: dir.appendingPathComponent("summary.json")))
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let (found, conflicts) = ReportFixtures.metrics(inHTML: html)
        #expect(conflicts.isEmpty, "metrics with two different values in the page: \(conflicts)")
        let expected = Dictionary(decoded.metricValues().map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(expected.count > 30)
        for (name, value) in expected {
            #expect(found[name] == value, "\(name): summary.json \(value), report.html \(found[name].map { "\($0)" } ?? "missing")")
        }
        #expect(Set(found.keys).subtracting(expected.keys).isEmpty, "page metrics not in summary.json: \(Set(found.keys).subtracting(expected.keys).sorted())")
        // Spot checks against the JSON text itself, not only the decoder.
        #expect(found["study.segments retail.cell.champions.federated"] == 23430)
        #expect(found["study.churn by segment.cell.at-risk×south.error"] == 0.249 - 0.251)
        #expect(found["budget.retail.segmentation.spent_epsilon"] == 1.5)
        #expect(found["audit.retail.refusals"] == 3)
        #expect(ReportFixtures.structureProblem(html) == nil)
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"),
                "the page must not load anything from outside")
        #expect(html.contains("@media print"))
    }

    /// With `--seeds N` the page lists mean and sd of every metric over the runs, equal to summary.json's.
    @Test func seedStatisticsInHTMLEqualSummaryJSON() throws {
        let runs = [ReportFixtures.summary(seed: 1, shift: 0), ReportFixtures.summary(seed: 2, shift: 2), ReportFixtures.summary(seed: 3, shift: 7)]
        let combined = try ScenarioSummary.combining(runs)
        #expect(combined.seeds == [1, 2, 3])
        let decoded = try ScenarioSummary.decode(json: combined.json())
        let (found, conflicts) = ReportFixtures.metrics(inHTML: ScenarioReportHTML.render(decoded))
        #expect(conflicts.isEmpty)
        let champions = try #require(decoded.seedStatistics.first { $0.metric == "study.segments retail.cell.champions.federated" })
        #expect(champions.values == [23430, 23432, 23437])
        #expect(abs(champions.mean - 23433) < 1e-9)
        #expect(abs(champions.sd - (13.0).squareRoot()) < 1e-9)
        for stat in decoded.seedStatistics {
            #expect(found["\(stat.metric)#mean"] == stat.mean, "\(stat.metric) mean")
            #expect(found["\(stat.metric)#sd"] == stat.sd, "\(stat.metric) sd")
        }
        #expect(decoded.expectations.count == 6)
        #expect(decoded.expectations[0].name.hasPrefix("seed 1: "))
    }

    static let hostileNames = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "a & b &amp; c",
        "]]></svg></table><script>",
        "| pipe | [link](javascript:alert(1)) *bold* `code`",
        "line\nbreak\u{0007}bell",
    ]

    /// Hostile party, study, cell, event and expectation names neither add elements nor break the
    /// page's structure, and read back unchanged from the attributes and text that carry them.
    @Test(arguments: hostileNames)
    func hostileNamesAreEscapedInHTMLAndMarkdown(_ name: String) throws {
        let summary = ReportFixtures.summary(name: name)
        let html = ScenarioReportHTML.render(summary)
        #expect(ReportFixtures.structureProblem(html) == nil, "\(ReportFixtures.structureProblem(html) ?? "")")
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        let (found, conflicts) = ReportFixtures.metrics(inHTML: html)
        #expect(conflicts.isEmpty)
        // The hostile name survives escaping as data: the metric named after it reads back.
        let clean = String(name.unicodeScalars.map { $0.value < 0x20 && $0 != "\n" && $0 != "\t" ? "\u{FFFD}" : Character($0) })
        #expect(found["budget.\(clean).segmentation.spent_epsilon"] == 1.5)
        let markdown = ScenarioReportMarkdown.render(summary)
        // Every `<`, `[`, `]` and backtick is backslash-escaped: no raw HTML, link or code span.
        let chars = Array(markdown)
        for (i, c) in chars.enumerated() where "<[]`".contains(c) {
            #expect(i > 0 && chars[i - 1] == "\\", "unescaped \(c) at \(i): …\(String(chars[max(0, i - 20)..<min(chars.count, i + 20)]))…")
        }
        #expect(!markdown.contains("](javascript"))
        #expect(!markdown.contains("\u{0007}"))
        // Every table row keeps its column count: no name adds a cell.
        for line in markdown.split(separator: "\n") where line.hasPrefix("| expect ") || line.hasPrefix("| mae") {
            let unescapedPipes = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect(unescapedPipes == 4, "\(line)")
        }
    }

    /// summary.json that is not a summary is refused naming the field; a non-finite number is
    /// refused naming where it is, before anything is written.
    @Test func malformedSummaryAndNonFiniteNumbersAreRefusedNamingTheField() throws {
        let good = try ReportFixtures.summary().json()
        var object = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
        var studies = try #require(object["studies"] as? [[String: Any]])
        studies[1]["status"] = "maybe"
        object["studies"] = studies
        let bad = try JSONSerialization.data(withJSONObject: object)
        #expect {
            try ScenarioSummary.decode(json: bad, source: "run/summary.json")
        } throws: { error in
            let text = "\(error)"
            return text.contains("run/summary.json") && text.contains("studies") && text.contains("status")
        }
        object["schema_version"] = 2
        #expect(throws: ScenarioError.self) { try ScenarioSummary.decode(json: try JSONSerialization.data(withJSONObject: object)) }

        var summary = ReportFixtures.summary()
        summary.budgets[0].spentEpsilon = .nan
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect {
            try ScenarioReport.write(summary, to: dir)
        } throws: { error in
            "\(error)".contains("budgets") && "\(error)".contains("spent_epsilon")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// `cohort study result --html`: the page's cells carry exactly the released values.
    @Test func studyResultPageCarriesTheReleasedNumbers() throws {
        let spec = try Study.Spec.load(yaml: """
            kind: mean
            purpose: benchmarking
            as_of: 2026-06-30
            dimensions: [rfm_segment]
            measure: churn_rate
            lower: 0
            upper: 1
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 20 }
            participants: [beta]
            deadline_seconds: 120
            """)
        let labels = spec.layout.categories[0]
        let cells = labels.enumerated().map { i, label in
            Study.Result.Cell(labels: [label], count: i == 3 ? 4 : 100 + Double(i) * 10.5, countStandardError: 2.5,
                              mean: i == 3 ? nil : 0.01 * Double(i + 1), meanStandardError: i == 3 ? nil : 0.002, suppressed: i == 3)
        }
        let result = Study.Result(
            study: "benchmarking-x<y>", lead: "alpha", spec: spec, cells: cells,
            participants: [.init(node: "alpha", epsilon: 1, delta: 1e-6, rho: 0.0244, noiseVariance: 10, simulatedNoise: false),
                           .init(node: "beta", epsilon: 1, delta: 1e-6, rho: 0.0244, noiseVariance: 10, simulatedNoise: false)],
            noiseVariance: 20, simulatedNoise: false, releasedCustomers: 1234, releasedCustomersStandardError: 5,
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), completedAt: Date(timeIntervalSince1970: 1_800_000_009))
        let html = StudyResultReport.html(result: result, role: "participant", digest: String(repeating: "0f", count: 32))
        #expect(ReportFixtures.structureProblem(html) == nil)
        let (found, conflicts) = ReportFixtures.metrics(inHTML: html)
        #expect(conflicts.isEmpty)
        for cell in cells where !cell.suppressed {
            #expect(found["study.benchmarking-x<y>.cell.\(cell.labels[0]).federated"] == cell.mean)
        }
        #expect(found["study.benchmarking-x<y>.cell.\(cells[3].labels[0]).federated"] == nil)
        #expect(found["study.benchmarking-x<y>.released_customers"] == 1234)
        #expect(found["study.benchmarking-x<y>.duration_seconds"] == 9)
        #expect(html.contains("benchmarking-x&lt;y&gt;"))
    }
}
