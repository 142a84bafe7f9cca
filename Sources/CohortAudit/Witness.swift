import Foundation
import GRDB

extension Audit {
    /// What a witness answered to a checkpoint (C2SP tlog-witness `add-checkpoint`).
    public enum WitnessAnswer: Sendable, Hashable {
        /// Cosigned: the checkpoint with this witness's cosignature line added.
        case cosigned(SignedCheckpoint)
        /// The caller's `old` size is not the size this witness cosigned last (HTTP 409 in the
        /// spec): the caller retries with a proof from `witnessedSize`.
        case conflict(witnessedSize: UInt64)
    }
}

extension Audit.Log {
    /// Witnessing (C2SP tlog-witness): checks a peer's checkpoint and cosigns it.
    ///
    /// The note must be signed by `peerKey` (whose name is the origin). `oldSize` is the size the
    /// caller believes this witness cosigned last for the origin (0 for none); if it differs the
    /// answer is ``Audit/WitnessAnswer/conflict(witnessedSize:)``. `proof` is the RFC 9162
    /// consistency proof from `oldSize` to the new size. A checkpoint smaller than the one
    /// cosigned last (a rollback), of the same size with another root, or whose proof does not
    /// verify (a fork) is refused: it is kept as evidence in the `refused` table, recorded as
    /// `checkpoint.refused`, and `.proofMismatch` is thrown. Otherwise the checkpoint is
    /// cosigned, stored durably (`witnessed`, `witnessed_history`), recorded as
    /// `checkpoint.cosigned` when its size is new, and returned with the cosignature. Only one call
    /// per origin runs at a time (a concurrent one throws `.logLocked`), so check-and-update is
    /// atomic. O(log n) for the proof.
    public func witness(
        note text: String, peerKey: Audit.NoteVerifier, oldSize: UInt64, proof: [Audit.Hash], actor: String = "system"
    ) async throws -> Audit.WitnessAnswer {
        let peer = try Audit.SignedCheckpoint(parsing: text)
        try peer.verify(logKey: peerKey)
        guard peer.checkpoint.origin != origin else {
            throw AuditError(.wrongNode, "a node does not witness its own log (\(origin))")
        }
        let origin = peer.checkpoint.origin
        // One call per origin at a time: the checks below and the update after the audit entry
        // must not interleave with another call at an `await` (actor reentrancy).
        guard witnessingOrigins.insert(origin).inserted else {
            throw AuditError(.logLocked, "a checkpoint of \(origin) is being witnessed right now; retry")
        }
        defer { witnessingOrigins.remove(origin) }
        let previous = try AuditDatabase.wrap(databasePath) {
            try pool.read { db -> (size: UInt64, root: Audit.Hash, note: String)? in
                guard let row = try Row.fetchOne(db, sql: "SELECT size, root, note FROM witnessed WHERE origin = ?", arguments: [origin]) else { return nil }
                let size: Int64 = row["size"]
                let root: Data = row["root"]
                return (UInt64(size), try AuditDatabase.hash(root, what: "witnessed root of \(origin)"), row["note"])
            }
        }
        let witnessedSize = previous?.size ?? 0
        let size = peer.checkpoint.size, root = peer.checkpoint.root
        if let previous {
            if size < previous.size {
                try await refuse(peer, proof: proof, oldSize: oldSize, previous: previous, actor: actor,
                                 reason: "rollback: size \(size) is smaller than the \(previous.size) entries this node cosigned")
            }
            if size == previous.size {
                guard root == previous.root else {
                    try await refuse(peer, proof: proof, oldSize: oldSize, previous: previous, actor: actor,
                                     reason: "fork: size \(size) with root \(root.hex), but this node cosigned root \(previous.root.hex) at that size")
                }
                // The same checkpoint again: the stored cosignature.
                return .cosigned(try Audit.SignedCheckpoint(parsing: previous.note))
            }
        }
        guard oldSize == witnessedSize else { return .conflict(witnessedSize: witnessedSize) }
        if let previous {
            guard Audit.Merkle.verifyConsistency(from: previous.size, to: size, fromRoot: previous.root, toRoot: root, proof: proof) else {
                try await refuse(peer, proof: proof, oldSize: oldSize, previous: previous, actor: actor,
                                 reason: "fork: the checkpoint of size \(size) is not consistent with the one of size \(previous.size) this node cosigned (the consistency proof does not verify)")
            }
        }
        var cosigned = peer
        try cosigned.cosign(with: signer)
        _ = try await record(.checkpointCosigned(actor: actor, origin: origin, size: size, root: root))
        let serialized = cosigned.serialized
        try AuditDatabase.wrap(databasePath) {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO witnessed (origin, size, root, note) VALUES (?, ?, ?, ?)",
                    arguments: [origin, Int64(size), root.withUnsafeBytes { Data($0) }, serialized])
                try db.execute(
                    sql: "INSERT OR REPLACE INTO witnessed_history (origin, size, note) VALUES (?, ?, ?)",
                    arguments: [origin, Int64(size), serialized])
            }
        }
        return .cosigned(cosigned)
    }

    /// Keeps a refused checkpoint as evidence, records `checkpoint.refused`, and throws.
    private func refuse(
        _ peer: Audit.SignedCheckpoint, proof: [Audit.Hash], oldSize: UInt64,
        previous: (size: UInt64, root: Audit.Hash, note: String), actor: String, reason: String
    ) async throws -> Never {
        let origin = peer.checkpoint.origin
        try AuditDatabase.wrap(databasePath) {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO refused (origin, size, note, old_size, proof, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [origin, Int64(peer.checkpoint.size), peer.serialized, Int64(oldSize),
                                proof.map(\.hex).joined(separator: "\n"), reason, Audit.Timestamp.format(Date())])
            }
        }
        _ = try await record(.checkpointRefused(
            actor: actor, origin: origin, size: peer.checkpoint.size, root: peer.checkpoint.root, reason: reason,
            witnessedSize: previous.size, witnessedRoot: previous.root))
        throw AuditError(.proofMismatch, "refused to cosign \(origin) at size \(peer.checkpoint.size): \(reason); kept as evidence")
    }

    /// Pins `key` as the audit verifier key of peer `name` on first use and returns the pinned
    /// one; a different key later is refused (`.wrongNode`), the pinned key kept.
    public nonisolated func pinPeerKey(_ name: String, _ key: Audit.NoteVerifier) throws -> Audit.NoteVerifier {
        guard key.name == Audit.Checkpoint.origin(node: name) else {
            throw AuditError(.wrongNode, "peer \(name) presented an audit key named \(key.name), expected \(Audit.Checkpoint.origin(node: name))")
        }
        return try AuditDatabase.wrap(databasePath) {
            try pool.write { db in
                if let text = try String.fetchOne(db, sql: "SELECT verifier FROM peer_keys WHERE name = ?", arguments: [name]) {
                    let pinned = try Audit.NoteVerifier(parsing: text)
                    guard pinned == key else {
                        throw AuditError(.wrongNode, "peer \(name) presented audit key \(key.text), but \(pinned.text) is pinned for it")
                    }
                    return pinned
                }
                try db.execute(sql: "INSERT INTO peer_keys (name, verifier) VALUES (?, ?)", arguments: [name, key.text])
                return key
            }
        }
    }

    /// The size of this log's latest checkpoint that peer `name` cosigned (0 if none).
    public nonisolated func witnessedSize(by name: String) throws -> UInt64 {
        try AuditDatabase.wrap(databasePath) {
            try pool.read { db in
                UInt64(try Int64.fetchOne(db, sql: "SELECT witnessed_size FROM peer_keys WHERE name = ?", arguments: [name]) ?? 0)
            }
        }
    }

    /// Stores a witness's cosignature, taken from the note it returned, beside this log's own
    /// checkpoint of that size (the note must be this log's checkpoint, stored, and carry a valid
    /// signature by `witness`), and remembers the size as the one `peer` cosigned last.
    /// Returns the updated checkpoint. Durable when it returns.
    public nonisolated func storeCosignature(from cosignedNote: String, peer: String, witness: Audit.NoteVerifier) throws -> Audit.SignedCheckpoint {
        let note = try Audit.SignedCheckpoint(parsing: cosignedNote)
        guard note.checkpoint.origin == origin else {
            throw AuditError(.wrongNode, "the cosigned checkpoint is for \(note.checkpoint.origin), not \(origin)")
        }
        guard let signature = note.note.signatures.first(where: { $0.name == witness.name && $0.keyID == witness.keyID }) else {
            throw AuditError(.badSignature, "the note returned by \(peer) carries no cosignature by \(witness.name)")
        }
        return try AuditDatabase.wrap(databasePath) {
            try pool.write { db in
                let size = Int64(note.checkpoint.size)
                guard let text = try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = ?", arguments: [size]) else {
                    throw AuditError(.outOfRange, "no stored checkpoint of size \(size) to attach \(peer)'s cosignature to")
                }
                var cp = try Audit.SignedCheckpoint(parsing: text)
                guard cp.checkpoint == note.checkpoint else {
                    throw AuditError(.proofMismatch, "\(peer) cosigned a checkpoint of size \(size) that differs from the stored one")
                }
                try cp.addCosignature(signature, verifiedBy: witness)
                try db.execute(sql: "UPDATE checkpoints SET note = ? WHERE size = ?", arguments: [cp.serialized, size])
                try db.execute(sql: "UPDATE peer_keys SET witnessed_size = MAX(witnessed_size, ?) WHERE name = ?", arguments: [size, peer])
                return cp
            }
        }
    }
}

extension Audit.LogReader {
    /// Every peer checkpoint this node cosigned for `origin` (serialized notes with this node's
    /// cosignature), ascending by size; empty for a log that never witnessed it.
    public func witnessedCheckpoints(origin: String) throws -> [String] {
        try read { db in
            let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            guard tables.contains("witnessed_history") else { return [] }
            return try String.fetchAll(db, sql: "SELECT note FROM witnessed_history WHERE origin = ? ORDER BY size", arguments: [origin])
        }
    }

    /// The peer checkpoints this node refused to cosign (evidence): origin, size, note, reason.
    public func refusedCheckpoints() throws -> [(origin: String, size: UInt64, note: String, reason: String)] {
        try read { db in
            let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            guard tables.contains("refused") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT origin, size, note, reason FROM refused ORDER BY id").map { row in
                let size: Int64 = row["size"]
                return (row["origin"], UInt64(size), row["note"], row["reason"])
            }
        }
    }
}
