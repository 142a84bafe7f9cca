#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Audit {
    /// One member of an event type's `details` object.
    public struct DetailField: Sendable, Hashable {
        /// The JSON kind of the value.
        public enum Kind: String, Sendable, Hashable {
            /// A string.
            case string
            /// An integer within ±(2^53 − 1).
            case integer
        }

        /// The key.
        public var name: String
        /// The value's kind.
        public var kind: Kind
        /// Whether every entry of the type carries it.
        public var required: Bool
        /// What it means (one phrase, as in `docs/audit.md`).
        public var meaning: String

        /// Creates a field.
        public init(_ name: String, _ kind: Kind, required: Bool = true, _ meaning: String) {
            self.name = name
            self.kind = kind
            self.required = required
            self.meaning = meaning
        }
    }

    /// The schema of one event type: what its `subject`, `purpose`/`study` hold and exactly which
    /// `details` members it has. The one place the schema lives: `record` refuses events that do
    /// not match it, verification fails entries that do not match it, and `docs/audit.md`
    /// contains ``markdownTable`` verbatim (a test compares them).
    public struct EventSchema: Sendable, Hashable {
        /// The event type.
        public var type: EventType
        /// The `subject` column of the docs table.
        public var subject: String
        /// The `purpose / study` column of the docs table.
        public var context: String
        /// The `details` members, in documentation order.
        public var fields: [DetailField]
        /// A remark appended to the details column (may be empty).
        public var note: String

        /// The docs table row.
        public var markdownRow: String {
            let list = fields.map { f in
                "`\(f.name)` (\(f.kind.rawValue)\(f.required ? "" : ", optional")): \(f.meaning)"
            }.joined(separator: "; ")
            let details = fields.isEmpty ? "—" : list
            return "| `\(type.rawValue)` | \(subject) | \(context) | \(details)\(note.isEmpty ? "" : ". " + note) |"
        }

        /// The schema of `type`.
        public static func of(_ type: EventType) -> EventSchema { table[ruleIndex(type)].schema }

        /// The whole docs table (header and one row per type, in `EventType.allCases` order).
        public static var markdownTable: String {
            (["| type | subject | purpose / study | details |", "|---|---|---|---|"]
                + EventType.allCases.map { of($0).markdownRow }).joined(separator: "\n")
        }

        /// Checks an event's details against the schema of its type: no unknown key, every
        /// required key, each value of the documented kind. Throws `.invalidEvent` naming the key.
        public static func check(_ type: EventType, details: [String: Value]) throws {
            let schema = of(type)
            for (key, value) in details {
                guard let field = schema.fields.first(where: { $0.name == key }) else {
                    throw AuditError(.invalidEvent, "\(type.rawValue): details.\(key) is not in the schema of \(type.rawValue) (allowed: \(schema.fields.map(\.name).joined(separator: ", ")))")
                }
                switch (field.kind, value) {
                case (.string, .string), (.integer, .integer): break
                default: throw AuditError(.invalidEvent, "\(type.rawValue): details.\(key) must be a \(field.kind.rawValue)")
                }
            }
            for field in schema.fields where field.required && details[field.name] == nil {
                throw AuditError(.invalidEvent, "\(type.rawValue): details.\(field.name) is required")
            }
        }
    }
}

extension Audit.EventSchema {
    typealias F = Audit.DetailField

    /// Summary fields of counted events (flood control).
    static let counted: [F] = [
        F("count", .integer, required: false, "events this summary stands for"),
        F("first_seen", .string, required: false, "first counted event, UTC"),
        F("last_seen", .string, required: false, "last counted event, UTC"),
        F("window_seconds", .integer, required: false, "length of the counting window"),
    ]

    static func s(_ type: Audit.EventType, _ subject: String, _ context: String, _ fields: [F], _ note: String = "") -> Audit.EventSchema {
        Audit.EventSchema(type: type, subject: subject, context: context, fields: fields, note: note)
    }

    static func s(_ type: Audit.EventType, _ fields: [F], _ note: String = "") -> Audit.EventSchema {
        Audit.EventSchema(type: type, subject: "—", context: "—", fields: fields, note: note)
    }

