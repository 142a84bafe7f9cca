import Foundation
import GRDB

/// SQLite schema and low-level access for `audit.sqlite`.
///
/// Tables: `meta(key, value)`; `entries(seq, leaf, data)` — `data` is the canonical entry bytes,
/// `leaf` its leaf hash; `nodes(level, idx, hash)` — every perfect subtree of height ≥ 1, so any
/// proof costs O(log n) indexed lookups; `checkpoints(size, note, signed_at)` — signed notes;
/// `witnessed(origin, size, root, note)` — the latest peer checkpoint this node cosigned.
enum AuditDatabase {
    static let format = "cohort-audit/1"

    static let schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, leaf BLOB NOT NULL, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
            PRIMARY KEY (level, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, signed_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL);
        """

    /// Opens the writer pool: WAL with synchronous=FULL, so every commit is fsynced before it
    /// returns. GRDB's WAL set-up lowers the writer connection to synchronous=NORMAL (commits
    /// synced only at checkpoints) after `prepareDatabase` has run, so FULL is set again here and
    /// read back.
    static func openWriter(_ path: String) throws -> DatabasePool {
        try wrap(path) {
            let pool = try DatabasePool(path: path, configuration: writerConfiguration())
            let level = try pool.writeWithoutTransaction { db -> Int? in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            guard level == 2 else {
                throw AuditError(.corruptDatabase, "\(path): SQLite refused synchronous=FULL (got \(level.map(String.init) ?? "nothing"))")
            }
            return pool
        }
    }

    /// Configuration for the writer: WAL (DatabasePool) and synchronous=FULL.
    static func writerConfiguration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    static func readerConfiguration() -> Configuration {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        return config
    }

    /// Maps any database error to `.corruptDatabase` naming the file.
    static func wrap<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.corruptDatabase, "\(path): \(error)")
        }
    }

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    /// Checks that the database is a cohort audit log; returns (node, origin, verifier text).
    static func identity(_ db: Database, path: String) throws -> (node: String, origin: String, verifier: String) {
        let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        for t in ["meta", "entries", "nodes", "checkpoints"] where !tables.contains(t) {
            throw AuditError(.corruptDatabase, "\(path) is not a cohort audit log (table \(t) missing)")
        }
        guard try meta(db, "format") == format, let node = try meta(db, "node"), let origin = try meta(db, "origin"),
              let verifier = try meta(db, "verifier") else {
            throw AuditError(.corruptDatabase, "\(path) is not a cohort audit log (meta rows missing or wrong format)")
        }
        return (node, origin, verifier)
    }

    static func size(_ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM entries") ?? 0)
    }

    static func hash(_ data: Data?, what: String) throws -> Audit.Hash {
        guard let data, let h = data.withUnsafeBytes({ Audit.Hash(raw: $0) }) else {
            throw AuditError(.corruptDatabase, "\(what) is missing or not 32 bytes")
        }
        return h
    }
}

/// Perfect-subtree lookups from the `entries` (level 0) and `nodes` (level ≥ 1) tables.
struct DatabaseNodes: MerkleNodeSource {
    let db: Database

    func hash(level: Int, index: UInt64) throws -> Audit.Hash {
        if level == 0 {
            let stmt = try db.cachedStatement(sql: "SELECT leaf FROM entries WHERE seq = ?")
            let data = try Data.fetchOne(stmt, arguments: [Int64(index)])
            return try AuditDatabase.hash(data, what: "leaf hash of entry \(index)")
        }
        let stmt = try db.cachedStatement(sql: "SELECT hash FROM nodes WHERE level = ? AND idx = ?")
        let data = try Data.fetchOne(stmt, arguments: [level, Int64(index)])
        return try AuditDatabase.hash(data, what: "stored subtree (level \(level), index \(index))")
    }
}
