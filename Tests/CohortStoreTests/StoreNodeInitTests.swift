import GRDB
import Foundation
import Testing
@testable import CohortStore

@Suite("node init")
struct StoreNodeInitTests {
    @Test("creates config, database, keys/, tls/ and the audit log")
    func creates() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("n1")
        let dir = try await NodeStore.initialize(directory: path, name: "acme", consortium: "demo")
        let fm = FileManager.default
        #expect(dir.isInitialized)
        #expect(fm.fileExists(atPath: dir.auditDatabasePath))
        let keys = try fm.attributesOfItem(atPath: dir.keysPath)[.posixPermissions] as? Int
        #expect(keys == 0o700)
        #expect(fm.fileExists(atPath: dir.tlsPath))
        let config = try NodeConfig.load(from: dir.configPath)
        #expect(config.node.name == "acme")
        let text = try String(contentsOfFile: dir.configPath, encoding: .utf8)
        #expect(text.contains("# "))
        let store = try NodeStore.open(directory: path)
        defer { try? store.close() }
        #expect(try store.appliedMigrations() == ["v1-customers", "v1-transactions", "v1-consent-events", "v1-imports", "v1-budget-spends", "v1-study-results", "v2-imports-rolled-back", "v3-partner-data", "v4-participant-studies"])
        let journal = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test("refuses an existing node and a non-empty directory; --force keeps data")
    func refuses() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("n1")
        _ = try await NodeStore.initialize(directory: path, name: "acme")
        await #expect(throws: StoreError.self) {
            _ = try await NodeStore.initialize(directory: path, name: "acme")
        }
        do {
            _ = try await NodeStore.initialize(directory: path, name: "acme")
        } catch let error as StoreError {
            #expect(error.code == .directoryNotEmpty)
            #expect(error.description.contains("already holds a node"))
        }
        let other = temp.file("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        _ = try temp.write("other/notes.txt", "x")
        await #expect(throws: StoreError.self) {
            _ = try await NodeStore.initialize(directory: other, name: "acme")
        }
        // --force: existing data survives.
        let store = try NodeStore.open(directory: path)
        let csv = try temp.write("c.csv", "customer_id,signup_date\nx1,2024-01-01\n")
        _ = try await store.importCSV(.customers, from: csv, audit: RecordingAudit())
        try store.close()
        _ = try await NodeStore.initialize(directory: path, name: "acme", force: true)
        let reopened = try NodeStore.open(directory: path)
        defer { try? reopened.close() }
        #expect(try reopened.counts().customers == 1)
    }

    @Test("bad names are refused", arguments: ["Acme", "", "a b", "-x"])
    func badName(name: String) async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        await #expect(throws: StoreError.self) {
            _ = try await NodeStore.initialize(directory: temp.file("n"), name: name)
        }
        #expect(!FileManager.default.fileExists(atPath: temp.file("n")))
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
