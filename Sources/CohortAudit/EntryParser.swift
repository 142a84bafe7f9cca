#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Audit.Entry {
    /// Strictly parses canonical entry bytes: exactly the canonical encoding is accepted (key set
    /// and order, no whitespace, canonical escapes and integers, valid UTF-8, schema of each field).
    /// O(entry size). Throws `.malformedEntry` naming the byte offset.
    public static func parse(_ bytes: [UInt8]) throws -> Audit.Entry {
        try bytes.withUnsafeBytes { try parse($0, materialize: true) }
    }

    /// Strict parse over raw bytes. With `materialize == false` the whole entry is still
    /// validated, but only `version`, `seq`, `prev` and `type` are filled in (the rest are
    /// empty): the fast path used by verification.
    public static func parse(_ bytes: UnsafeRawBufferPointer, materialize: Bool) throws -> Audit.Entry {
        if materialize {
            var s = EntryScanner(p: bytes, sink: EntryFields())
            try s.scan()
            let f = s.sink
            return Audit.Entry(
                version: Audit.Entry.currentVersion, seq: s.seq, timestamp: f.timestamp, node: f.node, type: s.type,
                prev: s.prev, actor: f.actor, subject: f.subject, purpose: f.purpose, study: f.study, details: f.details)
        }
        var s = EntryScanner(p: bytes, sink: DiscardingFields())
        try s.scan()
        return Audit.Entry(
            version: Audit.Entry.currentVersion, seq: s.seq, timestamp: "", node: "", type: s.type,
            prev: s.prev, actor: "", subject: nil, purpose: "", study: "", details: [:])
    }
}

/// Single-pass validating scanner for canonical entry JSON. It validates everything itself and
/// hands the string and details values to `sink`, which keeps them (`EntryFields`) or not
/// (`DiscardingFields`, the verification path, which then allocates nothing).
struct EntryScanner<Sink: EntryFieldSink> {
    let p: UnsafeRawBufferPointer
    var sink: Sink
    var i = 0
    /// The raw (still escaped) bytes of the `node` string, set by `scan()`.
    var nodeRaw = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Fields set by `scan()`.
    var seq: UInt64 = 0
    var prev = Audit.Hash.zero
    var type = Audit.EventType.nodeInitialized

    init(p: UnsafeRawBufferPointer, sink: Sink) {
        self.p = p
        self.sink = sink
    }

    func fail(_ what: String) -> AuditError {
        AuditError(.malformedEntry, "byte \(i): \(what)")
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: @autoclosure () -> String) throws {
        guard i < p.count, p[i] == c else { throw fail("expected \(what())") }
        i += 1
    }

