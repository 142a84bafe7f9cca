import CohortAudit
import Foundation
import GRDB

/// The node's private data: `node.sqlite` (customers, transactions, consent events, imports,
/// budget spends) in a node directory.
///
/// Open with ``open(directory:)``; close with ``close()``. Thread-safe: reads run concurrently
/// (WAL, `DatabasePool`); audited writes (imports, consent changes, erasure) each use a
/// dedicated connection whose transaction stays open until the audit log has made the
/// corresponding entries durable, so a change is committed only after it is audited, and an
/// audit failure rolls the change back.
public final class NodeStore: Sendable {
    /// The node directory.
    public let directory: NodeDirectory
    let pool: DatabasePool

    private init(directory: NodeDirectory, pool: DatabasePool) {
        self.directory = directory
        self.pool = pool
    }

    /// Connection settings shared by every connection to `node.sqlite`.
    ///
    /// `journalMode` is `.wal` for the pool (which sets WAL up); dedicated write sessions use
    /// `.default` (the file is already in persistent WAL mode) because GRDB's WAL setup
    /// creates and drops a table when the WAL file is empty, which would rewrite the header.
    static func configuration(label: String, unsafeTransactions: Bool = false, journalMode: Configuration.JournalModeConfiguration = .wal) -> Configuration {
        var config = Configuration()
        config.label = label
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.journalMode = journalMode
        config.allowsUnsafeTransactions = unsafeTransactions
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    /// Opens an initialized node directory and applies any pending migrations.
    ///
    /// First tightens the modes of the directory (0700) and its SQLite files (0600; see
    /// ``NodeFilePermissions``). Never creates a store: a missing or empty `node.sqlite`, or one
    /// without the schema, is refused, naming the audit log's entries when there are any (the
    /// store was lost or overwritten; a fresh one would silently show no customers and an empty
    /// budget ledger).
    ///
    /// - Throws: ``StoreError`` `.notANode` if `directory` has no `node.sqlite`, `.storeMissing`
    ///   if it is missing, empty or schema-less while the audit log has entries, `.io` if modes
    ///   cannot be set, `.database` if it cannot be opened or migrated.
    public static func open(directory path: String) throws -> NodeStore {
        let directory = NodeDirectory(path)
        var info = stat()
        guard stat(directory.databasePath, &info) == 0 else {
            if let evidence = auditEvidence(directory) {
                throw StoreError(.storeMissing, "\(directory.databasePath) is missing but \(evidence): the node's data was lost or moved; refusing to start an empty store (restore node.sqlite from a backup)")
            }
            throw StoreError(.notANode, "'\(path)' is not a node directory (no node.sqlite; run `cohort node init \(path) --name <node>`)")
        }
        guard info.st_size > 0 else {
            let evidence = auditEvidence(directory).map { " but \($0)" } ?? ""
            throw StoreError(.storeMissing, "\(directory.databasePath) is empty\(evidence): the node's data was lost or overwritten; refusing to start an empty store (restore node.sqlite from a backup)")
        }
        try NodeFilePermissions.tighten(directory)
        return try openDatabase(directory)
    }

    /// A description of the node's audit log if it exists ("its audit log has N entries"), or
    /// nil when there is none or it is empty. An unreadable log counts as evidence too.
    static func auditEvidence(_ directory: NodeDirectory) -> String? {
        let path = directory.auditDatabasePath
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = [path, path + "-wal"].map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        if bytes.allSatisfy({ $0 == 0 }) { return nil }
        do {
            let size = try Audit.LogReader.open(path: path).size()
            return size == 0 ? nil : "its audit log \(path) has \(size) entries"
        } catch {
            return "its audit log \(path) exists (\(error))"
        }
    }

    static func openDatabase(_ directory: NodeDirectory) throws -> NodeStore {
        do {
            let pool = try DatabasePool(path: directory.databasePath, configuration: configuration(label: "node.sqlite"))
            // GRDB's WAL setup lowers the writer to synchronous=NORMAL; budget spends must be
            // durable when chargeBudget returns.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let applied = try pool.read { db in try StoreSchema.migrator.appliedMigrations(db) }
            if applied.isEmpty, let evidence = auditEvidence(directory) {
                try? pool.close()
                throw StoreError(.storeMissing, "\(directory.databasePath) has no schema but \(evidence): the node's data was lost or overwritten; refusing to start an empty store (restore node.sqlite from a backup)")
            }
            try StoreSchema.migrator.migrate(pool)
            return NodeStore(directory: directory, pool: pool)
        } catch let error as DatabaseError {
            throw StoreError(.database, "cannot open \(directory.databasePath): \(error.message ?? "\(error)")")
        }
    }

    /// Checkpoints the WAL into the main file and closes all connections. The store must not be
    /// used afterwards.
    public func close() throws {
        try mapDatabaseErrors {
            try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
            try pool.close()
        }
    }

    /// Runs `PRAGMA wal_checkpoint(TRUNCATE)`: moves all WAL content into `node.sqlite`
    /// (so that the file alone holds the data) and truncates the WAL.
    public func checkpoint() throws {
        try mapDatabaseErrors {
            try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        }
    }

    /// The names of the applied migrations, in order.
    public func appliedMigrations() throws -> [String] {
        try mapDatabaseErrors {
            try pool.read { db in try StoreSchema.migrator.appliedMigrations(db) }
        }
    }

    /// Number of customers, transactions and consent events stored.
    public func counts() throws -> (customers: Int, transactions: Int, consentEvents: Int) {
        try mapDatabaseErrors {
            try pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM customers") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM transactions") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM consent_events") ?? 0)
            }
        }
    }

    /// The recorded imports, oldest first.
    public func imports() throws -> [ImportRecord] {
        try mapDatabaseErrors {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, kind, file_name, sha256, rows_accepted, rows_rejected, at FROM imports ORDER BY id")
                    .map(ImportRecord.init(row:))
            }
        }
    }

    /// The pseudonym (lowercase hex of 16 bytes) of a customer, or nil if unknown.
    public func pseudonym(customerID: String) throws -> String? {
        try mapDatabaseErrors {
            try pool.read { db in
                try Data.fetchOne(db, sql: "SELECT pseudonym FROM customers WHERE customer_id = ?", arguments: [customerID])
                    .map(Pseudonym.hex)
            }
        }
    }
}

extension ImportRecord {
    /// From a row `id, kind, file_name, sha256, rows_accepted, rows_rejected, at` of `imports`.
    init(row: Row) {
        self.init(
            id: row[0], kind: ImportKind(rawValue: row[1]) ?? .customers, fileName: row[2],
            sha256: row[3], rowsAccepted: row[4], rowsRejected: row[5],
            at: CivilTime.date(unixSeconds: row[6]))
    }
}

/// Runs `body`, turning GRDB errors into ``StoreError`` `.database`.
func mapDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatabaseError {
        throw StoreError(.database, "database error: \(error.message ?? "\(error)")")
    }
}
