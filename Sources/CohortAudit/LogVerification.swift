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
    ///
    /// `policy` (default ``Audit/VerificationPolicy/strict``) adds what an insider cannot fake
    /// without the key: a signed checkpoint must exist and cover the whole log, no checkpoint may
    /// be missing from the sequence the signing policy implies, and every witnessed checkpoint
    /// (cosigned by a peer) must match.
    public func verify(
        key: Audit.NoteVerifier? = nil, external: Audit.SignedCheckpoint? = nil, threads: Int? = nil,
        policy: Audit.VerificationPolicy = .strict
    ) throws -> Audit.VerificationResult {
        var plan = VerificationPlan.automatic
        if let threads { plan.workers = max(1, threads) }
        return try verify(key: key, external: external, plan: plan, policy: policy)
    }

    /// `verify(key:external:)` with an explicit plan: the parallel pass proves an intact log
    /// quickly; whenever it finds anything wrong, the sequential replay runs and names the first
    /// problem exactly as documented above.
    func verify(
        key: Audit.NoteVerifier? = nil, external: Audit.SignedCheckpoint? = nil, plan: VerificationPlan,
        policy: Audit.VerificationPolicy = .strict
    ) throws -> Audit.VerificationResult {
        var checks = try collectChecks(key: key, external: external)
        for w in policy.witnessed {
            guard w.checkpoint.origin == origin else {
                throw AuditError(.wrongNode, "a witnessed checkpoint is for \(w.checkpoint.origin), but \(path) is the log of \(origin)")
            }
            checks.append(VerifyState.Check(size: w.checkpoint.size, root: w.checkpoint.root, problem: nil, external: true, witnesses: w.witnesses))
        }
        checks.sort { $0.size < $1.size }
        let result: Audit.VerificationResult
        if plan.workers > 1, let root = try parallelPass(checks: checks, plan: plan) {
            result = .intact(size: root.size, root: root.root)
        } else {
            result = try sequentialPass(checks: checks)
        }
        guard case .intact(let size, _) = result, policy.requireSignedCoverage else { return result }
        let signed = checks.filter { !$0.external }.map(\.size)
        if let problem = try signingPolicyProblem(size: size, signedSizes: signed, maxGap: policy.maxCheckpointGap, policy: policy) {
            return problem
        }
        return result
    }

    /// The strict checks after an intact replay: some checkpoint is signed, the latest covers all
    /// `size` entries, and between consecutive checkpoints the entries span at most `maxGap`
    /// seconds of their `ts` (the node signs within a second of an append, so a longer span means
    /// checkpoints were deleted). O(checkpoints · log n) entry reads.
    func signingPolicyProblem(size: UInt64, signedSizes: [UInt64], maxGap: Int64, policy: Audit.VerificationPolicy = .strict) throws -> Audit.VerificationResult? {
        guard size > 0 else { return nil }
        let last = signedSizes.max() ?? 0
        if last < size, let grace = policy.runningWriterGrace, try seconds(at: last) >= policy.now - grace {
            // A running writer's newest entries, younger than the grace: not signed yet.
            return try signingPolicyProblem(size: last, signedSizes: signedSizes, maxGap: maxGap)
        }
        guard last > 0 else {
            return .broken(at: 0, reason: "no signed checkpoint: none of the \(size) entries is covered by a signature (checkpoints deleted, or the log was never closed)")
        }
        guard last == size else {
            return .broken(at: last, reason: "entries \(last)…\(size - 1) are not covered by any signed checkpoint (the latest covers \(last) of \(size); the writer signs everything it wrote: entries appended by someone else, or checkpoints deleted)")
        }
        var bounds = Array(Set(signedSizes)).sorted()
        bounds.insert(0, at: 0)
        for (a, b) in zip(bounds, bounds.dropFirst()) where b > a {
            let start = try seconds(at: a)
            guard try seconds(at: b - 1) - start > maxGap else { continue }
            // First entry more than maxGap after the segment's first: binary search (ts ascend).
            var lo = a, hi = b - 1
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if try seconds(at: mid) - start > maxGap { hi = mid } else { lo = mid + 1 }
            }
            return .broken(at: lo, reason: "checkpoints missing: entry \(lo) was written more than \(maxGap) s after entry \(a), the first after the previous checkpoint, with no signed checkpoint between them (the writer signs within a second of an append, so checkpoints were deleted)")
        }
        return nil
    }

    /// The `ts` of entry `index` in whole seconds since 1970.
    func seconds(at index: UInt64) throws -> Int64 {
        let e = try entry(at: index).entry
        guard let ms = Audit.Timestamp.parse(e.timestamp) else {
            throw AuditError(.malformedEntry, "entry \(index) has an unreadable ts \(e.timestamp)")
        }
        return ms / 1000
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
        let storedNotes = try storedCheckpoints()
        // The log's keys over time (rotations); the key given must be one of them, or it alone
        // is accepted.
        let history = try read { db in try AuditDatabase.meta(db, "previous_verifiers") }?
            .split(separator: "\n").compactMap { try? Audit.NoteVerifier(parsing: String($0)) } ?? []
        let logKeys = history + [verifier]
        let chain = KeyChain(
            keys: logKeys.contains(key) ? logKeys : [key],
            checkpoints: storedNotes.compactMap { try? Audit.SignedCheckpoint(parsing: $0.note) })
        for stored in storedNotes {
            do {
                let cp = try Audit.SignedCheckpoint(parsing: stored.note)
                guard cp.checkpoint.size == stored.size else {
                    checks.append(Check(size: stored.size, root: nil, problem: "stored checkpoint row \(stored.size) contains a checkpoint of size \(cp.checkpoint.size)"))
                    continue
                }
                guard cp.checkpoint.origin == origin else {
                    checks.append(Check(size: stored.size, root: nil, problem: "checkpoint of size \(stored.size) has origin \(cp.checkpoint.origin), not \(origin)"))
                    continue
                }
                do {
                    let accepted = chain.keys(at: stored.size)
                    if !accepted.contains(where: { cp.note.verify($0) }) {
                        try cp.note.requireSignature(by: accepted[accepted.count - 1])
                    }
                    checks.append(Check(size: stored.size, root: cp.checkpoint.root, problem: nil))
                } catch let e as AuditError {
                    checks.append(Check(size: stored.size, root: nil, problem: "checkpoint of size \(stored.size): \(e.message)"))
                }
            } catch let e as AuditError {
                checks.append(Check(size: stored.size, root: nil, problem: "checkpoint of size \(stored.size) is malformed: \(e.message)"))
            }
        }
        if let external {
            guard external.checkpoint.origin == origin else {
                throw AuditError(.wrongNode, "the checkpoint given is for \(external.checkpoint.origin), but \(path) is the log of \(origin)")
            }
            try external.note.requireSignature(by: key)
            checks.append(Check(size: external.checkpoint.size, root: external.checkpoint.root, problem: nil, external: true, witnesses: []))
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
        let entry: (seq: UInt64, prev: Audit.Hash, nodeMatches: Bool, node: String, schemaProblem: String?)
        do {
            entry = try nodeJSON.withUnsafeBytes { try Audit.Entry.scanCheckingSchema(bytes, nodeJSON: $0) }
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
        if let problem = entry.schemaProblem {
            return .broken("entry \(index) does not match its type's schema: \(problem)")
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
        /// Not one of the log's stored checkpoints (given by the officer, or witnessed).
        var external = false
        /// Names of the witnesses that cosigned it (empty: not a witnessed checkpoint).
        var witnesses: [String] = []

        /// How reports name it.
        func name(stored: String) -> String {
            if !witnesses.isEmpty { return "the checkpoint cosigned by \(witnesses.joined(separator: ", "))" }
            return external ? "the checkpoint given" : stored
        }
    }

    let checks: [Check]
    let inspector: EntryInspector
    var frontier = Audit.Merkle.Frontier()
    var prev = Audit.Hash.zero
    var nextCheck = 0
    var lastGood: UInt64 = 0
    /// The last size at which a checkpoint from outside the log (given, witnessed) matched.
    var lastGoodExternal: UInt64 = 0

    init(checks: [Check], inspector: EntryInspector) {
        self.checks = checks
        self.inspector = inspector
    }

    /// Checks every checkpoint of the current size.
    mutating func runChecks() -> Audit.VerificationResult? {
        let size = frontier.size
        var root: Audit.Hash?
        let start = nextCheck
        while nextCheck < checks.count && checks[nextCheck].size == size {
            let c = checks[nextCheck]
            nextCheck += 1
            if let problem = c.problem {
                return .broken(at: size == 0 ? 0 : size - 1, reason: problem)
            }
            if root == nil { root = frontier.root }
            if c.root != root {
                let which = c.name(stored: "the stored checkpoint")
                // A checkpoint from outside (the officer's, a witness's) is only placed after
                // matches of its own kind: the log's own checkpoints may be re-signed forgeries.
                let after = c.external ? lastGoodExternal : lastGood
                return .broken(at: after, reason: "fork: the root of the first \(size) entries differs from \(which) signed at size \(size); history diverges at or after index \(after) (the last size whose \(c.external ? "outside " : "")checkpoints all matched)")
            }
        }
        // Every checkpoint of this size matched (they are checked together, so one that differs
        // places the divergence before this size, whichever is checked first).
        if root != nil {
            lastGood = size
            if checks[start..<nextCheck].contains(where: \.external) { lastGoodExternal = size }
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
            let which = c.name(stored: "a stored checkpoint")
            return .broken(at: frontier.size, reason: "log truncated: \(which) covers \(c.size) entries but only \(frontier.size) are present")
        }
        return .intact(size: frontier.size, root: frontier.root)
    }
}