    /// The schema of every type, in `EventType.allCases` order.
    static let schemas: [Audit.EventSchema] = Audit.EventType.allCases.map { type in
        switch type {
        case .nodeInitialized:
            return s(type, [F("consortium", .string, "consortium name"), F("schema", .string, "last store migration applied")])
        case .nodeStarted:
            return s(type, [F("peer_port", .integer, "bound peer port"), F("pid", .integer, "process id"),
                            F("mode", .string, "`production` or `simulation`")])
        case .nodeStopped:
            return s(type, [F("reason", .string, "`shutdown` or `error: …`")])
        case .dataImported:
            return s(type, [
                F("kind", .string, "`customers`, `transactions` or `consent`"), F("file", .string, "file name"),
                F("sha256", .string, "SHA-256 hex of the file"), F("accepted", .integer, "rows accepted"),
                F("rejected", .integer, "rows rejected"), F("import_id", .integer, "the import"),
                F("duplicate_of", .integer, required: false, "the earlier import of the same file, when forced"),
            ], "Written before the rows commit: see \"Imports\"")
        case .importCommitted:
            return s(type, [F("import_id", .integer, "the import"),
                            F("reconciled", .integer, "`1` if recorded when the node was next opened, else `0`")])
        case .importRolledBack:
            return s(type, [F("import_id", .integer, "the import"), F("reason", .string, "why"),
                            F("reconciled", .integer, "`1` if recorded when the node was next opened, else `0`")])
        case .consentGranted, .consentWithdrawn:
            return s(type, "pseudonym", "purpose", [
                F("at", .string, "time of the consent event, UTC"), F("source", .string, "`cli` or `import`"),
                F("method", .string, required: false, "how consent was given"),
                F("policy_version", .string, required: false, "consent policy version"),
                F("import_id", .integer, required: false, "the import, when `source` is `import`"),
            ])
        case .subjectErased:
            return s(type, "pseudonym", "—", [F("transactions", .integer, "transactions deleted"),
                                              F("consent_events", .integer, "consent events deleted")])
        case .studyProposed:
            return s(type, "—", "purpose, study", [
                F("lead", .string, "lead node"),
                F("spec_sha256", .string, "SHA-256 hex of the spec's canonical JSON"),
                F("kind", .string, "study kind"),
                F("epsilon", .string, "ε of the study, decimal"),
                F("delta", .string, "δ of the study, decimal"),
                F("as_of", .string, "as-of date `YYYY-MM-DD`"),
                F("dimensions", .string, "dimensions, comma-separated"),
                F("parties", .string, "lead and participants, comma-separated"),
            ], "What was agreed: the spec's digest and its terms")
        case .studyAccepted:
            return s(type, "—", "purpose, study", [F("lead", .string, "lead node")])
        case .studyRejected:
            return s(type, "—", "purpose, study", [
                F("lead", .string, "lead node"), F("reason", .string, "why"),
                F("count", .integer, required: false, "proposals a summary of counted rejections stands for"),
            ], "A summary (see \"Flood control\") has an empty study and purpose")
        case .studyEnded:
            return s(type, "—", "purpose, study", [
                F("lead", .string, "lead node"),
                F("outcome", .string, "`failed`, `aborted` (by the lead) or `expired`"),
                F("reason", .string, "why"),
                F("round", .integer, required: false, "rounds this node contributed to"),
            ], "Nothing was released; a budget spent stays spent")
        case .studyAggregated:
            return s(type, "—", "purpose, study", [
                F("lead", .string, "lead node"),
                F("round", .integer, "study round, from 0"),
                F("role", .string, "`lead` (computed the sum) or `participant` (revealed its shares)"),
                F("parties", .string, "every party of the aggregation, comma-separated"),
                F("survivors", .string, "parties whose masked contribution is in the sum, comma-separated"),
                F("dropouts", .string, "parties that shared keys but sent no masked contribution (their masks were removed), comma-separated"),
            ], "Secure aggregation: the lead learned only the survivors' sum. Before its use (lead) or before the shares leave the node (participant)")
        case .dataAccessed:
            return s(type, "— (aggregate)", "purpose, study", [
                F("rows", .integer, "consenting customers read"),
                F("transactions", .integer, "transactions read"),
                F("as_of", .string, "as-of date"),
                F("used", .integer, required: false, "customers in a study contribution"),
                F("round", .integer, required: false, "study round"),
                F("command", .string, required: false, "the local command (local analyses)"),
                F("scope", .string, required: false, "`local` for a local analysis"),
            ], "Exact counts, kept on the node only")
        case .budgetSpent:
            return s(type, "—", "purpose, study", [
                F("epsilon", .string, "ε charged, decimal"), F("delta", .string, "δ charged, decimal"),
                F("rho", .string, "ρ (zCDP), decimal, or `none` for a spend accounted in RDP (a subsampled training study)"), F("mechanism", .string, "mechanism"),
                F("ledger_id", .integer, "ledger row"), F("round", .integer, "study round"),
            ], "Reserved before any row is read")
        case .budgetRefunded:
            return s(type, "—", "purpose, study", [
                F("ledger_id", .integer, "ledger row"), F("round", .integer, "study round"), F("reason", .string, "why"),
            ], "The contribution failed before leaving the node")
        case .resultReleased:
            return s(type, "—", "purpose, study", [
                F("sha256", .string, "SHA-256 hex of the released result"), F("role", .string, "`lead` or `participant`"),
                F("cells", .integer, "cells in the result"),
            ])
        case .peerConnected:
            return s(type, [
                F("address", .string, "peer host"), F("direction", .string, "`inbound` or `outbound`"),
                F("fingerprint", .string, "certificate SHA-256"),
            ] + counted, "actor = the peer; written at the connection's first gRPC call; a summary adds the optional counts")
        case .peerRefused:
            return s(type, [
                F("address", .string, "host, no port"), F("claimed_name", .string, "name the peer claimed"),
                F("code", .string, "refusal code"), F("reason", .string, "why"),
                F("direction", .string, "`inbound` or `outbound`"), F("fingerprint", .string, "certificate SHA-256"),
            ] + counted, "A summary adds the optional counts")
        case .keyRotated:
            return s(type, [
                F("key", .string, "`tls` or `audit`"),
                F("old_sha256", .string, "SHA-256 of the old certificate or public key"),
                F("new_sha256", .string, "SHA-256 of the new certificate or public key"),
                F("old_verifier", .string, required: false, "old note verifier key (`audit`)"),
                F("new_verifier", .string, required: false, "new note verifier key (`audit`)"),
                F("backup", .string, required: false, "where the old TLS pair was kept"),
                F("identity", .string, required: false, "certificate identity (`tls`)"),
            ], "An `audit` rotation is covered by a checkpoint signed by both keys")
        case .checkpointSigned:
            return s(type, [F("size", .integer, "checkpoint size"), F("root", .string, "root hex"),
                            F("witnesses", .integer, "peers the checkpoint was sent to")],
                     "When the node first publishes a checkpoint of a new size to its peers")
        case .checkpointCosigned:
            return s(type, [F("origin", .string, "the peer's log"), F("size", .integer, "checkpoint size"),
                            F("root", .string, "root hex")],
                     "This node witnessed a peer's checkpoint of a new size")
        case .checkpointRefused:
            return s(type, [
                F("origin", .string, "the peer's log"), F("size", .integer, "checkpoint size"),
                F("root", .string, "root hex"), F("reason", .string, "why (fork, rollback, bad proof)"),
                F("witnessed_size", .integer, "size this node cosigned last"),
                F("witnessed_root", .string, "root hex this node cosigned last"),
            ], "Evidence: the refused note and proof are kept in the `refused` table")
        case .logAlert:
            return s(type, [
                F("reason", .string, "what does not match"),
                F("size", .integer, "entries in the database"), F("root", .string, "their root hex"),
                F("expected_size", .integer, "entries this writer wrote"),
                F("expected_root", .string, "their root hex"),
            ], "The writer refuses to sign and stops writing")
        }
    }

