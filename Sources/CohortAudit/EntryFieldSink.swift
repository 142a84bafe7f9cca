/// The string fields of an entry, as `EntryScanner` reports them.
enum EntryStringField {
    case actor, node, purpose, study, subject, timestamp
}

/// Receives the values `EntryScanner` validates. The scanner does all checking; a sink only
/// decides what to keep.
protocol EntryFieldSink {
    /// A top-level string field: its raw bytes as stored, `plain` when they contain no escapes
    /// (so the raw bytes are the value).
    mutating func string(_ field: EntryStringField, raw: UnsafeRawBufferPointer, plain: Bool)
    /// A details member with a string value.
    mutating func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, string: UnsafeRawBufferPointer, plain: Bool)
    /// A details member with an integer value.
    mutating func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, integer: Int64)
}

/// Keeps nothing: the verification path, which needs only what the scanner itself records
/// (`seq`, `prev`, `type`, the raw node name) and so allocates nothing per entry.
struct DiscardingFields: EntryFieldSink {
    @inline(__always)
    func string(_ field: EntryStringField, raw: UnsafeRawBufferPointer, plain: Bool) {}
    @inline(__always)
    func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, string: UnsafeRawBufferPointer, plain: Bool) {}
    @inline(__always)
    func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, integer: Int64) {}
}

/// Keeps every value, decoded: what `Audit.Entry.parse` returns.
struct EntryFields: EntryFieldSink {
    var actor = "", node = "", purpose = "", study = "", timestamp = ""
    var subject: String?
    var details: [String: Audit.Value] = [:]

    mutating func string(_ field: EntryStringField, raw: UnsafeRawBufferPointer, plain: Bool) {
        let value = CanonicalString.value(raw, plain: plain)
        switch field {
        case .actor: actor = value
        case .node: node = value
        case .purpose: purpose = value
        case .study: study = value
        case .subject: subject = value
        case .timestamp: timestamp = value
        }
    }

    mutating func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, string: UnsafeRawBufferPointer, plain: Bool) {
        details[CanonicalString.value(key, plain: keyPlain)] = .string(CanonicalString.value(string, plain: plain))
    }

    mutating func detail(key: UnsafeRawBufferPointer, keyPlain: Bool, integer: Int64) {
        details[CanonicalString.value(key, plain: keyPlain)] = .integer(integer)
    }
}
