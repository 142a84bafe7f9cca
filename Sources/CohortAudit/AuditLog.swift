public import Foundation
import GRDB

extension Audit {
    /// The node's audit log: durable, group-committed appends with a hash chain and an RFC 9162
    /// Merkle tree, checkpoints signed at most once a second when there are new entries, and on
    /// demand. One process at a time may hold a log open (an exclusive lock file).
    public actor Log: AuditRecording {
        /// Path of `audit.sqlite`.
        public nonisolated let databasePath: String
        /// Node name written into every entry.
        public nonisolated let node: String
        /// Checkpoint origin (`cohort.audit/<node>`), also the key name.
        public nonisolated let origin: String
        /// Verifier for this log's checkpoints.
        public nonisolated let verifier: NoteVerifier
        nonisolated let signer: NoteSigner
        nonisolated let committer: GroupCommitter
        nonisolated let pool: DatabasePool
        nonisolated let lockFD: Int32
        private var isClosed = false
        /// Origins with a witnessing call in progress (actor reentrancy at its `await`s must not
        /// interleave two check-and-update steps of the same origin).
        var witnessingOrigins: Set<String> = []

        init(path: String, node: String, signer: NoteSigner, pool: DatabasePool, committer: GroupCommitter, lockFD: Int32) {
            self.databasePath = path
            self.node = node
            self.origin = Checkpoint.origin(node: node)
            self.signer = signer
            self.verifier = signer.verifier
            self.pool = pool
            self.committer = committer
            self.lockFD = lockFD
        }

        /// Opens (creating if needed) `<nodeDirectory>/audit.sqlite` for `node`; loads or creates
        /// the Ed25519 checkpoint key `<nodeDirectory>/keys/audit-signing.key` (0600, directory
        /// 0700) and creates `<nodeDirectory>/audit-verifier.txt` (note-verifier format) if it does
        /// not exist. An existing verifier file is never overwritten: a key that does not match it
        /// is refused (`.wrongNode`) before anything is written (keys change only by
        /// ``rotateKey(nodeDirectory:node:actor:)``). Starts the group committer.
        public static func open(nodeDirectory: String, node: String) async throws -> Audit.Log {
            let dir = (nodeDirectory as NSString).standardizingPath
            let signer = try NoteSigner.loadOrCreate(path: dir + "/keys/audit-signing.key", name: Checkpoint.origin(node: node))
            try VerifierFile.check(path: dir + "/audit-verifier.txt", signer: signer)
            return try await open(databasePath: dir + "/audit.sqlite", node: node, signer: signer)
        }

        /// Opens (creating if needed) the log at `databasePath` with an explicit signer, whose
        /// name must be `cohort.audit/<node>`. `checkpointInterval` is the minimum time between
        /// automatic checkpoints (seconds).
        public static func open(
            databasePath: String, node: String, signer: NoteSigner, checkpointInterval: TimeInterval = 1
        ) async throws -> Audit.Log {
            let origin = Checkpoint.origin(node: node)
            guard signer.verifier.name == origin else {
                throw AuditError(.wrongNode, "signing key is for \(signer.verifier.name), expected \(origin)")
            }
            let lockPath = databasePath + ".lock"
            let fd = Foundation.open(lockPath, O_RDWR | O_CREAT, 0o600)
            guard fd >= 0 else { throw AuditError(.fileAccess, "cannot open lock file \(lockPath): \(String(cString: strerror(errno)))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                Foundation.close(fd)
                throw AuditError(.logLocked, "audit log \(databasePath) is open in another process (is the node running?)")
            }
            do {
                let pool = try AuditDatabase.openWriter(databasePath)
                let state = try AuditDatabase.wrap(databasePath) {
                    try pool.write { db -> (Merkle.Frontier, Hash, UInt64, String?) in
                        try db.execute(sql: AuditDatabase.schema)
                        if try AuditDatabase.meta(db, "format") == nil {
                            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entries") ?? 0
                            guard count == 0 else { throw AuditError(.corruptDatabase, "\(databasePath) has entries but no meta rows") }
                            for (k, v) in [("format", AuditDatabase.format.rawValue), ("node", node), ("origin", origin), ("verifier", signer.verifier.text)] {
                                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [k, v])
                            }
                        }
                        let id = try AuditDatabase.identity(db, path: databasePath)
                        if id.format == .v1 { try AuditDatabase.migrateToV2(db) }
                        guard id.node == node else {
                            throw AuditError(.wrongNode, "\(databasePath) is the audit log of node \(id.node), not \(node)")
                        }
                        guard id.verifier == signer.verifier.text else {
                            throw AuditError(.wrongNode, "\(databasePath) was created with key \(id.verifier), not \(signer.verifier.text)")
                        }
                        let size = try AuditDatabase.size(db)
                        let nodes = DatabaseNodes(db: db)
                        let roots = try Merkle.Frontier.subtrees(ofSize: size).map { try nodes.hash(level: $0.level, index: $0.index) }
                        let frontier = try Merkle.Frontier(size: size, roots: roots)
                        let last = size == 0 ? Hash.zero : try nodes.hash(level: 0, index: size - 1)
                        let signed = UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(size), 0) FROM checkpoints") ?? 0)
                        let head = WriterHead(signer: signer)
                        let mismatch = try head.mismatch(db, size: size, root: frontier.root, verifier: signer.verifier)
                        if mismatch == nil, try AuditDatabase.meta(db, "head") == nil, size > 0 {
                            try head.store(db, size: size, root: frontier.root)
                        }
                        return (frontier, last, signed, mismatch)
                    }
                }
                let committer = GroupCommitter(
                    pool: pool, path: databasePath, node: node, origin: origin, signer: signer, frontier: state.0,
                    lastLeaf: state.1, checkpointedSize: state.2, checkpointInterval: checkpointInterval)
                if let reason = state.3 {
                    // Sign only what it wrote: entries this writer did not write are on record
                    // (log.alert) and nothing is signed or appended.
                    let error = committer.raiseAlert(reason, expected: (state.0.size, state.0.root))
                    try? pool.close()
                    throw error
                }
                committer.start()
                return Log(path: databasePath, node: node, signer: signer, pool: pool, committer: committer, lockFD: fd)
            } catch {
                Foundation.close(fd)
                throw error
            }
        }

