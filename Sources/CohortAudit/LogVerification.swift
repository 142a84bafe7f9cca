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
    /// Uses every core: chunks of the log are replayed in parallel and stitched together (see
    /// `VerificationPlan`); if that finds anything wrong, the sequential replay runs to name the
    /// first problem, so a broken log costs about twice the time of an intact one.
    ///
    /// `threads` caps the cores used (default: every active core; 1 = the sequential replay only).
    ///
    /// Throws (bad input, not a broken log) if `key` or `external` belong to another log, or
    /// `external` is not validly signed by the key.
    public func verify(key: Audit.NoteVerifier? = nil, external: Audit.SignedCheckpoint? = nil, threads: Int? = nil) throws -> Audit.VerificationResult {
        var plan = VerificationPlan.automatic
        if let threads { plan.workers = max(1, threads) }
        return try verify(key: key, external: external, plan: plan)
    }

    /// `verify(key:external:)` with an explicit plan: the parallel pass proves an intact log
    /// quickly; whenever it finds anything wrong, the sequential replay runs and names the first
    /// problem exactly as documented above.
    func verify(key: Audit.NoteVerifier? = nil, external: Audit.SignedCheckpoint? = nil, plan: VerificationPlan) throws -> Audit.VerificationResult {
        let checks = try collectChecks(key: key, external: external)
        if plan.workers > 1, let root = try parallelPass(checks: checks, plan: plan) {
            return .intact(size: root.size, root: root.root)
        }
        return try sequentialPass(checks: checks)
    }

    /// The stored checkpoints (each with its signature checked by `key`) and `external`, sorted by
    /// size. A stored checkpoint that fails is kept with its problem so the replay reports it in
    /// order; a bad `key` or `external` throws.
    func collectChecks(key: Audit.NoteVerifier?, external: Audit.SignedCheckpoint?) throws -> [VerifyState.Check] {
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
        return checks
    }

    /// The reference replay: one thread, entry by entry, reporting the first problem.
    func sequentialPass(checks: [VerifyState.Check]) throws -> Audit.VerificationResult {
        try read { db -> Audit.VerificationResult in
            // The state lives inside the closure so the hot loop needs no exclusivity checks.
            var state = VerifyState(checks: checks, inspector: EntryInspector(node: node))
            if let r = state.runChecks() { return r }
            var cursor = try RawEntryCursor(db: db, from: 0, path: path)
            while let row = try cursor.next() {
                if let r = state.step(seq: row.seq, bytes: row.data, storedLeaf: row.leaf) { return r }
            }
            return state.finish()
        }
    }
}

/// The checks every entry must pass on its own (everything except its link to the previous
/// entry, which needs the previous leaf): shared by the sequential and the parallel pass.
struct EntryInspector: Sendable {
    /// What one entry's inspection found.
    enum Outcome {
        /// The entry is sound; its leaf hash and the `prev` it names.
        case sound(leaf: Audit.Hash, prev: Audit.Hash)
        /// The entry is bad at its own index, for this reason.
        case broken(String)
    }

    let node: String
    /// The node name as escaped in canonical JSON (without quotes).
    let nodeJSON: [UInt8]

    init(node: String) {
        self.node = node
        var w = Audit.CanonicalJSONWriter(capacity: node.utf8.count + 2)
        w.string(node)
        nodeJSON = Array(w.bytes.dropFirst().dropLast())
    }

    /// Checks the entry stored at `index`: present (`seq == index`), bytes matching the stored
    /// leaf hash, strictly canonical, `seq` field equal to its position, written by this node.
    /// O(entry size).
    @inline(__always)
    func inspect(index: UInt64, seq: UInt64, bytes: UnsafeRawBufferPointer, storedLeaf: UnsafeRawBufferPointer) -> Outcome {
        guard seq == index else {
            return .broken("entry \(index) is missing (the next stored entry is \(seq))")
        }
        let leaf = Audit.Merkle.leafHash(bytes)
        guard let stored = Audit.Hash(raw: storedLeaf), stored == leaf else {
            return .broken("entry \(index)'s bytes do not match its recorded leaf hash (entry altered)")
        }
        let entry: (seq: UInt64, prev: Audit.Hash, nodeMatches: Bool, node: String)
        do {
            entry = try nodeJSON.withUnsafeBytes { try Audit.Entry.scanForVerification(bytes, nodeJSON: $0) }
        } catch let e as AuditError {
            return .broken("entry \(index) is not a valid canonical entry: \(e.message)")
        } catch {
            return .broken("entry \(index) is not a valid canonical entry: \(error)")
        }
        guard entry.seq == index else {
            return .broken("entry stored at index \(index) says seq \(entry.seq) (entries moved or swapped)")
        }
        guard entry.nodeMatches else {
            return .broken("entry \(index) belongs to node \(entry.node), not \(node)")
        }
        return .sound(leaf: leaf, prev: entry.prev)
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
    let inspector: EntryInspector
    var frontier = Audit.Merkle.Frontier()
    var prev = Audit.Hash.zero
    var nextCheck = 0
    var lastGood: UInt64 = 0

    init(checks: [Check], inspector: EntryInspector) {
        self.checks = checks
        self.inspector = inspector
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
        let leaf: Audit.Hash, entryPrev: Audit.Hash
        switch inspector.inspect(index: index, seq: seq, bytes: bytes, storedLeaf: storedLeaf) {
        case .broken(let reason): return .broken(at: index, reason: reason)
        case .sound(let l, let p): (leaf, entryPrev) = (l, p)
        }
        guard entryPrev == prev else {
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