    /// Precomputed masks for the allocation-free check in verification.
    struct Rule: Sendable {
        var schema: Audit.EventSchema
        var required: KeyMask
        var allowed: KeyMask
        var integers: KeyMask
    }

    /// The rules in `EventType.allCases` order.
    static let table: [Rule] = schemas.map { schema in
        var rule = Rule(schema: schema, required: KeyMask(), allowed: KeyMask(), integers: KeyMask())
        for field in schema.fields {
            let bit = DetailKeyIndex.shared.index(of: field.name)!
            rule.allowed.insert(bit)
            if field.required { rule.required.insert(bit) }
            if field.kind == .integer { rule.integers.insert(bit) }
        }
        return rule
    }

    /// Position of `type` in `EventType.allCases` (a case's in-memory tag). O(1).
    @inline(__always)
    static func ruleIndex(_ type: Audit.EventType) -> Int {
        Int(unsafeBitCast(type, to: UInt8.self))
    }
}

/// A set of detail keys as bits (at most 128 distinct keys across all types).
struct KeyMask: Sendable, Hashable {
    var low: UInt64 = 0
    var high: UInt64 = 0

    @inline(__always)
    mutating func insert(_ bit: Int) {
        if bit < 64 { low |= 1 << UInt64(bit) } else { high |= 1 << UInt64(bit - 64) }
    }

