import Foundation
import GRDB

/// SQLite schema and low-level access for `audit.sqlite`.
///
/// Tables: `meta(key, value)`; `entries(seq, leaf, data)` — `data` is the canonical entry bytes,
/// `leaf` its leaf hash; `subtrees(id, hash)` — every perfect subtree of height ≥ 1, keyed in the
/// order appends complete them (`subtreeKey`), so any proof costs O(log n) indexed lookups and a
/// commit only adds rows at the end of one B-tree; `checkpoints(size, note, signed_at)` — signed
/// notes; `witnessed(origin, size, root, note)` — the latest peer checkpoint this node cosigned;
/// `witnessed_history(origin, size, note)` — every peer checkpoint it cosigned; `refused(…)` —
/// peer checkpoints it refused (forks, rollbacks), kept as evidence; `peer_keys(name, verifier,
/// witnessed_size)` — each peer's audit verifier key, pinned at first contact, and the size of
/// this node's latest checkpoint that peer cosigned.
enum AuditDatabase {
    /// The on-disk layouts this code reads. Writers migrate `v1` to `v2` when they open a log.
    enum Format: String, Sendable {
        /// `nodes(level, idx, hash)`: a commit touched one B-tree leaf per tree level.
        case v1 = "cohort-audit/1"
        /// `subtrees(id, hash)` keyed by `subtreeKey`.
        case v2 = "cohort-audit/2"
    }

    /// The format new logs are written in.
    static let format = Format.v2

    static let schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, leaf BLOB NOT NULL, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS subtrees (id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, signed_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS witnessed_history (origin TEXT NOT NULL, size INTEGER NOT NULL, note TEXT NOT NULL, PRIMARY KEY (origin, size));
        CREATE TABLE IF NOT EXISTS refused (id INTEGER PRIMARY KEY, origin TEXT NOT NULL, size INTEGER NOT NULL, note TEXT NOT NULL, old_size INTEGER NOT NULL, proof TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS peer_keys (name TEXT PRIMARY KEY, verifier TEXT NOT NULL, witnessed_size INTEGER NOT NULL DEFAULT 0);
        """

    /// The `subtrees` key of the perfect subtree at `level` ≥ 1, `index`: the last leaf it covers
    /// times 64, plus its level. Keys grow in the order appends complete subtrees (a leaf completes
    /// its subtrees from the lowest level up), so inserts always land at the end of the table.
    static func subtreeKey(level: Int, index: UInt64) -> Int64 {
        Int64(bitPattern: (((index + 1) << UInt64(level)) - 1) << 6 | UInt64(level))
    }

    /// Rewrites a `v1` log's `nodes` table as `subtrees` (leaving `nodes` empty) and marks the
    /// log `v2`, inside the caller's transaction. O(stored subtrees).
    static func migrateToV2(_ db: Database) throws {
        let insert = try db.makeStatement(sql: "INSERT INTO subtrees (id, hash) VALUES (?, ?)")
        for row in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM nodes") {
            let level: Int = row["level"]
            let index: Int64 = row["idx"]
            let hash: Data = row["hash"]
            try insert.execute(arguments: [subtreeKey(level: level, index: UInt64(index)), hash])
        }
        // Emptied, not dropped: dropping a table while another connection (an officer's reader)
        // holds prepared statements on it crashed SQLite 3.40 when that connection closed.
        try db.execute(sql: "DELETE FROM nodes")
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'format'", arguments: [Format.v2.rawValue])
    }

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
        } catch let error as GroupCommitter.ForeignEntries {
            throw error
        } catch {
            throw AuditError(.corruptDatabase, "\(path): \(error)")
        }
    }

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    /// Checks that the database is a cohort audit log; returns its identity and format.
    static func identity(_ db: Database, path: String) throws -> (node: String, origin: String, verifier: String, format: Format) {
        let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        guard let text = try meta(db, "format"), let format = Format(rawValue: text) else {
            throw AuditError(.corruptDatabase, "\(path) is not a cohort audit log (meta rows missing or wrong format)")
        }
        let subtreeTable = format == .v1 ? "nodes" : "subtrees"
        for t in ["meta", "entries", subtreeTable, "checkpoints"] where !tables.contains(t) {
            throw AuditError(.corruptDatabase, "\(path) is not a cohort audit log (table \(t) missing)")
        }
        guard let node = try meta(db, "node"), let origin = try meta(db, "origin"), let verifier = try meta(db, "verifier") else {
            throw AuditError(.corruptDatabase, "\(path) is not a cohort audit log (meta rows missing or wrong format)")
        }
        return (node, origin, verifier, format)
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

/// Perfect-subtree lookups from the `entries` table (level 0) and the subtree table (level ≥ 1).
struct DatabaseNodes: MerkleNodeSource {
    let db: Database
    /// The log's layout (`v1` logs opened read-only keep their `nodes` table).
    var format = AuditDatabase.format

    func hash(level: Int, index: UInt64) throws -> Audit.Hash {
        if level == 0 {
            let stmt = try db.cachedStatement(sql: "SELECT leaf FROM entries WHERE seq = ?")
            let data = try Data.fetchOne(stmt, arguments: [Int64(index)])
            return try AuditDatabase.hash(data, what: "leaf hash of entry \(index)")
        }
        let data: Data?
        switch format {
        case .v1:
            let stmt = try db.cachedStatement(sql: "SELECT hash FROM nodes WHERE level = ? AND idx = ?")
            data = try Data.fetchOne(stmt, arguments: [level, Int64(index)])
        case .v2:
            let stmt = try db.cachedStatement(sql: "SELECT hash FROM subtrees WHERE id = ?")
            data = try Data.fetchOne(stmt, arguments: [AuditDatabase.subtreeKey(level: level, index: index)])
        }
        return try AuditDatabase.hash(data, what: "stored subtree (level \(level), index \(index))")
    }
}
