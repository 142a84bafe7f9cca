import CohortStudy
import CohortNode
import CohortStore
import CohortTestSupport
import Foundation
import Testing

/// `cohort audit report` and `cohort study result --html` as an officer and a partner run them.
@Suite(.serialized) struct ReportCommandTests {
    static var scenarioData: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scenarios/data").path
    }

    /// A node made with the CLI: init, the UCI `world` partner's three files, a local analysis,
    /// a consent withdrawal and an erasure.
    static func makeNode() async throws -> String {
        let root = NSTemporaryDirectory() + "cohort-report-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let node = root + "/world"
        var steps: [[String]] = [["node", "init", node, "--name", "world", "--consortium", "uci"]]
        for kind in ["customers", "transactions", "consent"] {
            steps.append(["data", "import", kind, "\(scenarioData)/uci-world-\(kind).csv.gz", "--node", node])
        }
        steps += [
            ["analyze", "--node", node, "--as-of", "2011-12-09"],
            ["consent", "withdraw", "--customer", "12431", "--purpose", "benchmarking", "--node", node, "--actor", "dpo"],
            ["data", "erase", "--customer", "12350", "--node", node, "--actor", "officer"],
        ]
        for step in steps {
            let run = try await AuditCommandTests.cohort(step)
            #expect(run.status == 0, "cohort \(step.joined(separator: " ")): \(run.output)")
        }
        return node
    }

    @Test func auditReportListsAccessesAndRefusesATamperedLog() async throws {
        let node = try await Self.makeNode()
        let root = (node as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: root) }

        let markdown = try await AuditCommandTests.cohort(["audit", "report", "--node", node])
        #expect(markdown.status == 0, "\(markdown.output)")
        #expect(markdown.output.contains("# Audit report: world"))
        #expect(markdown.output.contains("| analyze |"), "the local analysis is listed as an access")
        #expect(markdown.output.contains("| dpo |") && markdown.output.contains("withdrawn"))
        #expect(markdown.output.contains("| officer |"))
        #expect(markdown.output.contains("uci-world-transactions.csv.gz"))

        let page = root + "/report.html"
        let html = try await AuditCommandTests.cohort(["audit", "report", "--node", node, "--html", "--out", page, "--from", "2020-01-01", "--to", "2100-12-31"])
        #expect(html.status == 0, "\(html.output)")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>") && text.contains("Who accessed customer data") && text.contains("analyze"))

        let empty = try await AuditCommandTests.cohort(["audit", "report", "--node", node, "--from", "2011-01-01", "--to", "2011-01-31"])
        #expect(empty.status == 0 && empty.output.contains("No access to customer data in the period"))
        let reversed = try await AuditCommandTests.cohort(["audit", "report", "--node", node, "--from", "2011-02-01", "--to", "2011-01-01"])
        #expect(reversed.status == 64 && reversed.output.contains("--to 2011-01-01 is before --from 2011-02-01"))
        let badDay = try await AuditCommandTests.cohort(["audit", "report", "--node", node, "--from", "yesterday"])
        #expect(badDay.status == 64 && badDay.output.contains("--from yesterday is not a day YYYY-MM-DD"))

        // An insider rewrites who erased the customer (same length: the database stays valid).
        let path = node + "/audit.sqlite"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let range = try #require(bytes.range(of: Data("\"actor\":\"officer\"".utf8)))
        bytes.replaceSubrange(range, with: Data("\"actor\":\"0fficer\"".utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        let tamperedPage = root + "/tampered.html"
        let tampered = try await AuditCommandTests.cohort(["audit", "report", "--node", node, "--html", "--out", tamperedPage])
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("does not verify"), "\(tampered.output)")
        #expect(!tampered.output.contains("<html"))
        #expect(!FileManager.default.fileExists(atPath: tamperedPage))
    }

    @Test func studyResultHTMLShowsTheStoredResult() async throws {
        let node = try await Self.makeNode()
        let root = (node as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = try Study.Spec.load(yaml: """
            kind: histogram
            purpose: segmentation
            as_of: 2011-12-09
            dimensions: [value_tier]
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 20 }
            participants: [uk]
            deadline_seconds: 120
            """)
        let cells = spec.layout.categories[0].enumerated().map { i, label in
            Study.Result.Cell(labels: [label], count: Double(40 + i * 7), countStandardError: 6.5, mean: nil, meanStandardError: nil, suppressed: false)
        }
        let result = Study.Result(
            study: "segmentation-20111209-00c0ffee", lead: "uk", spec: spec, cells: cells,
            participants: [.init(node: "uk", epsilon: 1, delta: 1e-6, rho: 0.0244, noiseVariance: 21, simulatedNoise: false),
                           .init(node: "world", epsilon: 1, delta: 1e-6, rho: 0.0244, noiseVariance: 21, simulatedNoise: false)],
            noiseVariance: 42, simulatedNoise: false, releasedCustomers: 180, releasedCustomersStandardError: 11,
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), completedAt: Date(timeIntervalSince1970: 1_800_000_004))
        let store = try NodeStore.open(directory: node)
        try store.saveStudyResult(StoredStudyResult(
            study: result.study, role: "participant", lead: "uk", purpose: "segmentation", kind: "histogram",
            resultJSON: try result.canonicalJSON(), digestHex: String(repeating: "c", count: 64), storedAt: Date()))
        try store.close()

        let page = try await AuditCommandTests.cohort(["study", "result", result.study, "--node", node, "--html"])
        #expect(page.status == 0, "\(page.output)")
        #expect(page.output.hasPrefix("<!DOCTYPE html>"))
        for cell in cells {
            #expect(page.output.contains("data-metric=\"study.\(result.study).cell.\(cell.labels[0]).federated\" data-value=\"\(cell.count!)\""))
        }
        #expect(page.output.contains(String(repeating: "c", count: 64)))
        let both = try await AuditCommandTests.cohort(["study", "result", result.study, "--node", node, "--html", "--json"])
        #expect(both.status == 64)
        let out = root + "/result.html"
        let written = try await AuditCommandTests.cohort(["study", "result", result.study, "--node", node, "--html", "--out", out])
        #expect(written.status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == page.output)
    }
}
