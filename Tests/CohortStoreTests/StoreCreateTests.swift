import GRDB
import Foundation
import Testing
@testable import CohortStore

/// The store's part of `cohort node init`: `NodeStore.create(in:)` (the home itself is
/// CohortNode's `NodeHome`, tested there).
@Suite("store creation")
struct StoreCreateTests {
    @Test("creates node.sqlite with every migration, in WAL mode")
    func creates() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("n1")
        try NodeFilePermissions.createPrivateDirectory(path)
        let migrations = try NodeStore.create(in: NodeDirectory(path))
        let expected = ["v1-customers", "v1-transactions", "v1-consent-events", "v1-imports", "v1-budget-spends", "v1-study-results", "v2-imports-rolled-back", "v3-partner-data", "v4-participant-studies", "v5-consent-generation"]
        #expect(migrations == expected)
        let store = try NodeStore.open(directory: path)
        defer { try? store.close() }
        #expect(try store.appliedMigrations() == expected)
        let journal = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test("creating again keeps the data")
    func keepsData() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("n1")
        _ = try await TestNode.createDirectory(path)
        let store = try NodeStore.open(directory: path)
        let csv = try temp.write("c.csv", "customer_id,signup_date\nx1,2024-01-01\n")
        _ = try await store.importCSV(.customers, from: csv, audit: RecordingAudit())
        try store.close()
        _ = try NodeStore.create(in: NodeDirectory(path))
        let reopened = try NodeStore.open(directory: path)
        defer { try? reopened.close() }
        #expect(try reopened.counts().customers == 1)
    }

    @Test("opening a directory that is not a node is a clear error")
    func notANode() throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        #expect {
            _ = try NodeStore.open(directory: temp.path)
        } throws: { error in
            (error as? StoreError)?.code == .notANode
        }
    }
}