    /// Whether the next bytes are exactly `text` (a separator and key, e.g. `,"seq":`).
    @inline(__always)
    func startsField(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard i + n <= p.count else { return false }
        let here = p.baseAddress! + i
        let key = UnsafeRawPointer(text.utf8Start)
        // Keys with their separators are 5–11 bytes: two overlapping loads compare them.
        if n >= 8 {
            return here.loadUnaligned(as: UInt64.self) == key.loadUnaligned(as: UInt64.self)
                && here.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == key.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 {
            return here.loadUnaligned(as: UInt32.self) == key.loadUnaligned(as: UInt32.self)
                && here.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == key.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        return memcmp(here, key, n) == 0
    }

    /// Reads exactly `text` (the separator and key of the next field, e.g. `,"seq":`).
    @inline(__always)
    mutating func fieldStart(_ text: StaticString) throws {
        guard startsField(text) else {
            throw fail("expected \(text) (keys must be exactly the entry fields, sorted, without whitespace)")
        }
        i += text.utf8CodeUnitCount
    }

    /// Reads a canonical JSON string; returns its raw (still escaped) bytes and whether they
    /// are plain (no escapes), i.e. already the value.
    @inline(__always)
    mutating func string() throws -> (raw: UnsafeRawBufferPointer, plain: Bool) {
        let start = i + 1
        let plain = try skipString()
        return (UnsafeRawBufferPointer(rebasing: p[start..<(i - 1)]), plain)
    }

    /// Validates a canonical JSON string and moves past it; returns whether it is plain ASCII
    /// without escapes (so its raw bytes are its value). O(length).
    mutating func skipString() throws -> Bool {
        try expect(UInt8(ascii: "\""), "a string")
        guard let base = p.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw fail("unterminated string") }
        let n = p.count
        var j = i
        var simple = true
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while true {
            // SWAR: skip 8 bytes at a time while none is '"', '\\', a control character or
            // non-ASCII.
            while j + 8 <= n {
                let x = UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)
                let quote = x ^ (ones &* 0x22)
                let slash = x ^ (ones &* 0x5C)
                let special = (((x &- ones &* 0x20) & ~x) | ((quote &- ones) & ~quote) | ((slash &- ones) & ~slash)) & highs
                let stop = special | (x & highs)
                if stop != 0 {
                    // The lowest flagged byte is exact (borrows only flag bytes above it).
                    j += stop.trailingZeroBitCount >> 3
                    break
                }
                j += 8
            }
            guard j < n else { i = j; throw fail("unterminated string") }
            let b = base[j]
            if b == UInt8(ascii: "\"") { break }
            if b >= 0x20 && b < 0x80 && b != UInt8(ascii: "\\") {
                j += 1
                continue
            }
            i = j
            if b < 0x20 { throw fail("raw control character 0x\(String(b, radix: 16)) in string (must be escaped)") }
            simple = false
            if b == UInt8(ascii: "\\") {
                guard j + 1 < n else { throw fail("unterminated escape") }
                let e = base[j + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    guard j + 5 < n, base[j + 2] == UInt8(ascii: "0"), base[j + 3] == UInt8(ascii: "0"),
                          let hi = HexDigits.lowerValue(base[j + 4]), let lo = HexDigits.lowerValue(base[j + 5]) else {
                        throw fail("non-canonical \\u escape (only \\u00xx, lowercase, for control characters)")
                    }
                    let v = hi << 4 | lo
                    guard v < 0x20, ![0x08, 0x09, 0x0a, 0x0c, 0x0d].contains(v) else {
                        throw fail("non-canonical \\u escape for 0x\(String(v, radix: 16))")
                    }
                    j += 6
                default:
                    throw fail("invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
            } else {
                j += try utf8Sequence(at: j)
            }
        }
        i = j + 1
        return simple
    }

    /// Length of the valid UTF-8 sequence at `at` (shortest form, no surrogates, ≤ U+10FFFF).
    func utf8Sequence(at: Int) throws -> Int {
        let b0 = p[at]
        func cont(_ k: Int) -> UInt8? {
            guard at + k < p.count, p[at + k] & 0xC0 == 0x80 else { return nil }
            return p[at + k]
        }
        switch b0 {
        case 0xC2...0xDF:
            if cont(1) != nil { return 2 }
        case 0xE0...0xEF:
            if let b1 = cont(1), cont(2) != nil {
                if b0 == 0xE0 && b1 < 0xA0 { break }
                if b0 == 0xED && b1 >= 0xA0 { break }
                return 3
            }
        case 0xF0...0xF4:
            if let b1 = cont(1), cont(2) != nil, cont(3) != nil {
                if b0 == 0xF0 && b1 < 0x90 { break }
                if b0 == 0xF4 && b1 >= 0x90 { break }
                return 4
            }
        default: break
        }
        throw AuditError(.malformedEntry, "byte \(at): invalid UTF-8")
    }

    /// Reads a canonical integer within ±(2^53 − 1).
    mutating func integer() throws -> Int64 {
        let start = i
        var negative = false
        if i < p.count, p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < p.count, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") else { throw fail("expected an integer") }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < p.count, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") { throw fail("integer with leading zero") }
            if negative { i = start; throw fail("-0 is not canonical") }
            return 0
        }
        var v: Int64 = 0
        while i < p.count, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
            v = v * 10 + Int64(p[i] - UInt8(ascii: "0"))
            if v > Audit.Entry.maxSafeInteger { i = start; throw fail("integer outside ±(2^53 − 1)") }
            i += 1
        }
        if i < p.count, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            throw fail("only integers are allowed")
        }
        return negative ? -v : v
    }

    /// Reads the details object (keys strictly sorted, string or integer values), handing each
    /// member to the sink.
    mutating func detailsObject() throws {
        try expect(UInt8(ascii: "{"), "'{' starting details")
        if i < p.count, p[i] == UInt8(ascii: "}") {
            i += 1
            return
        }
        var previousRaw = UnsafeRawBufferPointer(start: nil, count: 0)
        var previousSimple = true
        var first = true
        while true {
            let keyStart = i
            let simple = try skipString()
            let raw = UnsafeRawBufferPointer(rebasing: p[(keyStart + 1)..<(i - 1)])
            if !first && !EntryFieldChecks.precedes(previousRaw, simple: previousSimple, raw, simple: simple) {
                let k = CanonicalString.value(raw, plain: simple), previous = CanonicalString.value(previousRaw, plain: previousSimple)
                i = keyStart
                throw fail("details keys not strictly sorted (\"\(k)\" after \"\(previous)\")")
            }
            first = false
            previousRaw = raw
            previousSimple = simple
            try expect(UInt8(ascii: ":"), "':' after details key")
            guard i < p.count else { throw fail("unexpected end in details") }
            if p[i] == UInt8(ascii: "\"") {
                let v = try string()
                sink.detail(key: raw, keyPlain: simple, string: v.raw, plain: v.plain)
            } else {
                sink.detail(key: raw, keyPlain: simple, integer: try integer())
            }
            guard i < p.count else { throw fail("unterminated details") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in details")
            return
        }
    }

    /// Whether the next bytes are `"YYYY-MM-DDTHH:MM:SS.mmmZ"` with fields in range.
    func timestampAhead() -> Bool {
        guard i + 26 <= p.count, p[i] == UInt8(ascii: "\""), p[i + 25] == UInt8(ascii: "\"") else { return false }
        return EntryFieldChecks.isTimestamp(p.baseAddress! + i + 1)
    }

    /// Validates the whole entry and sets `seq`, `prev`, `type` and `nodeRaw`, and hands the
    /// string fields and details to the sink.
    mutating func scan() throws {
        try fieldStart("{\"actor\":")
        let actor = try string()
        sink.string(.actor, raw: actor.raw, plain: actor.plain)
        try fieldStart(",\"details\":")
        try detailsObject()
        try fieldStart(",\"node\":")
        let node = try string()
        nodeRaw = node.raw
        sink.string(.node, raw: node.raw, plain: node.plain)
        try fieldStart(",\"prev\":")
        guard i + 66 <= p.count, p[i] == UInt8(ascii: "\""), p[i + 65] == UInt8(ascii: "\""),
              let prevBytes = HexDigits.decodeLower64(p.baseAddress! + i + 1) else {
            throw fail("prev must be 64 lowercase hex digits")
        }
        prev = Audit.Hash(storage: prevBytes)
        i += 66
        try fieldStart(",\"purpose\":")
        let purpose = try string()
        sink.string(.purpose, raw: purpose.raw, plain: purpose.plain)
        try fieldStart(",\"seq\":")
        let seq = try integer()
        guard seq >= 0 else { throw fail("seq must not be negative") }
        self.seq = UInt64(seq)
        try fieldStart(",\"study\":")
        let study = try string()
        sink.string(.study, raw: study.raw, plain: study.plain)
        if startsField(",\"subject\":") {
            i += 11
            let subjectStart = i
            let subject = try string()
            guard EntryFieldChecks.isPseudonym(subject.raw) else { i = subjectStart; throw fail("subject must be a pseudonym (32 lowercase hex digits)") }
            sink.string(.subject, raw: subject.raw, plain: true)
        }
        try fieldStart(",\"ts\":")
        guard timestampAhead() else { throw fail("ts must be YYYY-MM-DDTHH:MM:SS.mmmZ") }
        let ts = UnsafeRawBufferPointer(rebasing: p[(i + 1)..<(i + 25)])
        i += 26
        sink.string(.timestamp, raw: ts, plain: true)
        try fieldStart(",\"type\":")
        let typeStart = i
        let typeRaw = try string().raw
        guard let type = Audit.EventType.fromRaw(typeRaw) else {
            let name = String(decoding: typeRaw, as: UTF8.self)
            i = typeStart
            throw fail("unknown event type \"\(name)\"")
        }
        self.type = type
        try fieldStart(",\"v\":")
        let v = try integer()
        guard v == Audit.Entry.currentVersion else { throw fail("unsupported entry version \(v)") }
        try expect(UInt8(ascii: "}"), "'}' closing the entry")
        guard i == p.count else { throw fail("trailing bytes after the entry") }
    }

}

