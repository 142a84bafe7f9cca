import Foundation
import GRDB

extension Audit {
    /// Read access to an audit log file: entries, checkpoints, tree heads and proofs. Safe to use
    /// while the node appends (WAL readers see a consistent snapshot).
    public final class LogReader: Sendable {
        let reader: any DatabaseReader
        /// The database path.
        public let path: String
        /// Node name stored in the log.
        public let node: String
        /// Checkpoint origin stored in the log.
        public let origin: String
        /// The verifier key stored when the log was created.
        public let verifier: NoteVerifier
        /// The on-disk layout (older logs are read as they are; writers migrate them).
        let format: AuditDatabase.Format

        init(reader: any DatabaseReader, path: String, node: String, origin: String, verifier: NoteVerifier,
             format: AuditDatabase.Format = AuditDatabase.format) {
            self.reader = reader
            self.path = path
            self.node = node
            self.origin = origin
            self.verifier = verifier
            self.format = format
        }

        /// Opens an existing `audit.sqlite` read-only. Throws `.fileAccess` if missing and
        /// `.corruptDatabase` if it is not a readable cohort audit log.
        public static func open(path: String) throws -> LogReader {
            guard FileManager.default.fileExists(atPath: path) else {
                throw AuditError(.fileAccess, "audit file \(path) does not exist")
            }
            return try AuditDatabase.wrap(path) {
                let queue = try DatabaseQueue(path: path, configuration: AuditDatabase.readerConfiguration())
                let id = try queue.read { db in try AuditDatabase.identity(db, path: path) }
                let verifier = try NoteVerifier(parsing: id.verifier)
                return LogReader(reader: queue, path: path, node: id.node, origin: id.origin, verifier: verifier, format: id.format)
            }
        }

        func read<T>(_ body: (Database) throws -> T) throws -> T {
            try AuditDatabase.wrap(path) { try reader.read(body) }
        }

        /// Number of entries.
        public func size() throws -> UInt64 {
            try read { try AuditDatabase.size($0) }
        }

        /// Tree head of the first `size` entries (default: all). O(log n) lookups.
        public func treeHead(size: UInt64? = nil) throws -> (size: UInt64, root: Hash) {
            try read { db in
                let total = try AuditDatabase.size(db)
                let n = size ?? total
                guard n <= total else { throw AuditError(.outOfRange, "tree size \(n) is beyond the log's \(total) entries") }
                return (n, try Merkle.root(size: n, nodes: DatabaseNodes(db: db, format: format)))
            }
        }

        /// The stored bytes and leaf hash of entry `index`, parsed strictly.
        public func entry(at index: UInt64) throws -> (entry: Entry, bytes: [UInt8], leaf: Hash) {
            try read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT leaf, data FROM entries WHERE seq = ?", arguments: [Int64(index)]) else {
                    throw AuditError(.outOfRange, "entry \(index) does not exist (log has \(try AuditDatabase.size(db)) entries)")
                }
                let data: Data = row["data"]
                let bytes = Array(data)
                let leaf = try AuditDatabase.hash(row["leaf"], what: "leaf hash of entry \(index)")
                do {
                    return (try Entry.parse(bytes), bytes, leaf)
                } catch let e as AuditError {
                    throw AuditError(e.code, "entry \(index): \(e.message)")
                }
            }
        }

        /// Streams entries in index order from `start`, calling `body(index, bytes, storedLeaf)`
        /// until it returns `false`. Memory O(1) in the log size.
        public func forEachEntry(
            from start: UInt64 = 0, _ body: (UInt64, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
        ) throws {
            try read { db in
                var cursor = try RawEntryCursor(db: db, from: start, path: path)
                while let row = try cursor.next() {
                    if try !body(row.seq, row.data, row.leaf) { break }
                }
            }
        }

        /// All stored checkpoints (raw note text), ascending by size.
        public func storedCheckpoints() throws -> [(size: UInt64, note: String)] {
            try read { db in
                try Row.fetchAll(db, sql: "SELECT size, note FROM checkpoints ORDER BY size").map { row in
                    let size: Int64 = row["size"]
                    return (UInt64(size), row["note"] as String)
                }
            }
        }

        /// The latest stored checkpoint, parsed (signature not checked).
        public func latestCheckpoint() throws -> SignedCheckpoint? {
            guard let last = try storedCheckpoints().last else { return nil }
            return try SignedCheckpoint(parsing: last.note)
        }

        /// RFC 9162 inclusion proof of entry `index` in the tree of `size` entries (default: all).
        /// O(log n) indexed lookups.
        public func inclusionProof(index: UInt64, size: UInt64? = nil) throws -> [Hash] {
            try read { db in
                let total = try AuditDatabase.size(db)
                let n = size ?? total
                guard n <= total else { throw AuditError(.outOfRange, "tree size \(n) is beyond the log's \(total) entries") }
                guard index < n else { throw AuditError(.outOfRange, "index \(index) is beyond the tree of size \(n)") }
                return try Merkle.inclusionProof(index: index, size: n, nodes: DatabaseNodes(db: db, format: format))
            }
        }

        /// RFC 9162 consistency proof between tree sizes `from` ≤ `to`. O(log n) lookups.
        public func consistencyProof(from: UInt64, to: UInt64) throws -> [Hash] {
            try read { db in
                let total = try AuditDatabase.size(db)
                guard to <= total else { throw AuditError(.outOfRange, "tree size \(to) is beyond the log's \(total) entries") }
                guard from <= to else { throw AuditError(.outOfRange, "consistency proof needs from (\(from)) ≤ to (\(to))") }
                return try Merkle.consistencyProof(from: from, to: to, nodes: DatabaseNodes(db: db, format: format))
            }
        }
    }
}
