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
            .init(type: .consentGranted, actor: "import", subject: Self.alice, purpose: "segmentation"),      // 0 ✓
            .init(type: .consentGranted, actor: "import", subject: Self.bob, purpose: "benchmarking"),        // 1
            .init(type: .dataAccessed, actor: "system", purpose: "benchmarking", study: "b1"),                // 2 (alice no consent)
            .init(type: .dataAccessed, actor: "system", purpose: "segmentation", study: "s1"),                // 3 ✓
            .init(type: .consentWithdrawn, actor: "ops", subject: Self.alice, purpose: "segmentation"),       // 4 ✓
            .init(type: .dataAccessed, actor: "system", purpose: "segmentation", study: "s2"),                // 5 (withdrawn)
        ]
        _ = try await log.record(contentsOf: events)
        _ = try await log.signCheckpoint()
        _ = try await log.record(.init(type: .subjectErased, actor: "ops", subject: Self.alice))              // 6 ✓ (after checkpoint)
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
}
