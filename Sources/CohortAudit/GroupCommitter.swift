import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The single writer of an audit log: one thread takes everything queued, assigns indices,
/// builds and hashes the entries, writes them (plus completed subtree hashes and, when due, a
/// signed checkpoint) in one transaction, commits (fsync, synchronous=FULL) and only then resumes
/// every waiter. Memory is O(batch + log n).
final class GroupCommitter: @unchecked Sendable {
    typealias AppendContinuation = CheckedContinuation<ClosedRange<UInt64>?, any Error>
    typealias CheckpointContinuation = CheckedContinuation<Audit.SignedCheckpoint, any Error>

    enum Job {
        case append([Audit.Event], AppendContinuation)
        case checkpoint(CheckpointContinuation)
    }

    let pool: DatabasePool
    let path: String
    let node: String
    let origin: String
    let signer: Audit.NoteSigner
    let checkpointInterval: TimeInterval
    /// The writer's attestation of what it wrote (see `WriterHead`).
    let head: WriterHead

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopping = false
    private var stopped = false
    private var exitContinuation: CheckedContinuation<Void, Never>?
    private var frontier: Audit.Merkle.Frontier
    private var lastLeaf: Audit.Hash
    private var checkpointedSize: UInt64
    private var lastCheckpointAt: Date
    /// Jobs in the last batch: how many appenders are likely to come back at once.
    private var expectedJobs = 0
    /// Set when the database was found to hold entries this writer did not write; from then on
    /// nothing is signed and every append fails.
    private var alertReason: String?

    /// The longest a batch waits for the last batch's appenders to return (seconds).
    static let gatherWindow: TimeInterval = 0.000_2

    init(pool: DatabasePool, path: String, node: String, origin: String, signer: Audit.NoteSigner,
         frontier: Audit.Merkle.Frontier, lastLeaf: Audit.Hash, checkpointedSize: UInt64, checkpointInterval: TimeInterval) {
        self.pool = pool
        self.path = path
        self.node = node
        self.origin = origin
        self.signer = signer
        self.frontier = frontier
        self.lastLeaf = lastLeaf
        self.checkpointedSize = checkpointedSize
        self.lastCheckpointAt = .distantPast
        self.checkpointInterval = checkpointInterval
        self.head = WriterHead(signer: signer)
    }

    /// Why the writer stopped (entries it did not write), or nil. Thread-safe.
    var alert: String? {
        condition.lock()
        defer { condition.unlock() }
        return alertReason
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "cohort-audit-committer"
        thread.start()
    }

    /// Current (size, root); O(log n).
    func treeHead() -> (size: UInt64, root: Audit.Hash) {
        condition.lock()
        defer { condition.unlock() }
        return (frontier.size, frontier.root)
    }