    @inline(__always)
    func contains(_ bit: Int) -> Bool {
        bit < 64 ? low & (1 << UInt64(bit)) != 0 : high & (1 << UInt64(bit - 64)) != 0
    }

    @inline(__always)
    func subtracting(_ other: KeyMask) -> KeyMask { KeyMask(low: low & ~other.low, high: high & ~other.high) }

    @inline(__always)
    func intersection(_ other: KeyMask) -> KeyMask { KeyMask(low: low & other.low, high: high & other.high) }

    var isEmpty: Bool { low == 0 && high == 0 }

    /// The bits set, ascending.
    var bits: [Int] { (0..<128).filter(contains) }
}

/// Every detail key of the schema, numbered, with an allocation-free lookup from raw bytes: an
/// open-addressing table of 256 slots over a multiply-shift hash of the key's length and its first
/// and last eight bytes (two loads; `memcmp` confirms), so a lookup costs a few nanoseconds.
struct DetailKeyIndex: Sendable {
    static let shared = DetailKeyIndex()

    /// Key names by number.
    let names: [String]
    let bytes: [[UInt8]]
    /// Slot → key number + 1 (0 = empty); 256 slots.
    let slots: [UInt8]

    init() {
        var names: [String] = []
        for schema in Audit.EventSchema.schemas {
            for field in schema.fields where !names.contains(field.name) { names.append(field.name) }
        }
        precondition(names.count <= 128, "more than 128 distinct detail keys")
        self.names = names
        self.bytes = names.map { Array($0.utf8) }
        var slots = [UInt8](repeating: 0, count: 256)
        for (i, b) in bytes.enumerated() {
            var slot = b.withUnsafeBytes { DetailKeyIndex.hash($0.baseAddress!, count: b.count) }
            while slots[slot] != 0 { slot = (slot + 1) & 255 }
            slots[slot] = UInt8(i + 1)
        }
        self.slots = slots
    }

    /// Slot hash of the `count` key bytes at `base` (reads only those bytes). O(1).
    @inline(__always)
    static func hash(_ base: UnsafeRawPointer, count: Int) -> Int {
        var a: UInt64 = 0, b: UInt64 = 0
        if count >= 8 {
            a = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
            b = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        } else {
            for k in 0..<count { a |= UInt64(base.load(fromByteOffset: k, as: UInt8.self)) << UInt64(8 * k) }
        }
        let x = (a ^ (b << 29 | b >> 35) ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15
        return Int(x >> 56)
    }

    /// The number of key `name`, if the schema has it.
    func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// The number of the key with exactly these (unescaped) bytes. O(key length).
    @inline(__always)
    func index(raw: UnsafeRawBufferPointer) -> Int? {
        guard let base = raw.baseAddress else { return nil }
        var slot = DetailKeyIndex.hash(base, count: raw.count)
        return slots.withUnsafeBufferPointer { slots in
            bytes.withUnsafeBufferPointer { bytes in
                while true {
                    let v = Int(slots[slot])
                    if v == 0 { return nil }
                    let candidate = bytes[v - 1]
                    if candidate.count == raw.count,
                       candidate.withUnsafeBytes({ memcmp($0.baseAddress!, base, raw.count) }) == 0 {
                        return v - 1
                    }
                    slot = (slot + 1) & 255
                }
            }
        }
    }
}

/// The verification sink: records which schema keys an entry's details hold and which of them are
/// integers, without allocating.
struct SchemaKeySink: EntryFieldSink {
    var present = KeyMask()
    var integers = KeyMask()
    /// The first key not in the schema (raw bytes, valid while the entry's buffer is).
    var unknown: UnsafeRawBufferPointer?
    var duplicate = false