extension Audit.EventType {
    /// Raw values as bytes, in case order.
    static let rawTable: [(bytes: [UInt8], type: Audit.EventType)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The type whose raw value has exactly these bytes. O(number of types).
    static func fromRaw(_ raw: UnsafeRawBufferPointer) -> Audit.EventType? {
        guard let base = raw.baseAddress else { return nil }
        return rawTable.withUnsafeBufferPointer { table in
            for candidate in table where candidate.bytes.count == raw.count {
                if candidate.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, raw.count) }) == 0 {
                    return candidate.type
                }
            }
            return nil
        }
    }
}

extension Audit.Entry {
    /// Fast verification scan: validates the whole entry and returns `seq`, `prev`, and whether
    /// the raw `node` bytes equal `nodeJSON` (the node name as escaped in canonical JSON).
    static func scanForVerification(_ bytes: UnsafeRawBufferPointer, nodeJSON: UnsafeRawBufferPointer) throws -> (seq: UInt64, prev: Audit.Hash, nodeMatches: Bool, node: String) {
        var s = EntryScanner(p: bytes, sink: DiscardingFields())
        try s.scan()
        let matches = s.nodeRaw.count == nodeJSON.count
            && (nodeJSON.count == 0 || memcmp(s.nodeRaw.baseAddress!, nodeJSON.baseAddress!, nodeJSON.count) == 0)
        return (s.seq, s.prev, matches, matches ? "" : String(decoding: s.nodeRaw, as: UTF8.self))
    }
}
