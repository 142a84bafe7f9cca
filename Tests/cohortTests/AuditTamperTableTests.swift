@testable import CohortAudit
import Foundation
import GRDB
import Testing

/// Reproduces the tampering table of `docs/audit.md` ("What catches what"): each case is applied
/// to a copy of a node's files and `cohort audit verify --witnesses <dir>` (two peers' cosigned
/// checkpoints) must report BROKEN at the index the table names.
@Suite(.serialized) struct AuditTamperTableTests {
    /// One row of the table.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        /// Reported index.
        var index: UInt64
        /// A phrase of the reason.
        var reason: String
        /// Whether verification without witnesses (log key only) already catches it.
        var caughtWithoutWitnesses: Bool
        var tamper: @Sendable (Fixture) throws -> Void
        var description: String { name }
    }

    /// acme's log: 24 entries, checkpoints at 10, 20 and 24, each cosigned by beta and gamma.
    struct Fixture: Sendable {
        var dir: String
        var acme: String { dir + "/acme" }
        var db: String { acme + "/audit.sqlite" }
        var witnesses: String { dir + "/witnesses" }
        var officerKey: String { dir + "/acme-verifier-kept.txt" }
    }

    static func event(_ i: Int) -> Audit.Event {
        Audit.Event(type: .dataAccessed, actor: "op", purpose: "segmentation", study: "s\(i % 3)",
                    details: ["rows": .integer(Int64(i)), "transactions": .integer(0), "as_of": .string("2026-01-01")])
    }

    static func makeFixture() async throws -> Fixture {
        let f = Fixture(dir: NSTemporaryDirectory() + "cohort-tamper-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: f.dir, withIntermediateDirectories: true)
        // Checkpoints only where the table says (no automatic ones under a slow machine).
        let signer = try Audit.NoteSigner.loadOrCreate(path: f.acme + "/keys/audit-signing.key", name: "cohort.audit/acme")
        try (signer.verifier.text + "\n").write(toFile: f.acme + "/audit-verifier.txt", atomically: true, encoding: .utf8)
        let acme = try await Audit.Log.open(databasePath: f.db, node: "acme", signer: signer, checkpointInterval: 3600)
        let beta = try await Audit.Log.open(nodeDirectory: f.dir + "/beta", node: "beta")
        let gamma = try await Audit.Log.open(nodeDirectory: f.dir + "/gamma", node: "gamma")
        var witnessed: UInt64 = 0
        for i in 0..<24 {
            _ = try await acme.record(event(i))
            if [10, 20, 24].contains(i + 1) {
                let cp = try await acme.signCheckpoint()
                let proof = witnessed == 0 ? [] : try acme.reader().consistencyProof(from: witnessed, to: cp.checkpoint.size)
                for (name, w) in [("beta", beta), ("gamma", gamma)] {
                    guard case .cosigned(let note) = try await w.witness(note: cp.serialized, peerKey: acme.verifier, oldSize: witnessed, proof: proof) else {
                        throw AuditError(.proofMismatch, "fixture: \(name) did not cosign")
                    }
                    _ = try acme.storeCosignature(from: note.serialized, peer: name, witness: w.verifier)
                }
                witnessed = cp.checkpoint.size
            }
        }
        await acme.close()
        await beta.close()
        await gamma.close()
        try FileManager.default.copyItem(atPath: f.acme + "/audit-verifier.txt", toPath: f.officerKey)
        for w in ["beta", "gamma"] {
            let r = try await AuditCommandTests.cohort(["audit", "witnessed", "--node-dir", f.dir + "/" + w, "--origin", "cohort.audit/acme", "-o", f.witnesses])
            guard r.status == 0 else { throw AuditError(.fileAccess, "fixture: witnessed export failed: \(r.output)") }
        }
        return f
    }

    // MARK: Tampering helpers (what an insider with write access to the files can do)

    static func write(db path: String, _ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write(body)
        try queue.close()
    }

    /// Rewrites entries from `from` on (applying `edit` to the entry at `from`), re-chaining every
    /// later `prev`, and rebuilds the leaf hashes and subtree table: a consistent, edited history.
    static func rechain(_ db: Database, from: UInt64, edit: (inout Audit.Entry) -> Void) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT seq, data FROM entries ORDER BY seq")
        var prev = Audit.Hash.zero
        var tree = Audit.Merkle.Frontier()
        try db.execute(sql: "DELETE FROM subtrees")
        for row in rows {
            let seq = UInt64(row["seq"] as Int64)
            var entry = try Audit.Entry.parse(Array(row["data"] as Data))
            if seq >= from {
                if seq == from { edit(&entry) }
                entry.prev = prev
                let bytes = entry.canonicalBytes()
                try db.execute(sql: "UPDATE entries SET data = ?, leaf = ? WHERE seq = ?",
                               arguments: [Data(bytes), Audit.Merkle.leafHash(bytes).withUnsafeBytes { Data($0) }, Int64(seq)])
            }
            let data = try Data.fetchOne(db, sql: "SELECT data FROM entries WHERE seq = ?", arguments: [Int64(seq)])!
            let leaf = Audit.Merkle.leafHash(Array(data))
            tree.append(leaf) { n in
                try? db.execute(sql: "INSERT INTO subtrees (id, hash) VALUES (?, ?)",
                                arguments: [AuditDatabase.subtreeKey(level: n.level, index: n.index), n.hash.withUnsafeBytes { Data($0) }])
            }
            prev = leaf
        }
    }

    /// Re-signs every stored checkpoint with `signer` over the database's current tree.
    static func resign(_ db: Database, with signer: Audit.NoteSigner, origin: String) throws {
        let sizes = try Int64.fetchAll(db, sql: "SELECT size FROM checkpoints")
        var tree = Audit.Merkle.Frontier()
        var roots: [Int64: Audit.Hash] = [:]
        for data in try Data.fetchAll(db, sql: "SELECT data FROM entries ORDER BY seq") {
            tree.append(Audit.Merkle.leafHash(Array(data)))
            if sizes.contains(Int64(tree.size)) { roots[Int64(tree.size)] = tree.root }
        }
        for size in sizes {
            let cp = try Audit.SignedCheckpoint(signing: Audit.Checkpoint(origin: origin, size: UInt64(size), root: roots[size]!), with: signer)
            try db.execute(sql: "UPDATE checkpoints SET note = ? WHERE size = ?", arguments: [cp.serialized, size])
        }
    }

    static let cases: [Case] = [
        Case(name: "byte edit", index: 15, reason: "do not match its recorded leaf hash", caughtWithoutWitnesses: true) { f in
            try write(db: f.db) { db in
                var data = Array(try Data.fetchOne(db, sql: "SELECT data FROM entries WHERE seq = 15")!)
                let i = data.firstIndex(of: UInt8(ascii: "o"))!
                data[i] = UInt8(ascii: "O")
                try db.execute(sql: "UPDATE entries SET data = ? WHERE seq = 15", arguments: [Data(data)])
            }
        },
        Case(name: "deleted row", index: 15, reason: "entry 15 is missing", caughtWithoutWitnesses: true) { f in
            try write(db: f.db) { try $0.execute(sql: "DELETE FROM entries WHERE seq = 15") }
        },
        Case(name: "swapped rows", index: 15, reason: "swapped", caughtWithoutWitnesses: true) { f in
            try write(db: f.db) { db in
                try db.execute(sql: "UPDATE entries SET seq = -1 WHERE seq = 15")
                try db.execute(sql: "UPDATE entries SET seq = 15 WHERE seq = 16")
                try db.execute(sql: "UPDATE entries SET seq = 16 WHERE seq = -1")
            }
        },
        Case(name: "truncated tail", index: 22, reason: "log truncated", caughtWithoutWitnesses: true) { f in
            try write(db: f.db) { try $0.execute(sql: "DELETE FROM entries WHERE seq >= 22") }
        },
        Case(name: "truncated tail, later checkpoints deleted", index: 20, reason: "log truncated: the checkpoint cosigned by cohort.audit/beta covers 24 entries", caughtWithoutWitnesses: false) { f in
            try write(db: f.db) { db in
                try db.execute(sql: "DELETE FROM entries WHERE seq >= 20")
                try db.execute(sql: "DELETE FROM checkpoints WHERE size > 20")
                try db.execute(sql: "DELETE FROM meta WHERE key = 'head'")
            }
        },
        Case(name: "edit re-chained, checkpoints deleted", index: 10, reason: "fork", caughtWithoutWitnesses: true) { f in
            try write(db: f.db) { db in
                try rechain(db, from: 12) { $0.actor = "someone-else" }
                try db.execute(sql: "DELETE FROM checkpoints")
            }
        },
        Case(name: "forged entry appended with a valid chain", index: 24, reason: "not covered by any signed checkpoint", caughtWithoutWitnesses: true) { f in
            try write(db: f.db) { db in
                let last = try Data.fetchOne(db, sql: "SELECT leaf FROM entries WHERE seq = 23")!
                let entry = Audit.Entry(
                    seq: 24, timestamp: Audit.Timestamp.format(Date()), node: "acme", type: .consentGranted,
                    prev: last.withUnsafeBytes { Audit.Hash(raw: $0)! }, actor: "forger", subject: "00112233445566778899aabbccddeeff",
                    purpose: "segmentation", study: "", details: ["at": .string("2026-01-01T00:00:00Z"), "source": .string("cli")])
                let bytes = entry.canonicalBytes()
                try db.execute(sql: "INSERT INTO entries (seq, leaf, data) VALUES (24, ?, ?)",
                               arguments: [Audit.Merkle.leafHash(bytes).withUnsafeBytes { Data($0) }, Data(bytes)])
                try rechain(db, from: 25) { _ in }
            }
        },
        Case(name: "full rewrite re-signed with the node's own key", index: 10, reason: "fork", caughtWithoutWitnesses: false) { f in
            let signer = try Audit.NoteSigner(parsing: String(contentsOfFile: f.acme + "/keys/audit-signing.key", encoding: .utf8))
            try write(db: f.db) { db in
                try rechain(db, from: 12) { $0.actor = "someone-else" }
                try resign(db, with: signer, origin: "cohort.audit/acme")
            }
        },
        Case(name: "rewrite re-signed with a new key, verifier file replaced", index: 10, reason: "fork", caughtWithoutWitnesses: false) { f in
            let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
            try write(db: f.db) { db in
                try rechain(db, from: 12) { $0.actor = "someone-else" }
                try resign(db, with: signer, origin: "cohort.audit/acme")
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'verifier'", arguments: [signer.verifier.text])
            }
            try (signer.verifier.text + "\n").write(toFile: f.acme + "/audit-verifier.txt", atomically: true, encoding: .utf8)
            try (signer.secretText + "\n").write(toFile: f.acme + "/keys/audit-signing.key", atomically: true, encoding: .utf8)
        },
    ]

    /// The untouched fixture verifies intact with and without witnesses (so every BROKEN below
    /// comes from the tampering).
    @Test func untouchedLogVerifiesWithTwoWitnesses() async throws {
        let f = try await Self.makeFixture()
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        let r = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", f.acme, "--witnesses", f.witnesses])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("intact: 24 entries"))
        #expect(r.output.contains("witnessed: 6 cosigned checkpoints (up to size 24) by cohort.audit/beta, cohort.audit/gamma"))
    }

    @Test(arguments: cases)
    func tamperingIsCaughtByVerifyWithTwoWitnesses(_ c: Case) async throws {
        let f = try await Self.makeFixture()
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        try c.tamper(f)
        let r = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", f.acme, "--witnesses", f.witnesses])
        #expect(r.status == 1, "\(c.name): \(r.output)")
        #expect(r.output.hasPrefix("BROKEN at index \(c.index):"), "\(c.name): \(r.output)")
        #expect(r.output.contains(c.reason), "\(c.name): \(r.output)")
        // The table's "log key alone" column.
        let alone = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", f.acme])
        #expect((alone.status == 1) == c.caughtWithoutWitnesses, "\(c.name) without witnesses: \(alone.output)")
    }
}
