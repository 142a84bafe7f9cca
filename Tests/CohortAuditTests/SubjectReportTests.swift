import CohortAudit
import Foundation
import GRDB
import Testing

@Suite struct SubjectReportTests {
    static let alice = "0123456789abcdef0123456789abcdef"
    static let bob = "fedcba9876543210fedcba9876543210"

    @Test func consentHistoryAndStudiesThatUsedTheData() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        // The node store's customers table, as the store stream creates it.
        let store = try DatabaseQueue(path: dir.path + "/node.sqlite")
        try await store.write { db in
            try db.execute(sql: "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, pseudonym BLOB NOT NULL UNIQUE)")
            try db.execute(sql: "INSERT INTO customers VALUES (?, ?)", arguments: ["C-1", Data(hexBytes(Self.alice))])
        }
        try store.close()
        #expect(try Audit.SubjectLookup.pseudonym(customerID: "C-1", nodeDatabasePath: dir.path + "/node.sqlite") == Self.alice)
        #expect { try Audit.SubjectLookup.pseudonym(customerID: "C-2", nodeDatabasePath: dir.path + "/node.sqlite") } throws: {
            ($0 as? AuditError)?.code == .unknownSubject
        }

        // No automatic checkpoints (the 1-second timer could sign after entry 6 on a busy machine):
        // the only checkpoint is the one signed explicitly below, at size 6.
        let log = try await Audit.Log.open(
            databasePath: dir.path + "/audit.sqlite", node: "acme",
            signer: try Audit.NoteSigner.generate(name: Audit.Checkpoint.origin(node: "acme")), checkpointInterval: 3600)
        let events: [Audit.Event] = [
            .init(type: .consentGranted, actor: "import", subject: Self.alice, purpose: "segmentation", details: ["at": .string("2026-01-01T00:00:00Z"), "source": .string("cli")]),      // 0 ✓
            .init(type: .consentGranted, actor: "import", subject: Self.bob, purpose: "benchmarking", details: ["at": .string("2026-01-01T00:00:00Z"), "source": .string("cli")]),        // 1
            .init(type: .dataAccessed, actor: "system", purpose: "benchmarking", study: "b1", details: accessedDetails),                // 2 (alice no consent)
            .init(type: .dataAccessed, actor: "system", purpose: "segmentation", study: "s1", details: accessedDetails),                // 3 ✓
            .init(type: .consentWithdrawn, actor: "ops", subject: Self.alice, purpose: "segmentation", details: ["at": .string("2026-01-01T00:00:00Z"), "source": .string("cli")]),       // 4 ✓
            .init(type: .dataAccessed, actor: "system", purpose: "segmentation", study: "s2", details: accessedDetails),                // 5 (withdrawn)
        ]
        _ = try await log.record(contentsOf: events)
        _ = try await log.signCheckpoint()
        _ = try await log.record(.init(type: .subjectErased, actor: "ops", subject: Self.alice, details: ["transactions": .integer(0), "consent_events": .integer(2)]))              // 6 ✓ (after checkpoint)
        let reader = log.reader()
        let report = try reader.subjectReport(pseudonym: Self.alice)
        #expect(report.items.map(\.index) == [0, 3, 4, 6])
        #expect(report.items[1].entry.study == "s1")
        let cp = try #require(report.checkpoint)
        #expect(cp.checkpoint.size == 6)
        for item in report.items.prefix(3) {
            let proof = try #require(item.proof)
            #expect(Audit.Merkle.verifyInclusion(index: item.index, size: 6, leafHash: item.leaf, proof: proof, root: cp.checkpoint.root))
        }
        #expect(report.items[3].proof == nil)
        await log.close()
    }

    /// Issue 10 defect 2: the report decides consent the way a study reads it — by the consent
    /// events' own times (`at`), not by the order they reached the log — so it lists every study
    /// that read the customer and none that did not.
    @Test func subjectReportDecidesConsentByEventTimeLikeTheStore() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Audit.Log.open(
            databasePath: dir.path + "/audit.sqlite", node: "acme",
            signer: try Audit.NoteSigner.generate(name: Audit.Checkpoint.origin(node: "acme")), checkpointInterval: 3600)
        func consent(_ type: Audit.EventType, _ who: String, at: String) -> Audit.Event {
            .init(type: type, actor: "import", subject: who, purpose: "segmentation", details: ["at": .string(at), "source": .string("import")])
        }
        let events: [Audit.Event] = [
            // Alice: granted in 2024; an older (2023) withdrawal imported afterwards does not undo it.
            consent(.consentGranted, Self.alice, at: "2024-01-01T00:00:00Z"),                                // 0 ✓
            consent(.consentWithdrawn, Self.alice, at: "2023-01-01T00:00:00Z"),                              // 1 ✓
            // Bob: a grant dated in the far future is not in force when the study reads.
            consent(.consentGranted, Self.bob, at: "2999-01-01T00:00:00Z"),
            .init(type: .dataAccessed, actor: "system", purpose: "segmentation", study: "s1", details: accessedDetails),                // 3 ✓ alice only
        ]
        _ = try await log.record(contentsOf: events)
        let reader = log.reader()
        #expect(try reader.subjectReport(pseudonym: Self.alice).items.map(\.index) == [0, 1, 3])
        #expect(try reader.subjectReport(pseudonym: Self.bob).items.map(\.index) == [2])
        await log.close()
    }
}
