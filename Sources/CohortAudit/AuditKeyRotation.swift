import Crypto
import Foundation
import GRDB

extension Audit {
    /// The outcome of ``Log/rotateKey(nodeDirectory:node:actor:)``.
    public struct AuditKeyRotation: Sendable, Hashable {
        /// The retired verifier key.
        public var oldVerifier: NoteVerifier
        /// The new verifier key.
        public var newVerifier: NoteVerifier
        /// Size of the checkpoint signed by both keys (it covers the `key.rotated` entry).
        public var handoverSize: UInt64
        /// Where the old verifier file was kept.
        public var retiredVerifierFile: String
    }
}

extension Audit.Log {
    /// Rotates the audit signing key, explicitly and on record: with the log open under the old
    /// key it writes `key.rotated` (`key` = `audit`, both public keys' SHA-256 and verifier texts)
    /// and a checkpoint covering it signed by **both** keys (the handover); then it records the
    /// old verifier in the log's key history (meta `previous_verifiers`), makes the new key
    /// current, re-attests the writer head with it, keeps the old key as
    /// `keys/audit-signing.<keyid>.retired` (0600) and the old verifier file as
    /// `audit-verifier.<keyid>.txt`, and creates the new `audit-verifier.txt`. Verification then
    /// accepts checkpoints signed by the key in effect at their size (see `KeyChain`). The node
    /// must not be running (the log is opened for writing).
    public static func rotateKey(nodeDirectory: String, node: String, actor: String) async throws -> Audit.AuditKeyRotation {
        let dir = (nodeDirectory as NSString).standardizingPath
        let keyPath = dir + "/keys/audit-signing.key"
        let verifierPath = dir + "/audit-verifier.txt"
        let log = try await open(nodeDirectory: dir, node: node)
        let old = log.signer
        let new = try Audit.NoteSigner.generate(name: old.verifier.name)
        let handover: Audit.SignedCheckpoint
        do {
            _ = try await log.record(.auditKeyRotated(
                actor: actor, oldSHA256: fingerprint(old.verifier), newSHA256: fingerprint(new.verifier),
                oldVerifier: old.verifier.text, newVerifier: new.verifier.text))
            let signed = try await log.signCheckpoint()
            var both = signed
            try both.cosign(with: new)
            guard let line = both.note.signatures.first(where: { $0.keyID == new.verifier.keyID }) else {
                throw AuditError(.keyRotation, "the new key's signature is missing from the handover checkpoint")
            }
            handover = try log.addCosignature(line, witness: new.verifier, checkpointSize: signed.checkpoint.size)
        } catch {
            await log.close()
            throw error
        }
        try await log.closeCheckpointingWAL()
        // The handover is durable; now make the new key current.
        let pool = try AuditDatabase.openWriter(log.databasePath)
        try AuditDatabase.wrap(log.databasePath) {
            try pool.write { db in
                let previous = try AuditDatabase.meta(db, "previous_verifiers").map { $0 + "\n" } ?? ""
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('previous_verifiers', ?)", arguments: [previous + old.verifier.text])
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'verifier'", arguments: [new.verifier.text])
                let tree = try WriterHead.databaseTree(db).frontier
                try WriterHead(signer: new).store(db, size: tree.size, root: tree.root)
            }
        }
        try pool.close()
        let oldID = Audit.NoteVerifier.hex(old.verifier.keyID)
        let retiredKey = dir + "/keys/audit-signing.\(oldID).retired"
        let retiredVerifier = dir + "/audit-verifier.\(oldID).txt"
        try SecureFile.write(Array((old.secretText + "\n").utf8), to: retiredKey, mode: 0o600)
        try SecureFile.write(Array((new.secretText + "\n").utf8), to: keyPath, mode: 0o600)
        guard rename(verifierPath, retiredVerifier) == 0 else {
            throw AuditError(.fileAccess, "cannot move \(verifierPath) to \(retiredVerifier): \(String(cString: strerror(errno)))")
        }
        try VerifierFile.check(path: verifierPath, signer: new)
        return Audit.AuditKeyRotation(
            oldVerifier: old.verifier, newVerifier: new.verifier, handoverSize: handover.checkpoint.size, retiredVerifierFile: retiredVerifier)
    }

    /// SHA-256 hex of a verifier's public key.
    static func fingerprint(_ verifier: Audit.NoteVerifier) -> String {
        SHA256.hash(data: verifier.publicKey).map { String(format: "%02x", $0) }.joined()
    }
}

/// The keys a log was signed with over time: meta `previous_verifiers` (oldest first) and the
/// current `verifier`. Key i + 1 takes over at the first stored checkpoint signed by both key i
/// and key i + 1 (the handover); a checkpoint is accepted when signed by the key in effect at
/// its size (at a handover size, by either). Trust runs both ways along the chain, since every
/// link is a checkpoint signed by both keys.
struct KeyChain {
    var keys: [Audit.NoteVerifier]
    /// Handover sizes: `handovers[i]` is where `keys[i + 1]` takes over (nil: never handed over).
    var handovers: [UInt64?]

    init(keys: [Audit.NoteVerifier], checkpoints: [Audit.SignedCheckpoint]) {
        self.keys = keys
        var handovers: [UInt64?] = []
        var after: UInt64 = 0
        for i in keys.indices.dropLast() {
            let size = checkpoints.filter { $0.checkpoint.size >= after && $0.note.verify(keys[i]) && $0.note.verify(keys[i + 1]) }
                .map(\.checkpoint.size).min()
            handovers.append(size)
            guard let size else { break }
            after = size
        }
        while handovers.count < keys.count - 1 { handovers.append(nil) }
        self.handovers = handovers
    }

    /// The keys accepted for a checkpoint of `size`.
    func keys(at size: UInt64) -> [Audit.NoteVerifier] {
        var current = 0
        for (i, h) in handovers.enumerated() {
            guard let h, size >= h else { break }
            if size == h { return [keys[i], keys[i + 1]] }
            current = i + 1
        }
        return [keys[current]]
    }
}