    @inline(__always)
    func string(_ field: EntryStringField, raw: UnsafeRawBufferPointer, plain: Bool) {}

    @inline(__always)
    mutating func note(_ key: UnsafeRawBufferPointer, plain: Bool, integer: Bool) {
        guard plain, key.count > 0, let bit = DetailKeyIndex.shared.index(raw: key) else {
            if unknown == nil { unknown = key }
            return
        }
        present.insert(bit)
        if integer { integers.insert(bit) }
    }

    @inline(__always)
    mutating func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, string: UnsafeRawBufferPointer, plain: Bool) {
        note(key, plain: keyPlain, integer: false)
    }

    @inline(__always)
    mutating func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, integer: Int64) {
        note(key, plain: keyPlain, integer: true)
    }

    /// Why these details do not match `type`'s schema, or nil if they do.
    func problem(for type: Audit.EventType) -> String? {
        let rule = Audit.EventSchema.table[Audit.EventSchema.ruleIndex(type)]
        let names = DetailKeyIndex.shared.names
        if let unknown {
            return "details key \"\(String(decoding: unknown, as: UTF8.self))\" is not in the schema of \(type.rawValue)"
        }
        let extra = present.subtracting(rule.allowed)
        if !extra.isEmpty {
            return "details key \"\(names[extra.bits[0]])\" is not in the schema of \(type.rawValue)"
        }
        let missing = rule.required.subtracting(present)
        if !missing.isEmpty {
            return "details lack \"\(names[missing.bits[0]])\", required for \(type.rawValue)"
        }
        let wrongKind = KeyMask(low: (integers.low ^ present.intersection(rule.integers).low),
                                high: (integers.high ^ present.intersection(rule.integers).high))
        if !wrongKind.isEmpty {
            let bit = wrongKind.bits[0]
            return "details.\(names[bit]) must be \(rule.integers.contains(bit) ? "an integer" : "a string") in \(type.rawValue)"
        }
        return nil
    }

    /// Whether the details match `type`'s schema. O(1).
    @inline(__always)
    func matches(_ type: Audit.EventType) -> Bool {
        guard unknown == nil else { return false }
        let rule = Audit.EventSchema.table[Audit.EventSchema.ruleIndex(type)]
        return present.subtracting(rule.allowed).isEmpty && rule.required.subtracting(present).isEmpty
            && integers == present.intersection(rule.integers)
    }
}

extension Audit.Entry {
    /// The verification scan: validates the whole entry like ``scanForVerification`` and also
    /// checks its details against its type's schema (``Audit/EventSchema``), without allocating
    /// for a sound entry. Returns `schemaProblem` non-nil when the details do not match.
    static func scanCheckingSchema(_ bytes: UnsafeRawBufferPointer, nodeJSON: UnsafeRawBufferPointer) throws
        -> (seq: UInt64, prev: Audit.Hash, nodeMatches: Bool, node: String, schemaProblem: String?)
    {
        var s = EntryScanner(p: bytes, sink: SchemaKeySink())
        try s.scan()
        let matches = s.nodeRaw.count == nodeJSON.count
            && (nodeJSON.count == 0 || memcmp(s.nodeRaw.baseAddress!, nodeJSON.baseAddress!, nodeJSON.count) == 0)
        let problem = s.sink.matches(s.type) ? nil : s.sink.problem(for: s.type)
        return (s.seq, s.prev, matches, matches ? "" : String(decoding: s.nodeRaw, as: UTF8.self), problem)
    }
}
