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
    /// - Throws: ``StoreError`` `.notANode` if `directory` has no `node.sqlite`, `.database`
    ///   if it cannot be opened or migrated.
    public static func open(directory path: String) throws -> NodeStore {
        let directory = NodeDirectory(path)
        guard FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw StoreError(.notANode, "'\(path)' is not a node directory (no node.sqlite; run `cohort node init \(path) --name <node>`)")
        }
        return try openDatabase(directory)
    }

    static func openDatabase(_ directory: NodeDirectory) throws -> NodeStore {
        do {
            let pool = try DatabasePool(path: directory.databasePath, configuration: configuration(label: "node.sqlite"))
            // GRDB's WAL setup lowers the writer to synchronous=NORMAL; budget spends must be
            // durable when chargeBudget returns.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try StoreSchema.migrator.migrate(pool)
            return NodeStore(directory: directory, pool: pool)
        } catch let error as DatabaseError {
            throw StoreError(.database, "cannot open \(directory.databasePath): \(error.message ?? "\(error)")")
        }
    }

    /// Loads and validates the node's `cohort.yaml`.
    public func loadConfig() throws -> NodeConfig {
        try NodeConfig.load(from: directory.configPath)
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
                    .map { row in
                        ImportRecord(
                            id: row[0], kind: ImportKind(rawValue: row[1]) ?? .customers, fileName: row[2],
                            sha256: row[3], rowsAccepted: row[4], rowsRejected: row[5],
                            at: CivilTime.date(unixSeconds: row[6]))
                    }
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

/// Runs `body`, turning GRDB errors into ``StoreError`` `.database`.
func mapDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatabaseError {
        throw StoreError(.database, "database error: \(error.message ?? "\(error)")")
    }
}
