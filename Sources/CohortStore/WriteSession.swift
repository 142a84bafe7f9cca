import CohortAudit
import GRDB

/// A dedicated write connection to `node.sqlite` whose transaction may stay open across
/// `await`s (only this session uses the connection), so that a change can be audited
/// durably *before* it is committed:
///
/// 1. ``begin(_:)`` — `BEGIN IMMEDIATE` + the change;
/// 2. the caller awaits the audit log;
/// 3. ``commit()`` — or ``rollback()`` if auditing failed.
///
/// If the process dies between 2 and 3, the log holds an entry for a change that was never
/// committed (an over-report that a reader can detect), never the reverse.
final class WriteSession: Sendable {
    private let queue: DatabaseQueue

    /// Opens a connection. `secureDelete` overwrites deleted content with zeros (erasure).
    ///
    /// `enforceForeignKeys: false` is for the bulk paths (import, erasure) that maintain
    /// references themselves: the importer resolves every customer id against the customers
    /// loaded in the same transaction and every channel/category against its table, and
    /// erasure deletes children before the customer. Enforcement costs one B-tree probe per
    /// reference per row (sqlite3 shell, 2M-row insert: 4.6 s enforced vs 2.8 s not).
    init(directory: NodeDirectory, label: String, secureDelete: Bool = false, enforceForeignKeys: Bool = true) throws {
        var config = NodeStore.configuration(label: label, unsafeTransactions: true, journalMode: .default)
        config.foreignKeysEnabled = enforceForeignKeys
        config.prepareDatabase { db in
            // 64 MiB page cache: a bulk import touches many pages before it commits.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        if secureDelete {
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON")
            }
        }
        queue = try mapDatabaseErrors {
            try DatabaseQueue(path: directory.databasePath, configuration: config)
        }
    }

    /// Starts an IMMEDIATE transaction and runs `work` in it; rolls back if `work` throws.
    func begin<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await queue.writeWithoutTransaction { db in
            try mapDatabaseErrors { try db.beginTransaction(.immediate) }
            do {
                return try work(db)
            } catch {
                try? db.rollback()
                throw error
            }
        }
    }

    /// Runs more work inside the open transaction; rolls back if `work` throws.
    func `continue`<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await queue.writeWithoutTransaction { db in
            do {
                return try work(db)
            } catch {
                try? db.rollback()
                throw error
            }
        }
    }

    /// Commits the open transaction.
    func commit() async throws {
        try await queue.writeWithoutTransaction { db in
            try mapDatabaseErrors {
                do {
                    try db.commit()
                } catch {
                    try? db.rollback()
                    throw error
                }
            }
        }
    }

    /// Rolls back the open transaction, if any.
    func rollback() async {
        try? await queue.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.rollback() }
        }
    }

    /// Records `events` durably, then commits; rolls back if recording fails.
    func auditThenCommit(_ events: [Audit.Event], audit: any AuditRecording) async throws {
        do {
            if !events.isEmpty { _ = try await audit.record(contentsOf: events) }
        } catch {
            await rollback()
            throw StoreError(.auditFailed, "the audit log did not record the change, so it was rolled back: \(error)")
        }
        try await commit()
    }

    /// Records `events` durably inside the open transaction (no commit); rolls back on failure.
    func audit(_ events: [Audit.Event], audit: any AuditRecording) async throws {
        do {
            if !events.isEmpty { _ = try await audit.record(contentsOf: events) }
        } catch {
            await rollback()
            throw StoreError(.auditFailed, "the audit log did not record the change, so it was rolled back: \(error)")
        }
    }

    /// Closes the connection (rolling back anything left open).
    func close() {
        try? queue.close()
    }
}
