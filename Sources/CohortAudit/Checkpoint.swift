extension Audit {
    /// A c2sp.org/tlog-checkpoint body: origin line, decimal tree size, base64 root hash, optional
    /// extension lines.
    public struct Checkpoint: Sendable, Hashable {
        /// Log identity, `cohort.audit/<node>` for node logs.
        public var origin: String
        /// Number of entries.
        public var size: UInt64
        /// Root hash of the first `size` entries.
        public var root: Audit.Hash
        /// Extension lines (without newlines).
        public var extensions: [String]

        /// Creates a checkpoint body.
        public init(origin: String, size: UInt64, root: Audit.Hash, extensions: [String] = []) {
            self.origin = origin
            self.size = size
            self.root = root
            self.extensions = extensions
        }

        /// The origin used for a node's audit log.
        public static func origin(node: String) -> String { "cohort.audit/\(node)" }

        /// The note text: `origin\nsize\nbase64root\n` followed by extension lines.
        public var text: String {
            "\(origin)\n\(size)\n\(root.base64)\n" + extensions.map { $0 + "\n" }.joined()
        }

        /// Parses a checkpoint body.
        public init(parsing text: String) throws {
            guard text.hasSuffix("\n") else { throw AuditError(.malformedNote, "checkpoint must end in a newline") }
            let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 3, !lines[0].isEmpty else {
                throw AuditError(.malformedNote, "checkpoint needs origin, size and root lines")
            }
            guard let size = UInt64(lines[1]), String(size) == lines[1] else {
                throw AuditError(.malformedNote, "checkpoint size \"\(lines[1])\" is not a canonical decimal")
            }
            guard let root = Audit.Hash(base64: lines[2]) else {
                throw AuditError(.malformedNote, "checkpoint root is not base64 of 32 bytes")
            }
            guard !lines.dropFirst(3).contains(where: \.isEmpty) else {
                throw AuditError(.malformedNote, "checkpoint has an empty extension line")
            }
            self.init(origin: lines[0], size: size, root: root, extensions: Array(lines.dropFirst(3)))
        }
    }

    /// A checkpoint together with its signed note.
    public struct SignedCheckpoint: Sendable, Hashable {
        /// The parsed body.
        public var checkpoint: Checkpoint
        /// The note (body + signatures).
        public var note: SignedNote

        /// Parses a signed checkpoint note (signatures are not checked here).
        public init(parsing text: String) throws {
            note = try SignedNote(parsing: text)
            checkpoint = try Checkpoint(parsing: note.text)
        }

        /// Wraps a note whose text is a checkpoint.
        public init(note: SignedNote) throws {
            self.note = note
            checkpoint = try Checkpoint(parsing: note.text)
        }

        /// Signs `checkpoint` with `signer`.
        public init(signing checkpoint: Checkpoint, with signer: NoteSigner) throws {
            var note = try SignedNote(text: checkpoint.text)
            try note.sign(with: signer)
            self.checkpoint = checkpoint
            self.note = note
        }

        /// The serialized note.
        public var serialized: String { note.serialized }

        /// Checks the log's own signature (`verifier.name` must equal the origin).
        public func verify(logKey verifier: NoteVerifier) throws {
            guard verifier.name == checkpoint.origin else {
                throw AuditError(.wrongNode, "checkpoint origin \(checkpoint.origin) does not match key \(verifier.name)")
            }
            try note.requireSignature(by: verifier)
        }

        /// Adds a cosignature by `witness` (a peer cosigning this checkpoint).
        public mutating func cosign(with witness: NoteSigner) throws {
            try note.sign(with: witness)
        }

        /// Adds a cosignature line received from a peer, checked with the peer's verifier.
        public mutating func addCosignature(_ signature: SignedNote.Signature, verifiedBy witness: NoteVerifier) throws {
            try note.addSignature(signature, verifiedBy: witness)
        }

        /// Whether a valid cosignature by `witness` is present.
        public func hasCosignature(by witness: NoteVerifier) -> Bool {
            note.verify(witness)
        }
    }
}
