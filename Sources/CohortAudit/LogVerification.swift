extension Audit {
    /// Outcome of verifying a log.
    public enum VerificationResult: Sendable, Hashable {
        /// Every entry, link, subtree root and checkpoint checked out.
        case intact(size: UInt64, root: Hash)
        /// The first problem found: the index it concerns and why.
        case broken(at: UInt64, reason: String)
    }
}

extension Audit.LogReader {
    /// Replays every entry: stored leaf hash = SHA-256(0x00‖bytes), strict canonical parse, `seq`
    /// equals its position, `node` is the log's node, `prev` equals the previous leaf hash; rebuilds
    /// the tree with O(log n) memory and checks every stored checkpoint (signature by `key`, or by
    /// the log's stored key; root at its size; no checkpoint beyond the end) and the optional
    /// `external` checkpoint (e.g. one the officer or a peer kept), so truncation and forks show.
    ///
    /// Where problems are reported: an entry problem at that entry's index; a missing entry at the
    /// first missing index; a link mismatch at the entry before the link (the one whose hash no
    /// longer matches); a bad checkpoint signature at the last index it covers; a checkpoint whose
    /// root differs (a fork) at the first index after the last checkpoint that matched; a
    /// truncation at the first missing index. O(n) time, O(log n + checkpoints) memory.
    ///
    /// Throws (bad input, not a broken log) if `key` or `external` belong to another log, or
    /// `external` is not validly signed by the key.
    public func verify(key: Audit.NoteVerifier? = nil, external: Audit.SignedCheckpoint? = nil) throws -> Audit.VerificationResult {
        let key = key ?? verifier
        guard key.name == origin else {
            throw AuditError(.wrongNode, "\(path) is the audit log of \(origin) (node \(node)); the key given is for \(key.name)")
        }
        typealias Check = VerifyState.Check
        var checks: [Check] = []
        for stored in try storedCheckpoints() {
            do {
                let cp = try Audit.SignedCheckpoint(parsing: stored.note)
                guard cp.checkpoint.size == stored.size else {
                    checks.append(Check(size: stored.size, root: nil, problem: "stored checkpoint row \(stored.size) contains a checkpoint of size \(cp.checkpoint.size)", external: false))
                    continue
                }
                guard cp.checkpoint.origin == origin else {
                    checks.append(Check(size: stored.size, root: nil, problem: "checkpoint of size \(stored.size) has origin \(cp.checkpoint.origin), not \(origin)", external: false))
                    continue
                }
                do {
                    try cp.note.requireSignature(by: key)
                    checks.append(Check(size: stored.size, root: cp.checkpoint.root, problem: nil, external: false))
                } catch let e as AuditError {
                    checks.append(Check(size: stored.size, root: nil, problem: "checkpoint of size \(stored.size): \(e.message)", external: false))
                }
            } catch let e as AuditError {
                checks.append(Check(size: stored.size, root: nil, problem: "checkpoint of size \(stored.size) is malformed: \(e.message)", external: false))
            }
        }
        if let external {
            guard external.checkpoint.origin == origin else {
                throw AuditError(.wrongNode, "the checkpoint given is for \(external.checkpoint.origin), but \(path) is the log of \(origin)")
            }
            try external.note.requireSignature(by: key)
            checks.append(Check(size: external.checkpoint.size, root: external.checkpoint.root, problem: nil, external: true))
        }
        checks.sort { $0.size < $1.size }

        var state = VerifyState(checks: checks, node: node)
        if let r = state.runChecks() { return r }
        return try read { db -> Audit.VerificationResult in
            var cursor = try RawEntryCursor(db: db, from: 0, path: path)
            while let row = try cursor.next() {
                if let r = state.step(seq: row.seq, bytes: row.data, storedLeaf: row.leaf) { return r }
            }
            return state.finish()
        }
    }
}

