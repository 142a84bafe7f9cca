import Foundation
import GRDB

extension Audit.LogReader {
    /// Copies the log to a new single-file database at `destination` with SQLite's online backup
    /// API, then verifies the copy; safe while the node appends.
    ///
    /// The copy is one consistent snapshot (one read transaction on this reader), so it holds
    /// every entry acknowledged before the backup started, including entries that are still only
    /// in `audit.sqlite-wal` — unlike copying `audit.sqlite` with `cp`. It is written in rollback
    /// journal mode (no `-wal` file to forget), fsynced with its directory, and created
    /// exclusively with mode 0600: the call refuses a destination (or its `-journal`/`-wal`
    /// companion) that already exists, and removes what it created if the copy fails.
    ///
    /// The copy is then verified (``verify(key:external:threads:)``) with this log's stored key
    /// (`key` overrides it) and the result returned; a `.broken` copy is kept (it is faithful to
    /// the source) for the caller to report. Throws `.fileAccess` for an existing or unwritable
    /// destination, `.corruptDatabase` if SQLite fails. O(database pages) I/O plus one replay.
    public func backup(to destination: String, key: Audit.NoteVerifier? = nil, threads: Int? = nil) throws -> Audit.VerificationResult {
        let target = (destination as NSString).standardizingPath
        for companion in [target + "-journal", target + "-wal"] where FileManager.default.fileExists(atPath: companion) {
            throw AuditError(.fileAccess, "backup destination companion \(companion) already exists; refusing to overwrite it")
        }
        let fd = Foundation.open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists; refusing to overwrite it" : String(cString: strerror(errno))
            throw AuditError(.fileAccess, "cannot create backup \(target): \(reason)")
        }
        let modeSet = fchmod(fd, 0o600) == 0
        Foundation.close(fd)
        do {
            guard modeSet else { throw AuditError(.fileAccess, "cannot set mode 0600 on backup \(target)") }
            try AuditDatabase.wrap(target) {
                var config = Configuration()
                config.busyMode = .timeout(5)
                let copy = try DatabaseQueue(path: target, configuration: config)
                try reader.backup(to: copy)
                let mode = try copy.writeWithoutTransaction { db -> String? in
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                    return try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                }
                guard mode?.lowercased() == "delete" else {
                    throw AuditError(.corruptDatabase, "\(target): could not switch the copy to a single file (journal_mode \(mode ?? "unknown"))")
                }
                try copy.close()
            }
            try Self.fsyncFileAndDirectory(target)
        } catch {
            for path in [target, target + "-journal", target + "-wal", target + "-shm"] { unlink(path) }
            throw error
        }
        let copy = try Audit.LogReader.open(path: target)
        guard copy.origin == origin, copy.verifier == verifier else {
            throw AuditError(.corruptDatabase, "backup \(target) names \(copy.origin), not \(origin)")
        }
        return try copy.verify(key: key ?? verifier, threads: threads, policy: .allowingUnsignedTail)
    }

    /// fsyncs `path` and the directory that holds it (so the new name is durable too).
    static func fsyncFileAndDirectory(_ path: String) throws {
        for item in [path, (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent] {
            let fd = Foundation.open(item, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw AuditError(.fileAccess, "cannot open \(item) to sync it: \(String(cString: strerror(errno)))") }
            defer { Foundation.close(fd) }
            guard fsync(fd) == 0 else { throw AuditError(.fileAccess, "cannot fsync \(item): \(String(cString: strerror(errno)))") }
        }
    }
}
