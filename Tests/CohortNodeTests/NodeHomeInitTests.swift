import CohortAudit
import CohortNode
import CohortStore
import CohortTestSupport
import Foundation
import Testing

/// `cohort node init` (`NodeHome.initialize`): the node's home around its store.
@Suite("node init")
struct NodeHomeInitTests {
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int).map { $0 & 0o7777 }
    }

    static let customersCSV = "customer_id,signup_date\nx1,2024-01-01\n"

    /// Imports one customer into the node at `path`, audited in its log.
    static func importOne(_ path: String, temp: TemporaryDirectory) async throws {
        let store = try NodeStore.open(directory: path)
        let log = try await Audit.Log.open(nodeDirectory: path, node: "acme")
        let csv = temp.appending("c.csv")
        try Data(customersCSV.utf8).write(to: csv)
        _ = try await store.importCSV(.customers, from: csv.path, audit: log)
        await log.close()
        try store.close()
    }

    @Test("creates config, database, keys/, tls/ and the audit log with node.initialized")
    func creates() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-home")
        defer { temp.remove() }
        let path = temp.appending("n1").path
        let dir = try await NodeHome.initialize(directory: path, name: "acme", consortium: "demo")
        let fm = FileManager.default
        #expect(dir.isInitialized)
        #expect(fm.fileExists(atPath: dir.auditDatabasePath))
        #expect(Self.mode(dir.keysPath) == 0o700)
        #expect(fm.fileExists(atPath: dir.tlsPath))
        let config = try NodeConfig.load(from: dir.configPath)
        #expect(config.node.name == "acme")
        let text = try String(contentsOfFile: dir.configPath, encoding: .utf8)
        #expect(text.contains("# "))
        let store = try NodeStore.open(directory: path)
        let migrations = try store.appliedMigrations()
        try store.close()
        let reader = try Audit.LogReader.open(path: dir.auditDatabasePath)
        let first = try reader.entry(at: 0).entry
        #expect(first.type == .nodeInitialized)
        #expect(first.details["consortium"] == .string("demo"))
        #expect(first.details["schema"] == .string(migrations.last ?? ""))
    }

    @Test("refuses an existing node and a non-empty directory; --force keeps data")
    func refuses() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-home")
        defer { temp.remove() }
        let path = temp.appending("n1").path
        _ = try await NodeHome.initialize(directory: path, name: "acme")
        await #expect {
            _ = try await NodeHome.initialize(directory: path, name: "acme")
        } throws: { error in
            let e = error as? NodeError
            return e?.code == .directoryNotEmpty && e?.description.contains("already holds a node") == true
        }
        let other = temp.appending("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: other.appendingPathComponent("notes.txt"))
        await #expect {
            _ = try await NodeHome.initialize(directory: other.path, name: "acme")
        } throws: { error in
            (error as? NodeError)?.code == .directoryNotEmpty
        }
        // --force: existing data survives.
        try await Self.importOne(path, temp: temp)
        _ = try await NodeHome.initialize(directory: path, name: "acme", force: true)
        let reopened = try NodeStore.open(directory: path)
        defer { try? reopened.close() }
        #expect(try reopened.counts().customers == 1)
    }

    @Test("bad names are refused", arguments: ["Acme", "", "a b", "-x"])
    func badName(name: String) async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-home")
        defer { temp.remove() }
        let path = temp.appending("n").path
        await #expect {
            _ = try await NodeHome.initialize(directory: path, name: name)
        } throws: { error in
            (error as? NodeError)?.code == .invalidArgument
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("init --force refuses to start an empty store beside an audit log with entries, and changes nothing",
          arguments: ["empty", "missing"])
    func forceRefusesALostStore(how: String) async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-home")
        defer { temp.remove() }
        let path = temp.appending("node").path
        let directory = try await NodeHome.initialize(directory: path, name: "acme")
        try await Self.importOne(path, temp: temp)
        for file in [directory.databasePath + "-wal", directory.databasePath + "-shm"] {
            try? FileManager.default.removeItem(atPath: file)
        }
        if how == "empty" {
            #expect(truncate(directory.databasePath, 0) == 0)
        } else {
            try FileManager.default.removeItem(atPath: directory.databasePath)
        }
        let config = try String(contentsOfFile: directory.configPath, encoding: .utf8) + "# edited\n"
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.configPath))
        await #expect {
            _ = try await NodeHome.initialize(directory: path, name: "acme", force: true)
        } throws: { error in
            (error as? StoreError)?.code == .storeMissing
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: directory.databasePath)[.size] as? Int) ?? nil
        #expect(how == "empty" ? size == 0 : size == nil)
        // Refused before anything was written: the config is not rewritten either.
        #expect(try String(contentsOfFile: directory.configPath, encoding: .utf8) == config)
    }

    @Test("node init into an existing empty 0755 directory makes it 0700 and its SQLite files 0600")
    func tightensModes() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-home")
        defer { temp.remove() }
        let path = temp.appending("node").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = chmod(path, 0o755)
        let directory = try await NodeHome.initialize(directory: path, name: "acme")
        #expect(Self.mode(path) == 0o700)
        #expect(Self.mode(directory.databasePath) == 0o600)
        #expect(Self.mode(directory.auditDatabasePath) == 0o600)
        #expect(Self.mode(directory.keysPath) == 0o700)
        #expect(Self.mode(directory.tlsPath) == 0o700)
    }
}