/// One verification pass: O(log n + checkpoints) state, no per-entry allocation beyond parsing.
struct VerifyState {
    struct Check {
        var size: UInt64
        var root: Audit.Hash?
        var problem: String?
        var external: Bool
    }

    let checks: [Check]
    let node: String
    let nodeJSON: [UInt8]
    var frontier = Audit.Merkle.Frontier()
    var prev = Audit.Hash.zero
    var nextCheck = 0
    var lastGood: UInt64 = 0

    init(checks: [Check], node: String) {
        self.checks = checks
        self.node = node
        var w = Audit.CanonicalJSONWriter(capacity: node.utf8.count + 2)
        w.string(node)
        nodeJSON = Array(w.bytes.dropFirst().dropLast())
    }

    /// Checks every checkpoint of the current size.
    mutating func runChecks() -> Audit.VerificationResult? {
        let size = frontier.size
        var root: Audit.Hash?
        while nextCheck < checks.count && checks[nextCheck].size == size {
            let c = checks[nextCheck]
            nextCheck += 1
            if let problem = c.problem {
                return .broken(at: size == 0 ? 0 : size - 1, reason: problem)
            }
            if root == nil { root = frontier.root }
            if c.root != root {
                let which = c.external ? "the checkpoint given" : "the stored checkpoint"
                return .broken(at: lastGood, reason: "fork: the root of the first \(size) entries differs from \(which) signed at size \(size); history diverges at or after index \(lastGood) (the last size whose checkpoint matched)")
            }
            lastGood = size
        }
        return nil
    }

    /// Checks one stored entry; returns a verdict if it is the first problem.
    mutating func step(seq: UInt64, bytes: UnsafeRawBufferPointer, storedLeaf: UnsafeRawBufferPointer) -> Audit.VerificationResult? {
        let index = frontier.size
        guard seq == index else {
            return .broken(at: index, reason: "entry \(index) is missing (the next stored entry is \(seq))")
        }
        let leaf = Audit.Merkle.leafHash(bytes)
        guard let stored = Audit.Hash(raw: storedLeaf), stored == leaf else {
            return .broken(at: index, reason: "entry \(index)'s bytes do not match its recorded leaf hash (entry altered)")
        }
        let entry: (seq: UInt64, prev: Audit.Hash, nodeMatches: Bool, node: String)
        do {
            entry = try Audit.Entry.scanForVerification(bytes, nodeJSON: nodeJSON)
        } catch let e as AuditError {
            return .broken(at: index, reason: "entry \(index) is not a valid canonical entry: \(e.message)")
        } catch {
            return .broken(at: index, reason: "entry \(index) is not a valid canonical entry: \(error)")
        }
        guard entry.seq == index else {
            return .broken(at: index, reason: "entry stored at index \(index) says seq \(entry.seq) (entries moved or swapped)")
        }
        guard entry.nodeMatches else {
            return .broken(at: index, reason: "entry \(index) belongs to node \(entry.node), not \(node)")
        }
        guard entry.prev == prev else {
            let at = index == 0 ? 0 : index - 1
            return .broken(at: at, reason: index == 0
                ? "entry 0 must have prev = 64 zeros"
                : "entry \(index)'s prev does not match the leaf hash of entry \(at) (entry \(at) altered or replaced)")
        }
        prev = leaf
        frontier.append(leaf)
        if nextCheck < checks.count && checks[nextCheck].size == frontier.size {
            return runChecks()
        }
        return nil
    }

    /// The verdict after the last entry.
    func finish() -> Audit.VerificationResult {
        if nextCheck < checks.count {
            let c = checks[nextCheck]
            if let problem = c.problem { return .broken(at: frontier.size, reason: problem) }
            let which = c.external ? "the checkpoint given" : "a stored checkpoint"
            return .broken(at: frontier.size, reason: "log truncated: \(which) covers \(c.size) entries but only \(frontier.size) are present")
        }
        return .intact(size: frontier.size, root: frontier.root)
    }
}
