@testable import CohortAudit
import Foundation
import GRDB
import Testing

/// A fresh temporary directory, removed by `cleanup()`.
struct TempDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "cohort-audit-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func sampleEvent(_ i: Int, subject: String? = nil) -> Audit.Event {
    Audit.Event(type: .dataAccessed, actor: "op", subject: subject, purpose: "segmentation", study: "s\(i % 3)", details: ["rows": .integer(Int64(i)), "transactions": .integer(0), "as_of": .string("2026-01-01")])
}

/// Builds a log of `count` entries at `path`, signing checkpoints at `checkpoints` sizes.
func buildLog(path: String, node: String = "acme", signer: Audit.NoteSigner, count: Int, checkpoints: Set<Int> = [], offset: Int = 0) async throws {
    let log = try await Audit.Log.open(databasePath: path, node: node, signer: signer, checkpointInterval: 3600)
    let start = Int(log.treeHead().size)
    for i in start..<count {
        _ = try await log.record(sampleEvent(i + offset))
        if checkpoints.contains(i + 1) { _ = try await log.signCheckpoint() }
    }
    await log.close()
}

func withDatabase(_ path: String, _ body: (Database) throws -> Void) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.write(body)
    try queue.close()
}

@Suite struct AuditLogTests {
    /// Every commit is fsynced: the writer connection runs with synchronous=FULL (GRDB's WAL
    /// set-up would otherwise leave it at NORMAL, which syncs only at checkpoints).
    @Test func writerConnectionIsSynchronousFull() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Audit.Log.open(nodeDirectory: dir.path, node: "acme")
        _ = try await log.record(sampleEvent(0))
        let level = try await log.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(level == 2)
        await log.close()
    }

    /// A log in the first layout (`nodes(level, idx, hash)`) still reads, proves and verifies
    /// read-only; the first writer to open it rewrites it to `subtrees` and carries on, with
    /// proofs across the migration still verifying.
    @Test func firstLayoutLogsAreReadThenMigrated() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        try await buildLog(path: path, signer: signer, count: 45, checkpoints: [20])
        let current = try Audit.LogReader.open(path: path)
        let head = try current.treeHead()
        let proofs = try (0..<45).map { try current.inclusionProof(index: UInt64($0)) }
        let consistency = try current.consistencyProof(from: 20, to: 45)
        try withDatabase(path) { db in
            try db.execute(sql: "CREATE TABLE nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID")
            try db.execute(sql: "INSERT INTO nodes SELECT id & 63, (((id >> 6) + 1) >> (id & 63)) - 1, hash FROM subtrees")
            try db.execute(sql: "DROP TABLE subtrees")
            try db.execute(sql: "UPDATE meta SET value = 'cohort-audit/1' WHERE key = 'format'")
        }
        let old = try Audit.LogReader.open(path: path)
        #expect(old.format == .v1)
        #expect(try old.treeHead() == head)
        #expect(try (0..<45).map { try old.inclusionProof(index: UInt64($0)) } == proofs)
        #expect(try old.consistencyProof(from: 20, to: 45) == consistency)
        #expect(try old.verify() == .intact(size: 45, root: head.root))

        try await buildLog(path: path, signer: signer, count: 70, checkpoints: [60])
        let migrated = try Audit.LogReader.open(path: path)
        #expect(migrated.format == .v2)
        let newHead = try migrated.treeHead()
        #expect(newHead.size == 70)
        for index in [0, 19, 44, 45, 69] as [UInt64] {
            let proof = try migrated.inclusionProof(index: index)
            #expect(Audit.Merkle.verifyInclusion(index: index, size: 70, leafHash: try migrated.entry(at: index).leaf, proof: proof, root: newHead.root))
        }
        let grown = try migrated.consistencyProof(from: 45, to: 70)
        #expect(Audit.Merkle.verifyConsistency(from: 45, to: 70, fromRoot: head.root, toRoot: newHead.root, proof: grown))
        #expect(try migrated.verify() == .intact(size: 70, root: newHead.root))
        let leftover = try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM nodes") }
        #expect(leftover == 0)
        // The reader opened on the first layout still works after the migration.
        #expect(try old.size() == 70)
    }

    /// The parallel pass gives the sequential replay's root for logs of many sizes, worker
    /// counts and chunk sizes, with checkpoints inside chunks and on chunk boundaries.
    @Test(arguments: [(1, 2), (2, 2), (3, 3), (2, 5), (4, 1)])
    func parallelPassMatchesSequentialReplay(workers: Int, height: Int) async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        try await buildLog(path: path, signer: signer, count: 157, checkpoints: [1, 16, 33, 64, 100, 101])
        let reader = try Audit.LogReader.open(path: path)
        let expected = try reader.verify(plan: .sequential)
        guard case .intact(157, let root) = expected else {
            Issue.record("not intact: \(expected)")
            return
        }
        #expect(root == (try reader.treeHead().root))
        let plan = VerificationPlan(workers: workers, chunkHeight: height, chunksPerWorkerPerRound: 2)
        let fast = try reader.parallelPass(checks: try reader.collectChecks(key: nil, external: nil), plan: plan)
        #expect(fast?.size == 157 && fast?.root == root)
        #expect(try reader.verify(key: nil, external: nil, plan: plan) == expected)
    }

    @Test func openRecordReopenVerify() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Audit.Log.open(nodeDirectory: dir.path, node: "acme")
        #expect(try await log.record(sampleEvent(0)) == 0)
        #expect(try await log.record(contentsOf: (1..<5).map { sampleEvent($0) }) == 1...4)
        #expect(try await log.record(contentsOf: []) == nil)
        await log.close()
        await #expect(throws: AuditError.self) { try await log.record(sampleEvent(9)) }

        let keyAttrs = try FileManager.default.attributesOfItem(atPath: dir.path + "/keys/audit-signing.key")
        #expect((keyAttrs[.posixPermissions] as? Int) == 0o600)
        let dirAttrs = try FileManager.default.attributesOfItem(atPath: dir.path + "/keys")
        #expect((dirAttrs[.posixPermissions] as? Int) == 0o700)
        let verifierText = try String(contentsOfFile: dir.path + "/audit-verifier.txt", encoding: .utf8)
        let verifier = try Audit.NoteVerifier(parsing: verifierText)
        #expect(verifier.name == "cohort.audit/acme")

        let again = try await Audit.Log.open(nodeDirectory: dir.path, node: "acme")
        #expect(try await again.record(sampleEvent(5)) == 5)
        await again.close()
        let reader = try Audit.LogReader.open(path: dir.path + "/audit.sqlite")
        let result = try reader.verify(key: verifier)
        guard case .intact(let size, let root) = result else {
            Issue.record("expected intact, got \(result)")
            return
        }
        #expect(size == 6)
        let leaves = try (0..<6).map { try reader.entry(at: $0).leaf }
        #expect(root == Audit.Merkle.rootByDefinition(leaves[...]))
        // The close() checkpoint covers everything and verifies.
        let cp = try #require(try reader.latestCheckpoint())
        #expect(cp.checkpoint.size == 6)
        try cp.verify(logKey: verifier)
    }

    @Test func concurrentAppendsAreContiguousAndChained() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let log = try await Audit.Log.open(nodeDirectory: dir.path, node: "acme")
        let indices = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for w in 0..<8 {
                group.addTask {
                    var out: [UInt64] = []
                    for i in 0..<40 { out.append(try await log.record(sampleEvent(w * 100 + i))) }
                    return out
                }
            }
            var all: [UInt64] = []
            for try await part in group { all += part }
            return all
        }
        await log.close()
        #expect(indices.sorted() == Array(0..<320))
        let reader = try Audit.LogReader.open(path: dir.path + "/audit.sqlite")
        #expect(try reader.verify() == .intact(size: 320, root: try reader.treeHead().root))
    }

    @Test func storedProofsMatchNaiveTree() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        let path = dir.path + "/audit.sqlite"
        try await buildLog(path: path, signer: signer, count: 37)
        let reader = try Audit.LogReader.open(path: path)
        let leaves = try (0..<37).map { try reader.entry(at: UInt64($0)).leaf }
        let naive = Audit.Merkle.InMemoryNodes(leaves: leaves)
        for size in [1, 2, 13, 32, 37] as [UInt64] {
            #expect(try reader.treeHead(size: size).root == Audit.Merkle.rootByDefinition(leaves[0..<Int(size)]))
            for index in stride(from: 0, to: size, by: 3) {
                #expect(try reader.inclusionProof(index: index, size: size) == Audit.Merkle.inclusionProof(index: index, size: size, nodes: naive))
            }
            for from in 0...size {
                #expect(try reader.consistencyProof(from: from, to: size) == Audit.Merkle.consistencyProof(from: from, to: size, nodes: naive))
            }
        }
        #expect(throws: AuditError.self) { try reader.inclusionProof(index: 37) }
        #expect(throws: AuditError.self) { try reader.inclusionProof(index: 3, size: 99) }
        let file = try Audit.InclusionProofFile(reader: reader, index: 20, size: 37)
        try file.verify(key: signer.verifier)
        let decoded = try Audit.decodeJSON(Audit.InclusionProofFile.self, from: try Audit.encodeJSON(file), source: "test")
        #expect(decoded == file)
        let cfile = try Audit.ConsistencyProofFile(reader: reader, from: 10, to: 37)
        try cfile.verify()
    }

    @Test func witnessCosigning() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let peerSigner = try Audit.NoteSigner.generate(name: "cohort.audit/globex")
        let peerPath = dir.path + "/peer.sqlite"
        try await buildLog(path: peerPath, node: "globex", signer: peerSigner, count: 5, checkpoints: [5])
        let peerReader = try Audit.LogReader.open(path: peerPath)
        let cp5 = try #require(try peerReader.latestCheckpoint())

        let mine = try await Audit.Log.open(nodeDirectory: dir.path + "/acme", node: "acme")
        guard case .cosigned(let cosigned) = try await mine.witness(note: cp5.serialized, peerKey: peerSigner.verifier, oldSize: 0, proof: []) else {
            Issue.record("first checkpoint not cosigned")
            return
        }
        #expect(cosigned.hasCosignature(by: mine.verifier))

        try await buildLog(path: peerPath, node: "globex", signer: peerSigner, count: 9, checkpoints: [9])
        let peerReader2 = try Audit.LogReader.open(path: peerPath)
        let cp9 = try #require(try peerReader2.latestCheckpoint())
        // Stale old size: a conflict naming the witnessed size; a bad proof: refused.
        #expect(try await mine.witness(note: cp9.serialized, peerKey: peerSigner.verifier, oldSize: 0, proof: []) == .conflict(witnessedSize: 5))
        await #expect(throws: AuditError.self) { _ = try await mine.witness(note: cp9.serialized, peerKey: peerSigner.verifier, oldSize: 5, proof: []) }
        let proof = try peerReader2.consistencyProof(from: 5, to: 9)
        _ = try await mine.witness(note: cp9.serialized, peerKey: peerSigner.verifier, oldSize: 5, proof: proof)
        await mine.close()
        let myReader = try Audit.LogReader.open(path: dir.path + "/acme/audit.sqlite")
        #expect(try myReader.entry(at: 0).entry.type == .checkpointCosigned)
        #expect(try myReader.entry(at: 1).entry.type == .checkpointRefused)
        #expect(try myReader.entry(at: 2).entry.type == .checkpointCosigned)
        #expect(try myReader.refusedCheckpoints().map(\.size) == [9])
    }
}