        /// Flushes queued appends, signs a final checkpoint if there are unsigned entries, stops
        /// the committer, moves every committed page from `audit.sqlite-wal` into `audit.sqlite`
        /// and truncates the WAL (see ``closeCheckpointingWAL()``), and releases the lock. Later
        /// appends throw `.closed`. Never throws: if the WAL cannot be emptied the entries stay
        /// durable in it (SQLite replays it on the next open); use ``closeCheckpointingWAL()`` to
        /// learn why.
        public func close() async {
            _ = try? await closeCheckpointingWAL()
        }

        /// ``close()``, throwing if the log could not be left self-contained in `audit.sqlite`.
        ///
        /// Why this is needed: committed entries live in `audit.sqlite-wal` until a checkpoint
        /// copies them into the main file. SQLite checkpoints and deletes the WAL only when the
        /// *last* connection closes, and GRDB closes the pool's writer before its read-only
        /// readers — a read-only connection never checkpoints — so every entry since the last
        /// automatic checkpoint (1000 pages) stayed in the WAL after the writer exited, and a copy
        /// of `audit.sqlite` alone silently lacked them. Here the writer runs
        /// `PRAGMA wal_checkpoint(TRUNCATE)` itself (waiting up to the 5 s busy timeout for
        /// readers in other processes), checks that every WAL frame was copied, and after closing
        /// checks that the WAL file is empty or gone. The log is closed and the lock released
        /// whatever the outcome; on failure the entries remain durable in the WAL. Idempotent.
        /// Cost: one checkpoint, O(pages written since the last checkpoint).
        public func closeCheckpointingWAL() async throws {
            guard !isClosed else { return }
            isClosed = true
            await committer.stop()
            defer {
                flock(lockFD, LOCK_UN)
                Foundation.close(lockFD)
            }
            var failure: AuditError?
            do {
                let result = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                if result.walFrameCount != result.checkpointedFrameCount {
                    failure = AuditError(.fileAccess, "\(databasePath): WAL checkpoint copied \(result.checkpointedFrameCount) of \(result.walFrameCount) frames; the rest stay in \(databasePath)-wal")
                }
            } catch {
                failure = AuditError(.fileAccess, "\(databasePath): WAL checkpoint on close failed (\(error)); entries stay durable in \(databasePath)-wal")
            }
            do {
                try pool.close()
            } catch {
                failure = failure ?? AuditError(.fileAccess, "\(databasePath): closing the database failed: \(error)")
            }
            if let failure { throw failure }
            var info = stat()
            if stat(databasePath + "-wal", &info) == 0, info.st_size != 0 {
                throw AuditError(.fileAccess, "\(databasePath)-wal still holds \(info.st_size) bytes after the closing checkpoint")
            }
        }

        /// Appends one event; returns its index once durable.
        public nonisolated func record(_ event: Event) async throws -> UInt64 {
            guard let range = try await record(contentsOf: [event]) else {
                throw AuditError(.closed, "append returned no index")
            }
            return range.lowerBound
        }

        /// Appends events in order (contiguous indices); returns the range once all are durable,
        /// `nil` for an empty list.
        public nonisolated func record(contentsOf events: [Event]) async throws -> ClosedRange<UInt64>? {
            for event in events { try event.validate() }
            if events.isEmpty { return nil }
            return try await withCheckedThrowingContinuation { c in
                committer.submit(.append(events, c))
            }
        }

        /// Signs a checkpoint of the current tree now (after everything queued before it is
        /// durable) and returns it; returns the stored one if the size has not changed.
        public nonisolated func signCheckpoint() async throws -> SignedCheckpoint {
            try await withCheckedThrowingContinuation { c in
                committer.submit(.checkpoint(c))
            }
        }

        /// Current tree size and root (entries durable so far). O(log n).
        public nonisolated func treeHead() -> (size: UInt64, root: Hash) {
            committer.treeHead()
        }

        /// Why the writer stopped, if it found entries it did not write (see `WriterHead`):
        /// nothing is signed or appended any more. For the node's status. Thread-safe.
        public nonisolated var alert: String? { committer.alert }

        /// A reader over the same database (proofs, entries, checkpoints, verification).
        public nonisolated func reader() -> LogReader {
            LogReader(reader: pool, path: databasePath, node: node, origin: origin, verifier: verifier)
        }

        /// Attaches a peer's cosignature to the stored checkpoint of `size` after checking it with
        /// the peer's verifier key; returns the updated checkpoint.
        public nonisolated func addCosignature(
            _ signature: SignedNote.Signature, witness: NoteVerifier, checkpointSize size: UInt64
        ) throws -> SignedCheckpoint {
            try AuditDatabase.wrap(databasePath) {
                try pool.write { db in
                    guard let text = try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = ?", arguments: [Int64(size)]) else {
                        throw AuditError(.outOfRange, "no stored checkpoint of size \(size)")
                    }
                    var cp = try SignedCheckpoint(parsing: text)
                    try cp.addCosignature(signature, verifiedBy: witness)
                    try db.execute(sql: "UPDATE checkpoints SET note = ? WHERE size = ?", arguments: [cp.serialized, Int64(size)])
                    return cp
                }
            }
        }
    }
}
