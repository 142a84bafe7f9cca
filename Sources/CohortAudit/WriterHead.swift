import Crypto
import Foundation
import GRDB

/// The writer's attestation of what it wrote, so that it signs only that.
///
/// Every commit stores, in the same transaction as its entries, the meta row `head` =
/// `<size> <root hex> <mac hex>`, where the MAC is HMAC-SHA256 keyed by
/// SHA-256(`cohort-audit-head/v1` ‖ 0x0A ‖ the signing key's seed) over
/// `<origin>\n<size>\n<root hex>\n`. Whoever can write `audit.sqlite` but does not hold the
/// signing key cannot make a matching row, so when the writer opens the log (or before it signs)
/// and the database's size or root differs from what the row attests — or from the latest
/// signed checkpoint when there is no row — the entries were not written by this writer: it
/// refuses to sign, records a `log.alert` entry and stops writing. O(1) per commit.
struct WriterHead: Sendable {
    /// The 32 MAC key bytes.
    let keyBytes: [UInt8]
    let origin: String

    init(signer: Audit.NoteSigner) {
        var material = Array("cohort-audit-head/v1\n".utf8)
        material += signer.seed
        keyBytes = Array(SHA256.hash(data: material))
        origin = signer.verifier.name
    }

    func mac(size: UInt64, root: Audit.Hash) -> String {
        let message = Array("\(origin)\n\(size)\n\(root.hex)\n".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes)).map { String(format: "%02x", $0) }.joined()
    }

    /// The row text for a tree head.
    func text(size: UInt64, root: Audit.Hash) -> String {
        "\(size) \(root.hex) \(mac(size: size, root: root))"
    }

    /// The attested head, or nil if the row is malformed or its MAC does not verify.
    func attested(_ text: String) -> (size: UInt64, root: Audit.Hash)? {
        let parts = text.split(separator: " ")
        guard parts.count == 3, let size = UInt64(parts[0]), let root = Audit.Hash(hex: String(parts[1])),
              mac(size: size, root: root) == parts[2] else { return nil }
        return (size, root)
    }

    /// Stores the row for `size`/`root` inside the caller's transaction.
    func store(_ db: Database, size: UInt64, root: Audit.Hash) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)")
        try statement.execute(arguments: [text(size: size, root: root)])
    }

    /// Why the database's `size` entries with root `root` are not what this writer wrote, or
    /// nil if they are: compared with the attested head, or without one, with the latest
    /// checkpoint signed by `verifier` (a log whose every entry is signed).
    func mismatch(_ db: Database, size: UInt64, root: Audit.Hash, verifier: Audit.NoteVerifier) throws -> String? {
        if let text = try AuditDatabase.meta(db, "head") {
            guard let head = attested(text) else {
                return "the writer's head attestation in meta was altered (its MAC does not verify with this node's key)"
            }
            if head.size != size || head.root != root {
                return "the database holds \(size) entries with root \(root.hex), but this writer last wrote \(head.size) entries with root \(head.root.hex)"
            }
            return nil
        }
        guard size > 0 else { return nil }
        let note = try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
        guard let note, let cp = try? Audit.SignedCheckpoint(parsing: note), cp.note.verify(verifier) else {
            return "the database holds \(size) entries but neither a head attestation nor a checkpoint signed by this node's key"
        }
        if cp.checkpoint.size != size || cp.checkpoint.root != root {
            return "the database holds \(size) entries with root \(root.hex), but the latest signed checkpoint covers \(cp.checkpoint.size) entries with root \(cp.checkpoint.root.hex) and there is no head attestation"
        }
        return nil
    }

    /// The database's tree: size, frontier and last leaf, read from `entries` and `subtrees`.
    /// O(log n).
    static func databaseTree(_ db: Database) throws -> (frontier: Audit.Merkle.Frontier, last: Audit.Hash) {
        let size = try AuditDatabase.size(db)
        let nodes = DatabaseNodes(db: db)
        let roots = try Audit.Merkle.Frontier.subtrees(ofSize: size).map { try nodes.hash(level: $0.level, index: $0.index) }
        let frontier = try Audit.Merkle.Frontier(size: size, roots: roots)
        let last = size == 0 ? Audit.Hash.zero : try nodes.hash(level: 0, index: size - 1)
        return (frontier, last)
    }

    /// Appends a `log.alert` entry after whatever the database holds (its own tree), without
    /// attesting it and without signing. Its own transaction.
    static func recordAlert(pool: DatabasePool, path: String, node: String, reason: String, expected: (size: UInt64, root: Audit.Hash)) throws {
        try AuditDatabase.wrap(path) {
            try pool.write { db in
                var (tree, last) = try databaseTree(db)
                let event = Audit.Event.logAlert(
                    reason: reason, size: tree.size, root: tree.root, expectedSize: expected.size, expectedRoot: expected.root)
                let entry = Audit.Entry(
                    seq: tree.size, timestamp: Audit.Timestamp.format(Date()), node: node, type: event.type, prev: last,
                    actor: event.actor, subject: nil, purpose: "", study: "", details: event.details)
                let bytes = entry.canonicalBytes()
                let leaf = Audit.Merkle.leafHash(bytes)
                let seq = tree.size
                var completed: [Audit.Merkle.CompletedNode] = []
                tree.append(leaf) { completed.append($0) }
                try db.execute(sql: "INSERT INTO entries (seq, leaf, data) VALUES (?, ?, ?)",
                               arguments: [Int64(seq), leaf.withUnsafeBytes { Data($0) }, Data(bytes)])
                for n in completed {
                    try db.execute(sql: "INSERT OR REPLACE INTO subtrees (id, hash) VALUES (?, ?)",
                                   arguments: [AuditDatabase.subtreeKey(level: n.level, index: n.index), n.hash.withUnsafeBytes { Data($0) }])
                }
            }
        }
    }
}