@Suite struct TamperTests {
    struct Fixture {
        let dir: TempDir
        let path: String
        let signer: Audit.NoteSigner

        init(count: Int = 30, checkpoints: Set<Int> = [10, 20]) async throws {
            dir = try TempDir()
            path = dir.path + "/audit.sqlite"
            signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
            try await buildLog(path: path, signer: signer, count: count, checkpoints: checkpoints)
        }

        /// The sequential replay's verdict, after checking that the parallel pass agrees with it
        /// for several chunk sizes (same root when intact, no verdict when broken) and that the
        /// public entry point returns the same result.
        func verify(external: Audit.SignedCheckpoint? = nil) throws -> Audit.VerificationResult {
            let reader = try Audit.LogReader.open(path: path)
            let sequential = try reader.verify(key: signer.verifier, external: external, plan: .sequential)
            let checks = try reader.collectChecks(key: signer.verifier, external: external)
            for height in 1...3 {
                let plan = VerificationPlan(workers: 2, chunkHeight: height)
                let fast = try reader.parallelPass(checks: checks, plan: plan)
                switch sequential {
                case .intact(let size, let root):
                    #expect(fast?.size == size && fast?.root == root, "chunks of \(1 << height)")
                case .broken:
                    #expect(fast == nil, "parallel pass with chunks of \(1 << height) missed: \(sequential)")
                }
                #expect(try reader.verify(key: signer.verifier, external: external, plan: plan) == sequential)
            }
            #expect(try reader.verify(key: signer.verifier, external: external) == sequential)
            return sequential
        }
    }

