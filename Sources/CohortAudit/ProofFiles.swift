import Foundation

extension Audit {
    /// An inclusion proof as a file (JSON, keys sorted): the entry bytes, its leaf hash, the tree
    /// size and root it is proven against, the RFC 9162 audit path (hex, leaf to root) and, when
    /// available, the signed checkpoint for that size.
    public struct InclusionProofFile: Codable, Sendable, Hashable {
        /// `cohort-audit-inclusion-proof/1`.
        public var format: String
        /// Log origin.
        public var origin: String
        /// Entry index.
        public var index: UInt64
        /// Tree size the proof is for.
        public var treeSize: UInt64
        /// The canonical entry JSON (exact stored bytes as a UTF-8 string).
        public var entry: String
        /// Hex leaf hash SHA-256(0x00‖entry).
        public var leafHash: String
        /// Hex root of the tree of `treeSize` entries.
        public var root: String
        /// Hex hashes of the audit path.
        public var proof: [String]
        /// The signed checkpoint note for `treeSize`, if one exists.
        public var checkpoint: String?

        enum CodingKeys: String, CodingKey {
            case format, origin, index, entry, root, proof, checkpoint
            case treeSize = "tree_size"
            case leafHash = "leaf_hash"
        }

        /// The format tag.
        public static let formatTag = "cohort-audit-inclusion-proof/1"

        /// Builds the file for entry `index` in the tree of `size` entries.
        public init(reader: LogReader, index: UInt64, size: UInt64) throws {
            let head = try reader.treeHead(size: size)
            let (_, bytes, leaf) = try reader.entry(at: index)
            let proof = try reader.inclusionProof(index: index, size: size)
            guard Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: head.root) else {
                throw AuditError(.proofMismatch, "stored subtree hashes do not reproduce the root for entry \(index); run `cohort audit verify`")
            }
            format = Self.formatTag
            origin = reader.origin
            self.index = index
            treeSize = size
            entry = String(decoding: bytes, as: UTF8.self)
            leafHash = leaf.hex
            root = head.root.hex
            self.proof = proof.map(\.hex)
            checkpoint = try reader.storedCheckpoints().first { $0.size == size }?.note
        }

        /// Checks the file on its own: leaf hash of the entry, audit path to the root, and — if a
        /// checkpoint is present and `key` given — its signature and that it commits to `root`.
        public func verify(key: NoteVerifier? = nil) throws {
            guard format == Self.formatTag else { throw AuditError(.malformedProof, "unknown proof format \(format)") }
            guard let rootHash = Hash(hex: root), let leaf = Hash(hex: leafHash) else {
                throw AuditError(.malformedProof, "root or leaf_hash is not 64 hex digits")
            }
            let path = try proof.enumerated().map { i, h in
                guard let x = Hash(hex: h) else { throw AuditError(.malformedProof, "proof[\(i)] is not 64 hex digits") }
                return x
            }
            guard Merkle.leafHash(Array(entry.utf8)) == leaf else {
                throw AuditError(.proofMismatch, "leaf_hash is not the hash of the entry")
            }
            guard index < treeSize else { throw AuditError(.outOfRange, "index \(index) is beyond tree size \(treeSize)") }
            guard Merkle.verifyInclusion(index: index, size: treeSize, leafHash: leaf, proof: path, root: rootHash) else {
                throw AuditError(.proofMismatch, "inclusion proof for index \(index) does not lead to the root")
            }
            if let checkpoint, let key {
                let cp = try SignedCheckpoint(parsing: checkpoint)
                try cp.verify(logKey: key)
                guard cp.checkpoint.size == treeSize, cp.checkpoint.root == rootHash else {
                    throw AuditError(.proofMismatch, "the checkpoint is for size \(cp.checkpoint.size) with a different root")
                }
            }
        }
    }

    /// A consistency proof as a file (JSON, keys sorted).
    public struct ConsistencyProofFile: Codable, Sendable, Hashable {
        /// `cohort-audit-consistency-proof/1`.
        public var format: String
        /// Log origin.
        public var origin: String
        /// Older tree size.
        public var from: UInt64
        /// Newer tree size.
        public var to: UInt64
        /// Hex root at `from`.
        public var fromRoot: String
        /// Hex root at `to`.
        public var toRoot: String
        /// Hex hashes of the RFC 9162 consistency proof.
        public var proof: [String]

        enum CodingKeys: String, CodingKey {
            case format, origin, from, to, proof
            case fromRoot = "from_root"
            case toRoot = "to_root"
        }

        /// The format tag.
        public static let formatTag = "cohort-audit-consistency-proof/1"

        /// Builds the file for sizes `from` ≤ `to`.
        public init(reader: LogReader, from: UInt64, to: UInt64) throws {
            let proof = try reader.consistencyProof(from: from, to: to)
            let r1 = try reader.treeHead(size: from).root
            let r2 = try reader.treeHead(size: to).root
            guard Merkle.verifyConsistency(from: from, to: to, fromRoot: r1, toRoot: r2, proof: proof) else {
                throw AuditError(.proofMismatch, "stored subtree hashes do not give a valid consistency proof; run `cohort audit verify`")
            }
            format = Self.formatTag
            origin = reader.origin
            self.from = from
            self.to = to
            fromRoot = r1.hex
            toRoot = r2.hex
            self.proof = proof.map(\.hex)
        }

        /// Checks the proof.
        public func verify() throws {
            guard format == Self.formatTag else { throw AuditError(.malformedProof, "unknown proof format \(format)") }
            guard let r1 = Hash(hex: fromRoot), let r2 = Hash(hex: toRoot) else {
                throw AuditError(.malformedProof, "from_root or to_root is not 64 hex digits")
            }
            let path = try proof.enumerated().map { i, h in
                guard let x = Hash(hex: h) else { throw AuditError(.malformedProof, "proof[\(i)] is not 64 hex digits") }
                return x
            }
            guard Merkle.verifyConsistency(from: from, to: to, fromRoot: r1, toRoot: r2, proof: path) else {
                throw AuditError(.proofMismatch, "consistency proof from \(from) to \(to) does not verify")
            }
        }
    }

    /// JSON encoding used for proof files: sorted keys, pretty printed, no escaped slashes.
    public static func encodeJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Decodes a proof file, mapping failures to `.malformedProof`.
    public static func decodeJSON<T: Decodable>(_ type: T.Type, from text: String, source: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw AuditError(.malformedProof, "\(source): \(error)")
        }
    }
}
