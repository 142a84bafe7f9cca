import CohortAudit
import CohortScenario
import CohortTestSupport
import Foundation
import GRDB
import Testing

/// Issue 15: when a running node finds an entry in its audit database that it did not write, it
/// refuses the action, signs nothing more, and says so in `cohort node status`.
@Suite(.serialized) struct AuditAlertStatusTests {
    @Test func foreignEntryInARunningNodesLogRaisesTheAlertInNodeStatus() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-alert")
        defer { temp.remove() }
        let cluster = try await OperatorExperienceTests.makeNode(temp)
        let dir = try cluster.directory("alpha").path
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        defer { for p in processes { p.crash() } }

        let clean = try await OperatorExperienceTests.cohort(["node", "status", "--node", dir, "--json", "--no-probe"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(!clean.stdout.contains("audit_alert"), "a sound log raises no alert: \(clean.stdout)")

        // Another writer (an insider with file access) appends a row behind the node's back.
        let size = try Audit.LogReader.open(path: dir + "/audit.sqlite").size()
        let customer = try await DatabaseQueue(path: dir + "/node.sqlite").read { db in
            try String.fetchOne(db, sql: "SELECT customer_id FROM customers ORDER BY id LIMIT 1")
        }
        let foreign = try DatabaseQueue(path: dir + "/audit.sqlite")
        try await foreign.write { db in
            try db.execute(
                sql: "INSERT INTO entries (seq, leaf, data) VALUES (?, ?, ?)",
                arguments: [Int64(size), Data(repeating: 0, count: 32), Data("{}".utf8)])
        }
        try foreign.close()

        // The next audited action is refused…
        let grant = try await OperatorExperienceTests.cohort([
            "consent", "grant", "--customer", try #require(customer), "--purpose", "segmentation", "--node", dir,
        ])
        #expect(grant.status != 0, "an audited action must not succeed after a foreign write: \(grant.stdout)")

        // …and the node's status carries the alert (bounded wait for the writer's check).
        var alerted = ""
        for _ in 0..<50 where !alerted.contains("audit_alert") {
            alerted = try await OperatorExperienceTests.cohort(["node", "status", "--node", dir, "--json", "--no-probe"]).stdout
            if !alerted.contains("audit_alert") { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(alerted.contains("\"audit_alert\""), "node status: \(alerted)")
        let text = try await OperatorExperienceTests.cohort(["node", "status", "--node", dir, "--no-probe"])
        #expect(text.stdout.hasPrefix("AUDIT ALERT: "), "\(text.stdout)")
    }
}