    func brokenIndex(_ r: Audit.VerificationResult) -> UInt64? {
        if case .broken(let at, _) = r { return at }
        return nil
    }

    @Test func intactBaseline() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        guard case .intact(30, _) = try f.verify() else {
            Issue.record("baseline not intact")
            return
        }
    }

    @Test func changedByteDetectedAtThatEntry() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        try withDatabase(f.path) { db in
            var data = try #require(try Data.fetchOne(db, sql: "SELECT data FROM entries WHERE seq = 12"))
            let i = try #require(data.firstIndex(of: UInt8(ascii: "o")))
            data[i] = UInt8(ascii: "p")
            try db.execute(sql: "UPDATE entries SET data = ? WHERE seq = 12", arguments: [data])
        }
        #expect(brokenIndex(try f.verify()) == 12)
    }

    @Test func changedByteWithRecomputedLeafDetectedAtThatEntry() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        try withDatabase(f.path) { db in
            var data = try #require(try Data.fetchOne(db, sql: "SELECT data FROM entries WHERE seq = 12"))
            let i = try #require(data.firstIndex(of: UInt8(ascii: "o")))
            data[i] = UInt8(ascii: "p")
            let leaf = Audit.Merkle.leafHash(Array(data)).bytes
            try db.execute(sql: "UPDATE entries SET data = ?, leaf = ? WHERE seq = 12", arguments: [data, Data(leaf)])
        }
        #expect(brokenIndex(try f.verify()) == 12)
    }

    /// With no checkpoint to compare against, only the chain catches an entry rewritten with a
    /// matching leaf hash: inside a chunk (12), at the end of a chunk so the break is between
    /// chunks (15, 7), and the first entry's `prev` (0).
    @Test(arguments: [0, 7, 12, 15])
    func rewrittenEntryCaughtByTheChainAlone(index: Int) async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        try withDatabase(f.path) { db in
            try db.execute(sql: "DELETE FROM checkpoints")
            var text = try #require(try String.fetchOne(db, sql: "SELECT CAST(data AS TEXT) FROM entries WHERE seq = ?", arguments: [index]))
            if index == 0 {
                text = text.replacingOccurrences(of: String(repeating: "0", count: 64), with: String(repeating: "1", count: 64))
            } else {
                text = text.replacingOccurrences(of: "\"actor\":\"op\"", with: "\"actor\":\"oq\"")
            }
            let data = Array(text.utf8)
            try db.execute(sql: "UPDATE entries SET data = ?, leaf = ? WHERE seq = ?",
                           arguments: [Data(data), Data(Audit.Merkle.leafHash(data).bytes), index])
        }
        let r = try f.verify()
        #expect(brokenIndex(r) == UInt64(index))
        if case .broken(_, let reason) = r { #expect(reason.contains("prev")) }
    }

    @Test func deletedEntryDetected() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        try withDatabase(f.path) { try $0.execute(sql: "DELETE FROM entries WHERE seq = 7") }
        #expect(brokenIndex(try f.verify()) == 7)
    }

    @Test func swappedEntriesDetected() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        try withDatabase(f.path) { db in
            try db.execute(sql: "UPDATE entries SET seq = -1 WHERE seq = 4")
            try db.execute(sql: "UPDATE entries SET seq = 4 WHERE seq = 9")
            try db.execute(sql: "UPDATE entries SET seq = 9 WHERE seq = -1")
        }
        #expect(brokenIndex(try f.verify()) == 4)
    }

    @Test func truncatedTailDetected() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        // The checkpoint signed at close() covers 30 entries; cut to 25.
        try withDatabase(f.path) { try $0.execute(sql: "DELETE FROM entries WHERE seq >= 25") }
        let r = try f.verify()
        #expect(brokenIndex(r) == 25)
        // Also with the stored checkpoints removed, the officer's kept checkpoint catches it.
        let kept = try #require(try Audit.LogReader.open(path: f.path).latestCheckpoint())
        try withDatabase(f.path) { try $0.execute(sql: "DELETE FROM checkpoints WHERE size > 20") }
        #expect(brokenIndex(try f.verify(external: kept)) == 25)
    }

    @Test func replacedCheckpointSignatureDetected() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        let impostor = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        try withDatabase(f.path) { db in
            let note = try #require(try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = 20"))
            var cp = try Audit.SignedCheckpoint(parsing: note)
            var forged = try Audit.SignedNote(text: cp.note.text)
            try forged.sign(with: impostor)
            forged.signatures[0].keyID = f.signer.verifier.keyID
            cp.note = forged
            try db.execute(sql: "UPDATE checkpoints SET note = ? WHERE size = 20", arguments: [cp.serialized])
        }
        #expect(brokenIndex(try f.verify()) == 19)
    }

    @Test func splicedForkDetectedWhereHistoriesDiverge() async throws {
        let f = try await Fixture(count: 10, checkpoints: [10])
        defer { f.dir.cleanup() }
        let forkPath = f.dir.path + "/fork.sqlite"
        try FileManager.default.copyItem(atPath: f.path, toPath: forkPath)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: f.path + suffix) {
            try FileManager.default.copyItem(atPath: f.path + suffix, toPath: forkPath + suffix)
        }
        #expect(try Audit.LogReader.open(path: forkPath).size() == 10)
        try await buildLog(path: f.path, signer: f.signer, count: 20, checkpoints: [20])
        try await buildLog(path: forkPath, signer: f.signer, count: 20, checkpoints: [20], offset: 1000)
        guard case .intact = try f.verify() else {
            Issue.record("original not intact")
            return
        }
        try withDatabase(f.path) { db in
            try db.execute(sql: "ATTACH DATABASE ? AS fork", arguments: [forkPath])
            try db.execute(sql: "DELETE FROM entries WHERE seq >= 10")
            try db.execute(sql: "INSERT INTO entries SELECT * FROM fork.entries WHERE seq >= 10")
            try db.execute(sql: "DELETE FROM subtrees")
            try db.execute(sql: "INSERT INTO subtrees SELECT * FROM fork.subtrees")
        }
        let r = try f.verify()
        #expect(brokenIndex(r) == 10)
        if case .broken(_, let reason) = r { #expect(reason.contains("fork")) }
    }

    @Test func invalidJSONEntryDetected() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        let bad = Array("not json".utf8)
        try withDatabase(f.path) { db in
            try db.execute(sql: "UPDATE entries SET data = ?, leaf = ? WHERE seq = 3", arguments: [Data(bad), Data(Audit.Merkle.leafHash(bad).bytes)])
        }
        let r = try f.verify()
        #expect(brokenIndex(r) == 3)
        if case .broken(_, let reason) = r { #expect(reason.contains("canonical")) }
        #expect(throws: AuditError.self) { try Audit.LogReader.open(path: f.path).entry(at: 3) }
    }

    @Test func badInputsGiveClearErrors() async throws {
        let f = try await Fixture()
        defer { f.dir.cleanup() }
        // Corrupt SQLite file.
        let garbage = f.dir.path + "/garbage.sqlite"
        try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: garbage))
        #expect { try Audit.LogReader.open(path: garbage) } throws: { ($0 as? AuditError)?.code == .corruptDatabase }
        // Missing file.
        #expect { try Audit.LogReader.open(path: f.dir.path + "/missing.sqlite") } throws: { ($0 as? AuditError)?.code == .fileAccess }
        // A checkpoint with a wrong key.
        let other = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        let forged = try Audit.SignedCheckpoint(signing: Audit.Checkpoint(origin: "cohort.audit/acme", size: 30, root: .zero), with: other)
        #expect { try f.verify(external: forged) } throws: { ($0 as? AuditError)?.code == .badSignature }
        // A key or checkpoint from another node.
        let globex = try Audit.NoteSigner.generate(name: "cohort.audit/globex")
        #expect { try Audit.LogReader.open(path: f.path).verify(key: globex.verifier) } throws: { ($0 as? AuditError)?.code == .wrongNode }
        await #expect { try await Audit.Log.open(databasePath: f.path, node: "globex", signer: globex) } throws: { ($0 as? AuditError)?.code == .wrongNode }
        // Proof beyond the tree.
        #expect { try Audit.LogReader.open(path: f.path).inclusionProof(index: 30) } throws: { ($0 as? AuditError)?.code == .outOfRange }
        // Second writer on the same log.
        let log = try await Audit.Log.open(databasePath: f.path, node: "acme", signer: f.signer)
        await #expect { try await Audit.Log.open(databasePath: f.path, node: "acme", signer: f.signer) } throws: { ($0 as? AuditError)?.code == .logLocked }
        await log.close()
    }
}

/// Details of a `data.accessed` entry as the audit schema requires.
let accessedDetails: [String: Audit.Value] = ["rows": .integer(1), "transactions": .integer(0), "as_of": .string("2026-01-01")]
