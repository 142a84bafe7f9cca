import CohortAudit
import Crypto
import Foundation
import GRDB
@testable import CohortStore

/// Test-only audit sink that keeps events in memory (optionally failing).
actor RecordingAudit: AuditRecording {
    private(set) var events: [Audit.Event] = []
    private var failing = false

    func setFailing(_ value: Bool) { failing = value }

    func record(_ event: Audit.Event) async throws -> UInt64 {
        guard let range = try await record(contentsOf: [event]) else { return 0 }
        return range.lowerBound
    }

    func record(contentsOf events: [Audit.Event]) async throws -> ClosedRange<UInt64>? {
        struct Refused: Error {}
        if failing { throw Refused() }
        guard !events.isEmpty else { return nil }
        let first = UInt64(self.events.count)
        self.events.append(contentsOf: events)
        return first...UInt64(self.events.count - 1)
    }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cohort-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A node with a few customers, used by most store tests.
struct TestNode {
    let temp: TemporaryDirectory
    let store: NodeStore
    let audit = RecordingAudit()

    static let customersCSV = """
        customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date
        c1,2023-01-05,1980,f,north,web,9,5,0,
        c2,2023-02-10,,m,south,store,3,2,1,2024-01-10
        c3,2023-03-15,1990,,,,,,,
        c4,2023-04-20,1975,f,east,app,7,4,0,

        """

    static let transactionsCSV = """
        customer_id,ts,amount_minor,currency,channel,category
        c1,2024-01-01T10:00:00Z,1250,EUR,web,grocery
        c1,2024-02-01 11:00:00,-300,EUR,store,grocery
        c2,2024-01-15,9999,EUR,web,electronics
        c3,2024-03-01T00:00:00Z,500,USD,app,books
        c4,2024-05-01T00:00:00Z,700,EUR,web,grocery

        """

    /// Creates a node; with `seeded`, imports the customers above.
    static func make(seeded: Bool = true) async throws -> TestNode {
        let temp = try TemporaryDirectory()
        let dir = temp.file("node")
        _ = try await createDirectory(dir)
        let node = TestNode(temp: temp, store: try NodeStore.open(directory: dir))
        if seeded {
            let path = try temp.write("customers.csv", customersCSV)
            _ = try await node.store.importCSV(.customers, from: path, audit: node.audit)
        }
        return node
    }

    func cleanup() {
        try? store.close()
        temp.cleanup()
    }

    /// A node directory as the store sees one: the directory (0700), `node.sqlite` with every
    /// migration, and an empty audit log (what `cohort node init` makes, less the home's
    /// `cohort.yaml`, `keys/` and `tls/`, which belong to CohortNode).
    static func createDirectory(_ path: String, node: String = "acme") async throws -> NodeDirectory {
        let directory = NodeDirectory(path)
        try NodeFilePermissions.createPrivateDirectory(path)
        _ = try NodeStore.create(in: directory)
        try NodeFilePermissions.createPrivateFile(directory.auditDatabasePath)
        let log = try await Audit.Log.open(nodeDirectory: path, node: node)
        await log.close()
        return directory
    }

    /// SHA-256 of node.sqlite after a WAL checkpoint, plus a logical dump of every table.
    func snapshot() throws -> (fileHash: String, content: String) {
        try store.checkpoint()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.directory.databasePath))
        let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let content = try store.pool.read { db in
            var text = ""
            for table in ["customers", "transactions", "consent_events", "imports", "budget_spends", "channels", "categories"] {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid")
                text += "\(table): \(rows.map(\.description).joined(separator: ";"))\n"
            }
            return text
        }
        return (hash, content)
    }
}

/// Timestamp helper for tests.
func utc(_ text: String) -> Date {
    CivilTime.date(unixSeconds: CivilTime.parseTimestamp(text) ?? 0)
}