    func submit(_ job: Job) {
        condition.lock()
        if stopping || alertReason != nil {
            let error = alertReason.map { AuditError(.alert, "audit log \(path) stopped writing: \($0)") }
                ?? AuditError(.closed, "audit log \(path) is closed")
            condition.unlock()
            switch job {
            case .append(_, let c): c.resume(throwing: error)
            case .checkpoint(let c): c.resume(throwing: error)
            }
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Stops after draining the queue and signing a final checkpoint; returns when the thread ended.
    func stop() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            condition.lock()
            if stopped {
                condition.unlock()
                c.resume()
                return
            }
            stopping = true
            exitContinuation = c
            condition.signal()
            condition.unlock()
        }
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                if frontier.size > checkpointedSize {
                    let deadline = lastCheckpointAt.addingTimeInterval(checkpointInterval)
                    if deadline <= Date() || !condition.wait(until: deadline) { break }
                } else {
                    condition.wait()
                }
            }
            // Gathering: the appenders resumed by the last commit usually come straight back with
            // their next entry. Waiting up to `gatherWindow` for as many jobs as the last batch
            // had lets one fsync serve all of them instead of splitting them over two. A lone
            // appender (last batch of one) never waits.
            if jobs.count < expectedJobs && !stopping {
                let deadline = Date().addingTimeInterval(GroupCommitter.gatherWindow)
                while jobs.count < expectedJobs && !stopping && condition.wait(until: deadline) {}
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            expectedJobs = batch.count
            let finishing = stopping && batch.isEmpty
            condition.unlock()

            process(batch, final: finishing)
            if finishing { break }
        }
        condition.lock()
        stopped = true
        let c = exitContinuation
        exitContinuation = nil
        condition.unlock()
        c?.resume()
    }

    /// Binds and steps a prepared insert directly through SQLite (no per-row allocations).
    static func execute(_ statement: Statement, _ key: Int64, _ hash: Audit.Hash) throws {
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        sqlite3_bind_int64(s, 1, key)
        hash.withUnsafeBytes { _ = sqlite3_bind_blob(s, 2, $0.baseAddress, 32, transient) }
        try step(s)
    }

    static func execute(_ statement: Statement, _ a: Int64, _ hash: Audit.Hash, blob: [UInt8]) throws {
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        sqlite3_bind_int64(s, 1, a)
        hash.withUnsafeBytes { _ = sqlite3_bind_blob(s, 2, $0.baseAddress, 32, transient) }
        blob.withUnsafeBytes { _ = sqlite3_bind_blob(s, 3, $0.baseAddress, Int32($0.count), transient) }
        try step(s)
    }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func step(_ s: SQLiteStatement) throws {
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(s)))
            sqlite3_reset(s)
            throw AuditError(.corruptDatabase, "insert failed: \(message) (code \(rc))")
        }
        sqlite3_reset(s)
    }

    private func process(_ batch: [Job], final: Bool) {
        let now = Date()
        let ts = Audit.Timestamp.format(now)
        condition.lock()
        var tree = frontier
        var prev = lastLeaf
        let signedSize = checkpointedSize
        let lastSigned = lastCheckpointAt
        let startSize = tree.size
        let startRoot = tree.root
        condition.unlock()

        var rows: [(seq: UInt64, leaf: Audit.Hash, data: [UInt8])] = []
        var completed: [Audit.Merkle.CompletedNode] = []
        var ranges: [(AppendContinuation, ClosedRange<UInt64>?)] = []
        var checkpointWaiters: [CheckpointContinuation] = []
        for job in batch {
            switch job {
            case .append(let events, let c):
                guard !events.isEmpty else {
                    ranges.append((c, nil))
                    continue
                }
                let first = tree.size
                for event in events {
                    let entry = Audit.Entry(
                        seq: tree.size, timestamp: ts, node: node, type: event.type, prev: prev, actor: event.actor,
                        subject: event.subject, purpose: event.purpose ?? "", study: event.study ?? "", details: event.details)
                    let bytes = entry.canonicalBytes()
                    let leaf = Audit.Merkle.leafHash(bytes)
                    rows.append((tree.size, leaf, bytes))
                    tree.append(leaf) { completed.append($0) }
                    prev = leaf
                }
                ranges.append((c, first...(tree.size - 1)))
            case .checkpoint(let c):
                checkpointWaiters.append(c)
            }
        }

        let due = tree.size > signedSize && (now.timeIntervalSince(lastSigned) >= checkpointInterval || final)
        let wantCheckpoint = due || !checkpointWaiters.isEmpty
        var signed: Audit.SignedCheckpoint?
        do {
            if wantCheckpoint {
                signed = try Audit.SignedCheckpoint(
                    signing: Audit.Checkpoint(origin: origin, size: tree.size, root: tree.root), with: signer)
            }
            let newCheckpoint = signed.map { $0.checkpoint.size > signedSize || signedSize == 0 } ?? false
            if !rows.isEmpty || newCheckpoint {
                try AuditDatabase.wrap(path) {
                    try pool.write { db in
                        // Sign only what this writer wrote: the database must end where the
                        // writer's own tree ends.
                        let stored = try AuditDatabase.size(db)
                        guard stored == startSize else {
                            throw ForeignEntries(reason: "the database holds \(stored) entries but this writer wrote \(startSize)")
                        }
                        if !rows.isEmpty {
                            let insert = try db.cachedStatement(sql: "INSERT INTO entries (seq, leaf, data) VALUES (?, ?, ?)")
                            for row in rows {
                                try GroupCommitter.execute(insert, Int64(row.seq), row.leaf, blob: row.data)
                            }
                            let subtree = try db.cachedStatement(sql: "INSERT INTO subtrees (id, hash) VALUES (?, ?)")
                            for n in completed {
                                try GroupCommitter.execute(subtree, AuditDatabase.subtreeKey(level: n.level, index: n.index), n.hash)
                            }
                        }
                        if !rows.isEmpty { try head.store(db, size: tree.size, root: tree.root) }
                        if let signed, newCheckpoint {
                            let actual = try WriterHead.databaseTree(db).frontier
                            guard actual.size == signed.checkpoint.size, actual.root == signed.checkpoint.root else {
                                throw ForeignEntries(reason: "the database's tree (\(actual.size) entries, root \(actual.root.hex)) differs from this writer's (\(signed.checkpoint.size), root \(signed.checkpoint.root.hex))")
                            }
                            try db.execute(
                                sql: "INSERT OR IGNORE INTO checkpoints (size, note, signed_at) VALUES (?, ?, ?)",
                                arguments: [Int64(signed.checkpoint.size), signed.serialized, ts])
                        }
                    }
                }
            }
        } catch let foreign as ForeignEntries {
            let error = raiseAlert(foreign.reason, expected: (startSize, startRoot))
            for (c, _) in ranges { c.resume(throwing: error) }
            for c in checkpointWaiters { c.resume(throwing: error) }
            return
        } catch {
            for (c, _) in ranges { c.resume(throwing: error) }
            for c in checkpointWaiters { c.resume(throwing: error) }
            return
        }
        condition.lock()
        frontier = tree
        lastLeaf = prev
        if let signed {
            checkpointedSize = max(checkpointedSize, signed.checkpoint.size)
            lastCheckpointAt = now
        }
        condition.unlock()
        for (c, r) in ranges { c.resume(returning: r) }
        if let signed {
            // Return the stored note (it may already carry cosignatures).
            let stored = (try? pool.read { db in
                try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = ?", arguments: [Int64(signed.checkpoint.size)])
            }).flatMap { $0 }.flatMap { try? Audit.SignedCheckpoint(parsing: $0) }
            for c in checkpointWaiters { c.resume(returning: stored ?? signed) }
        }
    }
}

extension GroupCommitter {
    /// The database changed under the writer (see `WriterHead`).
    struct ForeignEntries: Error {
        var reason: String
    }

    /// Stops the writer: nothing is signed or appended from now on; a `log.alert` entry records
    /// why (after whatever the database holds, unattested). Returns the error for the waiters.
    func raiseAlert(_ reason: String, expected: (size: UInt64, root: Audit.Hash)) -> AuditError {
        condition.lock()
        alertReason = reason
        condition.unlock()
        do {
            try WriterHead.recordAlert(pool: pool, path: path, node: node, reason: reason, expected: expected)
        } catch {
            return AuditError(.alert, "audit log \(path): \(reason); the writer stopped (the log.alert entry could not be written: \(error))")
        }
        return AuditError(.alert, "audit log \(path): \(reason); the writer refuses to sign and stopped writing (recorded as log.alert)")
    }

    /// Starts the writer already stopped (the open found entries it did not write).
    func startAlerted(_ reason: String) {
        condition.lock()
        alertReason = reason
        condition.unlock()
    }
}
