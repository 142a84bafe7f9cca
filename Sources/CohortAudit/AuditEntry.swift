import CohortCore
extension Audit {
    /// One stored log entry. Its canonical JSON bytes are what is stored and hashed.
    ///
    /// Fields (keys sorted): `actor`, `details`, `node`, `prev`, `purpose`, `seq`, `study`,
    /// `subject` (only when present), `ts`, `type`, `v`. `purpose` and `study` are always present
    /// and are `""` when the event has none.
    public struct Entry: Sendable, Hashable {
        /// Entry format version (`v`); currently 1.
        public static let currentVersion: Int64 = 1

        /// Format version.
        public var version: Int64
        /// 0-based index in the log (`seq`).
        public var seq: UInt64
        /// UTC time the log assigned, `YYYY-MM-DDTHH:MM:SS.mmmZ` (`ts`).
        public var timestamp: String
        /// Name of the node whose log this is.
        public var node: String
        /// The event type.
        public var type: EventType
        /// Leaf hash of the previous entry; `Hash.zero` for the first (`prev`).
        public var prev: Audit.Hash
        /// Who did it.
        public var actor: String
        /// Data subject pseudonym (32 lowercase hex digits), if any.
        public var subject: String?
        /// Purpose, `""` when none.
        public var purpose: String
        /// Study identifier, `""` when none.
        public var study: String
        /// Event-specific details.
        public var details: [String: Value]

        /// Creates an entry.
        public init(
            version: Int64 = Entry.currentVersion, seq: UInt64, timestamp: String, node: String, type: EventType,
            prev: Audit.Hash, actor: String, subject: String?, purpose: String, study: String, details: [String: Value]
        ) {
            self.version = version
            self.seq = seq
            self.timestamp = timestamp
            self.node = node
            self.type = type
            self.prev = prev
            self.actor = actor
            self.subject = subject
            self.purpose = purpose
            self.study = study
            self.details = details
        }

        /// The canonical JSON bytes (the bytes stored and hashed). O(entry size).
        public func canonicalBytes() -> [UInt8] {
            var w = CanonicalJSONWriter()
            w.raw("{\"actor\":")
            w.string(actor)
            w.raw(",\"details\":")
            w.details(details)
            w.raw(",\"node\":")
            w.string(node)
            w.raw(",\"prev\":\"")
            w.hex(prev)
            w.raw("\",\"purpose\":")
            w.string(purpose)
            w.raw(",\"seq\":")
            w.integer(seq)
            w.raw(",\"study\":")
            w.string(study)
            if let subject {
                w.raw(",\"subject\":")
                w.string(subject)
            }
            w.raw(",\"ts\":")
            w.string(timestamp)
            w.raw(",\"type\":")
            w.string(type.rawValue)
            w.raw(",\"v\":")
            w.integer(version)
            w.raw("}")
            return w.bytes
        }

        /// The leaf hash of the canonical bytes.
        public var leafHash: Audit.Hash { Audit.Merkle.leafHash(canonicalBytes()) }

        /// The largest magnitude allowed for integers (2^53 − 1), so every JSON implementation
        /// reads them exactly (I-JSON, RFC 7493).
        public static let maxSafeInteger: Int64 = 9_007_199_254_740_991
    }
}

extension Audit.Event {
    /// Checks the event against the entry schema: subject is 32 lowercase hex digits (a 16-byte
    /// pseudonym), integers within ±(2^53 − 1), actor non-empty.
    public func validate() throws {
        if actor.isEmpty {
            throw AuditError(.invalidEvent, "\(type.rawValue): actor must not be empty")
        }
        if let subject, !Audit.Event.isPseudonym(subject) {
            throw AuditError(.invalidEvent, "\(type.rawValue): subject must be a pseudonym (32 lowercase hex digits), got \(subject.count) characters")
        }
        for (key, value) in details {
            if case .integer(let i) = value, i.magnitude > UInt64(Audit.Entry.maxSafeInteger) {
                throw AuditError(.invalidEvent, "\(type.rawValue): details.\(key) = \(i) is outside ±(2^53 − 1)")
            }
        }
        try Audit.EventSchema.check(type, details: details)
    }

    /// Whether `s` is 32 lowercase hex digits.
    public static func isPseudonym(_ s: String) -> Bool {
        let u = s.utf8
        return u.count == 32 && u.allSatisfy { HexDigits.lowerValue($0) != nil }
    }
}
