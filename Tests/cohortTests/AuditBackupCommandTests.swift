import CohortScenario
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

/// Issue 10, defect 9 at the CLI: a copy of `audit.sqlite` made after the writer exited must hold
/// every entry, and `cohort audit backup` must copy a running log completely, verify the copy and
/// refuse to overwrite anything.
@Suite(.serialized) struct AuditBackupCommandTests {
    static func tempDir() -> String { NSTemporaryDirectory() + "cohort-cli-backup-\(UUID().uuidString)" }

    /// "intact: N entries, root R" → (N, R).
    static func verdict(_ output: String) -> (size: Int, root: String)? {
        guard let range = output.range(of: "intact: ") else { return nil }
        let words = output[range.upperBound...].split(separator: " ")
        guard words.count >= 4, let size = Int(words[0]) else { return nil }
        return (size, String(words[3]))
    }

    /// After `stress-append` exits, `audit.sqlite` copied alone (no `-wal`) verifies with all 20
    /// entries. Before the fix the copy had no tables at all (everything was still in the WAL).
    @Test func mainFileCopiedAfterTheWriterExitedHoldsEveryEntry() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await AuditCommandTests.bench(["stress-append", "--node-dir", dir, "--writers", "2", "--count", "10"]).status == 0)
        try FileManager.default.copyItem(atPath: dir + "/audit.sqlite", toPath: dir + "/copy.sqlite")
        let verify = try await AuditCommandTests.cohort(["audit", "verify", "--audit", dir + "/copy.sqlite"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.hasPrefix("intact: 20 entries"))
    }

    /// `cohort audit backup` of a stopped log: prints entries and root equal to `verify`'s, the
    /// file is 0600, and a second backup to the same file is refused without touching it.
    @Test func backupPrintsEntriesAndRootAndRefusesAnExistingFile() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await AuditCommandTests.bench(["stress-append", "--node-dir", dir, "--writers", "1", "--count", "7"]).status == 0)
        let target = dir + "/backup.sqlite"
        let backup = try await AuditCommandTests.cohort(["audit", "backup", target, "--node-dir", dir])
        #expect(backup.status == 0, "\(backup.output)")
        let verify = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", dir])
        let expected = try #require(Self.verdict(verify.output))
        #expect(Self.verdict(backup.output)?.size == 7)
        #expect(Self.verdict(backup.output)?.root == expected.root)
        var info = stat()
        #expect(stat(target, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        let again = try await AuditCommandTests.cohort(["audit", "backup", target, "--node", dir])
        #expect(again.status != 0)
        #expect(again.output.contains("already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
        let missing = try await AuditCommandTests.cohort(["audit", "backup", dir + "/b2.sqlite", "--node-dir", dir + "/nope"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/b2.sqlite"))
    }

    /// A backup taken while a writer keeps appending holds every index acknowledged before the
    /// backup started, and the copy verifies on its own.
    @Test func backupWhileAWriterAppendsHoldsEveryAcknowledgedEntry() async throws {
        let exe = try BuiltProducts.benchExecutable().path
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let acked = dir + "/acked.txt"
        _ = FileManager.default.createFile(atPath: acked, contents: nil)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = ["stress-append", "--node-dir", dir + "/node", "--writers", "2"]
        child.standardOutput = FileHandle(forWritingAtPath: acked)
        try await ProcessLauncher.launch(child)
        defer {
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            child.waitUntilExit()  // already killed: returns at once
        }
        func acknowledgedMax() -> Int {
            let text = (try? String(contentsOfFile: acked, encoding: .utf8)) ?? ""
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if !text.hasSuffix("\n") { lines.removeLast() }   // a partly written line is not acknowledged
            return lines.compactMap { Int($0) }.max() ?? -1
        }
        for _ in 0..<500 where acknowledgedMax() < 200 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let before = acknowledgedMax()
        #expect(before >= 200, "the writer acknowledged only \(before + 1) entries")
        let target = dir + "/live.sqlite"
        let backup = try await AuditCommandTests.cohort(["audit", "backup", target, "--node-dir", dir + "/node"])
        #expect(child.isRunning, "the writer stopped during the backup")
        kill(child.processIdentifier, SIGKILL)
        #expect(backup.status == 0, "\(backup.output)")
        let copied = try #require(Self.verdict(backup.output))
        #expect(copied.size > before, "backup holds \(copied.size) entries; index \(before) was acknowledged before it started")
        #expect(!FileManager.default.fileExists(atPath: target + "-wal"))
        // The copy of a running log may end in entries the writer had not signed yet.
        let verify = try await AuditCommandTests.cohort(["audit", "verify", "--audit", target, "--allow-unsigned-tail"])
        #expect(verify.status == 0)
        #expect(Self.verdict(verify.output)?.size == copied.size && Self.verdict(verify.output)?.root == copied.root)
    }
}
