@testable import CohortAudit
import Foundation
import GRDB
import Testing

/// Issue 15: verification an insider cannot fool, and a writer that signs only what it wrote.
@Suite struct InsiderVerificationTests {
    static func log(_ dir: TempDir, node: String = "acme") async throws -> Audit.Log {
        try await Audit.Log.open(nodeDirectory: dir.path + "/" + node, node: node)
    }

    /// Deleting every `checkpoints` row used to leave a log that verified "intact" (entries after
    /// the last checkpoint were accepted unsigned).
    @Test func deletedCheckpointsNoLongerVerifyIntact() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Self.log(dir)
        for i in 0..<12 { _ = try await log.record(sampleEvent(i)) }
        await log.close()
        let path = dir.path + "/acme/audit.sqlite"
        #expect(try Audit.LogReader.open(path: path).verify() == .intact(size: 12, root: log.treeHead().root))
        try withDatabase(path) { try $0.execute(sql: "DELETE FROM checkpoints") }
        guard case .broken(let at, let reason) = try Audit.LogReader.open(path: path).verify() else {
            Issue.record("a log without checkpoints verified intact")
            return
        }
        #expect(at == 0)
        #expect(reason.contains("no signed checkpoint"))
        // An online copy may end unsigned: the relaxed policy is explicit.
        guard case .intact = try Audit.LogReader.open(path: path).verify(policy: .allowingUnsignedTail) else {
            Issue.record("relaxed policy refused a sound chain")
            return
        }
    }

    /// Entries after the latest checkpoint were accepted unsigned.
    @Test func entriesAfterTheLatestCheckpointFailVerification() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: Audit.Checkpoint.origin(node: "acme"))
        let log = try await Audit.Log.open(databasePath: path, node: "acme", signer: signer, checkpointInterval: 3600)
        for i in 0..<5 { _ = try await log.record(sampleEvent(i)) }
        _ = try await log.signCheckpoint()
        for i in 5..<8 { _ = try await log.record(sampleEvent(i)) }
        // Not closed: the last three entries are not signed yet.
        guard case .broken(let at, let reason) = try Audit.LogReader.open(path: path).verify() else {
            Issue.record("unsigned tail accepted")
            await log.close()
            return
        }
        #expect(at == 5)
        #expect(reason.contains("not covered by any signed checkpoint"))
        await log.close()
        guard case .intact(8, _) = try Audit.LogReader.open(path: path).verify() else {
            Issue.record("the closing checkpoint should cover everything")
            return
        }
    }

    /// Deleting some checkpoint rows (keeping the last) is caught by the signing policy: the
    /// entries between the remaining checkpoints span more than the writer's signing interval.
    @Test func checkpointsMissingFromTheSigningSequenceFail() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: Audit.Checkpoint.origin(node: "acme"))
        let log = try await Audit.Log.open(databasePath: path, node: "acme", signer: signer, checkpointInterval: 3600)
        for i in 0..<6 { _ = try await log.record(sampleEvent(i)) }
        _ = try await log.signCheckpoint()
        for i in 6..<10 { _ = try await log.record(sampleEvent(i)) }
        await log.close()
        // Entries 0…9 written within a second: shift entries 6… two minutes later, as if the log
        // had run on; rewrite the chain consistently, and sign as the node did (6 and 10).
        try withDatabase(path) { db in
            try rewrite(db, signer: signer) { entry in
                if entry.seq >= 6 { entry.timestamp = "2030-01-01T00:02:00.000Z" } else { entry.timestamp = "2030-01-01T00:00:00.000Z" }
            }
        }
        guard case .intact(10, _) = try Audit.LogReader.open(path: path).verify() else {
            Issue.record("the rewritten fixture should verify")
            return
        }
        try withDatabase(path) { try $0.execute(sql: "DELETE FROM checkpoints WHERE size = 6") }
        guard case .broken(let at, let reason) = try Audit.LogReader.open(path: path).verify() else {
            Issue.record("a deleted checkpoint went unnoticed")
            return
        }
        #expect(at == 6)
        #expect(reason.contains("checkpoints missing"))
    }

    /// An entry appended by another writer was signed by the node at its next checkpoint.
    @Test func writerRefusesToSignAnEntryItDidNotWrite() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let node = dir.path + "/acme"
        let log = try await Self.log(dir)
        for i in 0..<4 { _ = try await log.record(sampleEvent(i)) }
        await log.close()
        try appendForeignEntry(node + "/audit.sqlite", seq: 4)
        await #expect(throws: AuditError.self) { _ = try await Audit.Log.open(nodeDirectory: node, node: "acme") }
        do {
            _ = try await Audit.Log.open(nodeDirectory: node, node: "acme")
        } catch let error as AuditError {
            #expect(error.code == .alert)
        }
        let reader = try Audit.LogReader.open(path: node + "/audit.sqlite")
        // Nothing signed beyond what the node wrote; the alerts are on record after the forgery.
        #expect(try reader.latestCheckpoint()?.checkpoint.size == 4)
        #expect(try reader.entry(at: 5).entry.type == .logAlert)
        #expect(try reader.entry(at: 6).entry.type == .logAlert)
        guard case .broken(4, _) = try reader.verify() else {
            Issue.record("the forged entry must not verify")
            return
        }
    }

    /// The same while the log is open: the next commit finds the database longer than its tree
    /// and stops writing (and never signs the forged entry).
    @Test func runningWriterStopsWhenTheDatabaseGrowsUnderIt() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let node = dir.path + "/acme"
        let log = try await Self.log(dir)
        for i in 0..<3 { _ = try await log.record(sampleEvent(i)) }
        _ = try await log.signCheckpoint()
        try appendForeignEntry(node + "/audit.sqlite", seq: 3)
        do {
            _ = try await log.record(sampleEvent(9))
            Issue.record("append after a foreign write succeeded")
        } catch let error as AuditError {
            #expect(error.code == .alert)
        }
        await #expect(throws: AuditError.self) { _ = try await log.signCheckpoint() }
        #expect(log.alert != nil)
        await log.close()
        let reader = try Audit.LogReader.open(path: node + "/audit.sqlite")
        #expect(try reader.latestCheckpoint()?.checkpoint.size == 3)
        #expect(try reader.entry(at: 4).entry.type == .logAlert)
    }

    /// Replacing keys/audit-signing.key overwrote audit-verifier.txt before the open was refused.
    @Test func replacedSigningKeyNeverOverwritesTheVerifierFile() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let node = dir.path + "/acme"
        let log = try await Self.log(dir)
        _ = try await log.record(sampleEvent(0))
        await log.close()
        let original = try String(contentsOfFile: node + "/audit-verifier.txt", encoding: .utf8)
        let other = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        try (other.secretText + "\n").write(toFile: node + "/keys/audit-signing.key", atomically: true, encoding: .utf8)
        do {
            _ = try await Audit.Log.open(nodeDirectory: node, node: "acme")
            Issue.record("a replaced key was accepted")
        } catch let error as AuditError {
            #expect(error.code == .wrongNode)
            #expect(error.message.contains("never overwritten"))
        }
        #expect(try String(contentsOfFile: node + "/audit-verifier.txt", encoding: .utf8) == original)
    }

    /// While the writer runs, its newest entries (younger than the grace) may be unsigned; an
    /// older unsigned tail fails even then.
    @Test func runningWritersRecentTailIsAcceptedAnOldOneIsNot() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: Audit.Checkpoint.origin(node: "acme"))
        let log = try await Audit.Log.open(databasePath: path, node: "acme", signer: signer, checkpointInterval: 3600)
        for i in 0..<3 { _ = try await log.record(sampleEvent(i)) }
        _ = try await log.signCheckpoint()
        for i in 3..<5 { _ = try await log.record(sampleEvent(i)) }
        #expect(Audit.LogReader.isOpenForWriting(databasePath: path))
        var policy = Audit.VerificationPolicy.strict
        policy.runningWriterGrace = 60
        guard case .intact(5, _) = try Audit.LogReader.open(path: path).verify(policy: policy) else {
            Issue.record("a running writer's fresh tail was refused")
            await log.close()
            return
        }
        policy.now += 3600
        guard case .broken(3, _) = try Audit.LogReader.open(path: path).verify(policy: policy) else {
            Issue.record("an hour-old unsigned tail was accepted")
            await log.close()
            return
        }
        await log.close()
        #expect(!Audit.LogReader.isOpenForWriting(databasePath: path))
    }

    // MARK: Helpers

    /// Appends a well-chained entry at `seq` (and its subtrees), as another writer could.
    func appendForeignEntry(_ path: String, seq: UInt64) throws {
        try withDatabase(path) { db in
            var (tree, last) = try WriterHead.databaseTree(db)
            #expect(tree.size == seq)
            let entry = Audit.Entry(
                seq: seq, timestamp: Audit.Timestamp.format(Date()), node: "acme", type: .dataAccessed, prev: last,
                actor: "forger", subject: nil, purpose: "segmentation", study: "x",
                details: ["rows": .integer(1), "transactions": .integer(0), "as_of": .string("2026-01-01")])
            let bytes = entry.canonicalBytes()
            let leaf = Audit.Merkle.leafHash(bytes)
            try db.execute(sql: "INSERT INTO entries (seq, leaf, data) VALUES (?, ?, ?)",
                           arguments: [Int64(seq), leaf.withUnsafeBytes { Data($0) }, Data(bytes)])
            tree.append(leaf) { n in
                try? db.execute(sql: "INSERT OR REPLACE INTO subtrees (id, hash) VALUES (?, ?)",
                                arguments: [AuditDatabase.subtreeKey(level: n.level, index: n.index), n.hash.withUnsafeBytes { Data($0) }])
            }
            last = leaf
        }
    }

    /// Applies `edit` to every entry, re-chains, rebuilds subtrees and re-signs every stored
    /// checkpoint with `signer` (an insider with the key).
    func rewrite(_ db: Database, signer: Audit.NoteSigner, edit: (inout Audit.Entry) -> Void) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT seq, data FROM entries ORDER BY seq")
        let sizes = try Int64.fetchAll(db, sql: "SELECT size FROM checkpoints")
        try db.execute(sql: "DELETE FROM subtrees")
        var prev = Audit.Hash.zero
        var tree = Audit.Merkle.Frontier()
        for row in rows {
            var entry = try Audit.Entry.parse(Array(row["data"] as Data))
            edit(&entry)
            entry.prev = prev
            let bytes = entry.canonicalBytes()
            let leaf = Audit.Merkle.leafHash(bytes)
            try db.execute(sql: "UPDATE entries SET data = ?, leaf = ? WHERE seq = ?",
                           arguments: [Data(bytes), leaf.withUnsafeBytes { Data($0) }, Int64(entry.seq)])
            tree.append(leaf) { n in
                try? db.execute(sql: "INSERT INTO subtrees (id, hash) VALUES (?, ?)",
                                arguments: [AuditDatabase.subtreeKey(level: n.level, index: n.index), n.hash.withUnsafeBytes { Data($0) }])
            }
            prev = leaf
            if sizes.contains(Int64(tree.size)) {
                let cp = try Audit.SignedCheckpoint(signing: Audit.Checkpoint(origin: "cohort.audit/acme", size: tree.size, root: tree.root), with: signer)
                try db.execute(sql: "UPDATE checkpoints SET note = ? WHERE size = ?", arguments: [cp.serialized, Int64(tree.size)])
            }
        }
        try db.execute(sql: "DELETE FROM meta WHERE key = 'head'")
    }
}
