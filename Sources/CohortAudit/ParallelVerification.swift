import Dispatch
import Foundation
import GRDB
import Synchronization

/// How a verification spreads over the machine's cores.
///
/// The log is cut into chunks of 2^`chunkHeight` entries. Chunks start at multiples of their
/// size, so each chunk is one perfect subtree of the RFC 9162 tree (the last may be partial) and
/// can be replayed on its own: every entry inspected, links checked inside the chunk, the
/// chunk's subtree roots built. Stitching the chunks in order checks the links between them,
/// folds their subtrees into the whole tree and compares the root at every checkpoint size.
struct VerificationPlan: Sendable {
    /// Threads replaying chunks at once (each with its own read-only connection). 1 = sequential.
    var workers: Int
    /// log2 of the chunk size in entries.
    var chunkHeight: Int
    /// Chunks handed out per round, per worker; bounds memory to O(workers × this) summaries.
    var chunksPerWorkerPerRound = 32

    /// One worker per active core, chunks of 16,384 entries (small enough that the workers
    /// finish a round within a chunk of each other).
    static var automatic: VerificationPlan {
        VerificationPlan(workers: ProcessInfo.processInfo.activeProcessorCount, chunkHeight: 14)
    }

    /// The reference replay only.
    static let sequential = VerificationPlan(workers: 1, chunkHeight: 14)

    /// Entries per chunk.
    var chunkSize: UInt64 { UInt64(1) << UInt64(chunkHeight) }
}

/// What replaying one chunk on its own established.
struct ChunkSummary: Sendable {
    /// The `prev` named by the chunk's first entry (checked against the previous chunk's last leaf).
    var firstPrev: Audit.Hash
    /// The leaf hash of the chunk's last entry.
    var lastLeaf: Audit.Hash
    /// The chunk's own frontier: its perfect subtrees.
    var subtrees: Audit.Merkle.Frontier
    /// The chunk's frontier at each checkpoint size inside the chunk, in size order.
    var snapshots: [Audit.Merkle.Frontier]
}

extension Audit.LogReader {
    /// Proves the log intact using `plan.workers` threads, or returns `nil` as soon as anything
    /// does not check out (a bad entry or link, a checkpoint that fails or does not match, a
    /// checkpoint beyond the end, a missing row): the caller then runs the sequential replay,
    /// which names the first problem. Returns `nil` without reading entries when the log is too
    /// small to split. O(n / workers) time; memory O(log n + checkpoints + workers × chunk
    /// summaries), independent of the log size.
    func parallelPass(checks: [VerifyState.Check], plan: VerificationPlan) throws -> (size: UInt64, root: Audit.Hash)? {
        let size = try self.size()
        guard size >= 2 * plan.chunkSize else { return nil }
        // Checkpoint targets: any stored checkpoint with a problem, or one beyond the end, means
        // the log is not intact; two different roots for one size cannot both match.
        var targets: [(size: UInt64, root: Audit.Hash)] = []
        for check in checks {
            guard check.problem == nil, let root = check.root, check.size <= size else { return nil }
            if let last = targets.last, last.size == check.size {
                guard last.root == root else { return nil }
                continue
            }
            targets.append((check.size, root))
        }
        var nextTarget = 0
        if let first = targets.first, first.size == 0 {
            guard first.root == Audit.Merkle.emptyRoot else { return nil }
            nextTarget = 1
        }
        let targetSizes = targets.map(\.size)

        let connections = try (0..<plan.workers).map { _ in
            try AuditDatabase.wrap(path) { try DatabaseQueue(path: path, configuration: AuditDatabase.readerConfiguration()) }
        }
        defer { for connection in connections { try? connection.close() } }

        let chunkCount = (size + plan.chunkSize - 1) / plan.chunkSize
        let perRound = UInt64(plan.workers * plan.chunksPerWorkerPerRound)
        let inspector = EntryInspector(node: node)
        var tree = Audit.Merkle.Frontier()
        var expectedPrev = Audit.Hash.zero
        var roundStart: UInt64 = 0
        while roundStart < chunkCount {
            let (first, roundEnd) = (roundStart, min(chunkCount, roundStart + perRound))
            let slots = Mutex<[Result<ChunkSummary?, any Error>?]>(Array(repeating: nil, count: Int(roundEnd - first)))
            // Workers take the next chunk as they finish one, so they end the round together.
            let next = Atomic<UInt64>(first)
            DispatchQueue.concurrentPerform(iterations: plan.workers) { worker in
                while true {
                    let chunk = next.add(1, ordering: .relaxed).oldValue
                    guard chunk < roundEnd else { break }
                    let start = chunk * plan.chunkSize
                    let end = min(size, start + plan.chunkSize)
                    let result = Result {
                        try connections[worker].read { db in
                            try replayChunk(db: db, start: start, end: end, inspector: inspector, targetSizes: targetSizes)
                        }
                    }
                    let slot = Int(chunk - first)
                    slots.withLock { $0[slot] = result }
                }
            }
            let summaries = slots.withLock { $0 }
            for result in summaries {
                guard let result else { return nil }
                guard let summary = try AuditDatabase.wrap(path, { try result.get() }) else { return nil }
                guard summary.firstPrev == expectedPrev else { return nil }
                for snapshot in summary.snapshots {
                    var atCheckpoint = tree
                    atCheckpoint.append(subtreesOf: snapshot)
                    guard nextTarget < targets.count, targets[nextTarget].size == atCheckpoint.size,
                          targets[nextTarget].root == atCheckpoint.root else { return nil }
                    nextTarget += 1
                }
                tree.append(subtreesOf: summary.subtrees)
                expectedPrev = summary.lastLeaf
            }
            roundStart = roundEnd
        }
        guard tree.size == size, nextTarget == targets.count else { return nil }
        return (size, tree.root)
    }

    /// Replays entries `start..<end` on their own: every entry inspected, every link inside the
    /// range checked, the range's subtrees built, snapshots taken at the checkpoint sizes that
    /// fall in `(start, end]`. `nil` if anything is wrong (or a row is missing).
    func replayChunk(db: Database, start: UInt64, end: UInt64, inspector: EntryInspector, targetSizes: [UInt64]) throws -> ChunkSummary? {
        var cursor = try RawEntryCursor(db: db, from: start, to: end, path: path)
        // First checkpoint size strictly after `start`.
        var lo = 0, hi = targetSizes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if targetSizes[mid] <= start { lo = mid + 1 } else { hi = mid }
        }
        var nextTarget = lo
        var frontier = Audit.Merkle.Frontier()
        var snapshots: [Audit.Merkle.Frontier] = []
        var firstPrev = Audit.Hash.zero
        var previousLeaf = Audit.Hash.zero
        var index = start
        while let row = try cursor.next() {
            switch inspector.inspect(index: index, seq: row.seq, bytes: row.data, storedLeaf: row.leaf) {
            case .broken:
                return nil
            case .sound(let leaf, let prev):
                if index == start {
                    firstPrev = prev
                } else if prev != previousLeaf {
                    return nil
                }
                previousLeaf = leaf
                frontier.append(leaf)
            }
            index += 1
            if nextTarget < targetSizes.count && targetSizes[nextTarget] == index {
                snapshots.append(frontier)
                nextTarget += 1
            }
        }
        guard index == end else { return nil }
        return ChunkSummary(firstPrev: firstPrev, lastLeaf: previousLeaf, subtrees: frontier, snapshots: snapshots)
    }
}
