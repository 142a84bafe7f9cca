@testable import CohortAudit
import Foundation
import Testing

/// Issue 10, defect 9: a copy of `audit.sqlite` taken after the writer exited lacked the recent
/// entries (they were still in `audit.sqlite-wal`), and there was no safe way to back the log up
/// while the node runs.
@Suite struct AuditBackupTests {
    /// Copies `path` alone (never its `-wal` or `-shm`) to `copy`.
    static func copyMainFileOnly(_ path: String, to copy: String) throws {
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
    }

    /// After a writer appends and closes, `audit.sqlite` alone holds every entry: the close
    /// checkpoints and truncates the WAL. Before the fix the copy held none of the 30 entries
    /// (LogReader.open failed or saw 0 entries, since even the schema was still in the WAL).
    @Test func walCheckpointedOnCloseSoTheMainFileHoldsEveryEntry() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        let log = try await Audit.Log.open(databasePath: path, node: "acme", signer: signer, checkpointInterval: 3600)
        for i in 0..<30 { _ = try await log.record(sampleEvent(i)) }
        _ = log.reader()   // an open reader of the pool must not keep entries in the WAL either
        try await log.closeCheckpointingWAL()
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0)

        let copy = dir.path + "/copy.sqlite"
        try Self.copyMainFileOnly(path, to: copy)
        let reader = try Audit.LogReader.open(path: copy)
        #expect(try reader.size() == 30)
        guard case .intact(let size, _) = try reader.verify() else {
            Issue.record("the copy of audit.sqlite does not verify")
            return
        }
        #expect(size == 30)
        // Closing twice is harmless.
        try await log.closeCheckpointingWAL()
    }

    /// A backup taken while the writer is open (entries still in the WAL) holds every
    /// acknowledged entry, verifies, is 0600 and self-contained (no `-wal`); an existing
    /// destination is refused and left untouched.
    @Test func backupWhileWriterOpenHoldsEveryAcknowledgedEntry() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Audit.Log.open(nodeDirectory: dir.path, node: "acme")
        var acknowledged: UInt64 = 0
        for i in 0..<25 { acknowledged = try await log.record(sampleEvent(i)) + 1 }
        let head = log.treeHead()

        let source = try Audit.LogReader.open(path: dir.path + "/audit.sqlite")
        let target = dir.path + "/backup.sqlite"
        let result = try source.backup(to: target)
        #expect(result == .intact(size: acknowledged, root: head.root))
        var info = stat()
        #expect(stat(target, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(!FileManager.default.fileExists(atPath: target + "-wal"))

        // The backup file alone (copied without any companion) still holds everything.
        let moved = dir.path + "/moved.sqlite"
        try AuditBackupTests.copyMainFileOnly(target, to: moved)
        // A copy of a log still being written may end in entries not yet signed.
        #expect(try Audit.LogReader.open(path: moved).verify(policy: .allowingUnsignedTail) == .intact(size: acknowledged, root: head.root))

        // Appends after the backup continue; a second backup to the same file is refused.
        _ = try await log.record(sampleEvent(99))
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect {
            _ = try source.backup(to: target)
        } throws: { error in
            guard let e = error as? AuditError else { return false }
            return e.code == .fileAccess && e.message.contains("already exists")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
        await log.close()
    }

    /// A destination in a missing directory fails cleanly and leaves nothing behind.
    @Test func backupToAnUnwritablePlaceFailsWithAClearError() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        try await buildLog(path: dir.path + "/audit.sqlite", signer: signer, count: 3)
        let source = try Audit.LogReader.open(path: dir.path + "/audit.sqlite")
        #expect {
            _ = try source.backup(to: dir.path + "/missing/backup.sqlite")
        } throws: { error in
            (error as? AuditError)?.code == .fileAccess && "\(error)".contains("missing/backup.sqlite")
        }
    }
}
