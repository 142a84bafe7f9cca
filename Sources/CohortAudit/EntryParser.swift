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
        var s = EntryScanner(p: bytes, materialize: materialize)
        return try s.entry()
    }
}

/// Single-pass validating scanner for canonical entry JSON.
struct EntryScanner {
    let p: UnsafeRawBufferPointer
    let materialize: Bool
    var i = 0
    /// The raw (still escaped) bytes of the `node` string, set by `entry()`.
    var nodeRaw = UnsafeRawBufferPointer(start: nil, count: 0)

    init(p: UnsafeRawBufferPointer, materialize: Bool) {
        self.p = p
        self.materialize = materialize
    }

    func fail(_ what: String) -> AuditError {
        AuditError(.malformedEntry, "byte \(i): \(what)")
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: @autoclosure () -> String) throws {
        guard i < p.count, p[i] == c else { throw fail("expected \(what())") }
        i += 1
    }

    /// Reads `"key":` and checks it equals `key`.
    mutating func key(_ key: StaticString) throws {
        let start = i
        try expect(UInt8(ascii: "\""), "'\"' starting key \"\(key)\"")
        let ok = key.withUTF8Buffer { k -> Bool in
            guard i + k.count + 2 <= p.count else { return false }
            for j in 0..<k.count where p[i + j] != k[j] { return false }
            return p[i + k.count] == UInt8(ascii: "\"") && p[i + k.count + 1] == UInt8(ascii: ":")
        }
        guard ok else {
            i = start
            throw fail("expected key \"\(key)\" (keys must be exactly the entry fields, sorted)")
        }
        i += key.utf8CodeUnitCount + 2
    }

    /// Whether the next key is `key` (without consuming).
    func peekKey(_ key: StaticString) -> Bool {
        key.withUTF8Buffer { k -> Bool in
            guard i + k.count + 2 <= p.count, p[i] == UInt8(ascii: "\"") else { return false }
            for j in 0..<k.count where p[i + 1 + j] != k[j] { return false }
            return p[i + 1 + k.count] == UInt8(ascii: "\"")
        }
    }

    /// Reads a canonical JSON string; returns its value when `keep` (else `""`).
    mutating func string(keep: Bool) throws -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = i
        var simple = true
        // SWAR fast path: skip 8 bytes at a time while none is '"', '\\', a control character or
        // non-ASCII.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= p.count {
            let x = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = x ^ (ones &* 0x22)
            let slash = x ^ (ones &* 0x5C)
            let special = (((x &- ones &* 0x20) & ~x) | ((quote &- ones) & ~quote) | ((slash &- ones) & ~slash)) & highs
            if special | (x & highs) != 0 { break }
            i += 8
        }
        while true {
            guard i < p.count else { throw fail("unterminated string") }
            let b = p[i]
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw fail("raw control character 0x\(String(b, radix: 16)) in string (must be escaped)") }
            if b == UInt8(ascii: "\\") {
                simple = false
                guard i + 1 < p.count else { throw fail("unterminated escape") }
                let e = p[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < p.count, p[i + 2] == UInt8(ascii: "0"), p[i + 3] == UInt8(ascii: "0"),
                          let hi = HexDigits.lowerValue(p[i + 4]), let lo = HexDigits.lowerValue(p[i + 5]) else {
                        throw fail("non-canonical \\u escape (only \\u00xx, lowercase, for control characters)")
                    }
                    let v = hi << 4 | lo
                    guard v < 0x20, ![0x08, 0x09, 0x0a, 0x0c, 0x0d].contains(v) else {
                        throw fail("non-canonical \\u escape for 0x\(String(v, radix: 16))")
                    }
                    i += 6
                default:
                    throw fail("invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
                continue
            }
            if b >= 0x80 {
                simple = false
                i += try utf8Sequence(at: i)
                continue
            }
            i += 1
        }
        let end = i
        i += 1
        guard keep else { return "" }
        let raw = UnsafeRawBufferPointer(rebasing: p[start..<end])
        if simple { return String(decoding: raw, as: UTF8.self) }
        return unescape(raw)
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

    func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var j = 0
        while j < raw.count {
            let b = raw[j]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                j += 1
                continue
            }
            switch raw[j + 1] {
            case UInt8(ascii: "b"): out.append(0x08); j += 2
            case UInt8(ascii: "f"): out.append(0x0c); j += 2
            case UInt8(ascii: "n"): out.append(0x0a); j += 2
            case UInt8(ascii: "r"): out.append(0x0d); j += 2
            case UInt8(ascii: "t"): out.append(0x09); j += 2
            case UInt8(ascii: "u"):
                out.append((HexDigits.lowerValue(raw[j + 4]) ?? 0) << 4 | (HexDigits.lowerValue(raw[j + 5]) ?? 0))
                j += 6
            default: out.append(raw[j + 1]); j += 2
            }
        }
        return String(decoding: out, as: UTF8.self)
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

    /// Whether raw key `a` sorts strictly before `b` in UTF-16 code unit order. Plain ASCII keys
    /// compare bytewise; anything else is decoded first.
    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        if !a.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "\\") }) && !b.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "\\") }) {
            return a.lexicographicallyPrecedes(b)
        }
        let s = EntryScanner(p: a, materialize: true)
        return s.unescape(a).utf16.lexicographicallyPrecedes(s.unescape(b).utf16)
    }

    mutating func details() throws -> [String: Audit.Value] {
        try expect(UInt8(ascii: "{"), "'{' starting details")
        var out: [String: Audit.Value] = [:]
        if i < p.count, p[i] == UInt8(ascii: "}") {
            i += 1
            return out
        }
        var previousRaw = UnsafeRawBufferPointer(start: nil, count: 0)
        var first = true
        while true {
            let keyStart = i
            _ = try string(keep: false)
            let raw = UnsafeRawBufferPointer(rebasing: p[(keyStart + 1)..<(i - 1)])
            if !first && !EntryScanner.precedes(previousRaw, raw) {
                let k = unescape(raw), previous = unescape(previousRaw)
                i = keyStart
                throw fail("details keys not strictly sorted (\"\(k)\" after \"\(previous)\")")
            }
            first = false
            previousRaw = raw
            let k = materialize ? unescape(raw) : ""
            try expect(UInt8(ascii: ":"), "':' after details key")
            guard i < p.count else { throw fail("unexpected end in details") }
            if p[i] == UInt8(ascii: "\"") {
                let v = try string(keep: materialize)
                if materialize { out[k] = .string(v) }
            } else {
                let v = try integer()
                if materialize { out[k] = .integer(v) }
            }
            guard i < p.count else { throw fail("unterminated details") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in details")
            return out
        }
    }

    /// Whether the next bytes are `"YYYY-MM-DDTHH:MM:SS.mmmZ"` with fields in range.
    func timestampAhead() -> Bool {
        guard i + 26 <= p.count, p[i] == UInt8(ascii: "\""), p[i + 25] == UInt8(ascii: "\"") else { return false }
        let base = i + 1
        func d(_ k: Int) -> Int? {
            let c = p[base + k]
            return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? Int(c - UInt8(ascii: "0")) : nil
        }
        func two(_ k: Int) -> Int? {
            guard let a = d(k), let b = d(k + 1) else { return nil }
            return a * 10 + b
        }
        guard p[base + 4] == UInt8(ascii: "-"), p[base + 7] == UInt8(ascii: "-"), p[base + 10] == UInt8(ascii: "T"),
              p[base + 13] == UInt8(ascii: ":"), p[base + 16] == UInt8(ascii: ":"), p[base + 19] == UInt8(ascii: "."),
              p[base + 23] == UInt8(ascii: "Z") else { return false }
        guard d(0) != nil, d(1) != nil, d(2) != nil, d(3) != nil, d(20) != nil, d(21) != nil, d(22) != nil,
              let mo = two(5), (1...12).contains(mo), let dd = two(8), (1...31).contains(dd),
              let h = two(11), h < 24, let mi = two(14), mi < 60, let se = two(17), se < 60 else { return false }
        return true
    }

    mutating func entry() throws -> Audit.Entry {
        try expect(UInt8(ascii: "{"), "'{'")
        try key("actor")
        let actor = try string(keep: materialize)
        try expect(UInt8(ascii: ","), "','")
        try key("details")
        let details = try details()
        try expect(UInt8(ascii: ","), "','")
        try key("node")
        let nodeStart = i
        let node = try string(keep: materialize)
        nodeRaw = UnsafeRawBufferPointer(rebasing: p[(nodeStart + 1)..<(i - 1)])
        try expect(UInt8(ascii: ","), "','")
        try key("prev")
        let prevStart = i
        try expect(UInt8(ascii: "\""), "a string for prev")
        guard i + 65 <= p.count, p[i + 64] == UInt8(ascii: "\"") else { i = prevStart; throw fail("prev must be 64 lowercase hex digits") }
        var prevBytes = SIMD4<UInt64>(repeating: 0)
        let hexOK = withUnsafeMutableBytes(of: &prevBytes) { out -> Bool in
            HexDigits.lowerTable.withUnsafeBufferPointer { table in
                var bad: UInt8 = 0
                var k = i
                for j in 0..<32 {
                    let hi = table[Int(p[k])], lo = table[Int(p[k + 1])]
                    bad |= (hi | lo) & 0xF0
                    out[j] = hi << 4 | (lo & 0x0F)
                    k += 2
                }
                return bad == 0
            }
        }
        guard hexOK else { throw fail("prev must be 64 lowercase hex digits") }
        i += 65
        try expect(UInt8(ascii: ","), "','")
        try key("purpose")
        let purpose = try string(keep: materialize)
        try expect(UInt8(ascii: ","), "','")
        try key("seq")
        let seq = try integer()
        guard seq >= 0 else { throw fail("seq must not be negative") }
        try expect(UInt8(ascii: ","), "','")
        try key("study")
        let study = try string(keep: materialize)
        try expect(UInt8(ascii: ","), "','")
        var subject: String?
        if peekKey("subject") {
            try key("subject")
            let subjectStart = i
            let s = try string(keep: true)
            guard Audit.Event.isPseudonym(s) else { i = subjectStart; throw fail("subject must be a pseudonym (32 lowercase hex digits)") }
            subject = s
            try expect(UInt8(ascii: ","), "','")
        }
        try key("ts")
        guard timestampAhead() else { throw fail("ts must be YYYY-MM-DDTHH:MM:SS.mmmZ") }
        let ts = try string(keep: materialize)
        try expect(UInt8(ascii: ","), "','")
        try key("type")
        let typeStart = i
        _ = try string(keep: false)
        let typeRaw = UnsafeRawBufferPointer(rebasing: p[(typeStart + 1)..<(i - 1)])
        guard let type = Audit.EventType.fromRaw(typeRaw) else {
            let name = String(decoding: typeRaw, as: UTF8.self)
            i = typeStart
            throw fail("unknown event type \"\(name)\"")
        }
        try expect(UInt8(ascii: ","), "','")
        try key("v")
        let v = try integer()
        guard v == Audit.Entry.currentVersion else { throw fail("unsupported entry version \(v)") }
        try expect(UInt8(ascii: "}"), "'}' closing the entry")
        guard i == p.count else { throw fail("trailing bytes after the entry") }
        return Audit.Entry(
            version: v, seq: UInt64(seq), timestamp: materialize ? ts : "", node: node, type: type,
            prev: Audit.Hash(storage: prevBytes), actor: actor, subject: materialize ? subject : nil,
            purpose: purpose, study: study, details: details)
    }
}

extension Audit.EventType {
    static let rawTable: [([UInt8], Audit.EventType)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The type whose raw value has exactly these bytes.
    static func fromRaw(_ raw: UnsafeRawBufferPointer) -> Audit.EventType? {
        for (bytes, type) in rawTable where bytes.count == raw.count && bytes.elementsEqual(raw) { return type }
        return nil
    }
}

extension Audit.Entry {
    /// Fast verification scan: validates the whole entry and returns `seq`, `prev`, and whether
    /// the raw `node` bytes equal `nodeJSON` (the node name as escaped in canonical JSON).
    static func scanForVerification(_ bytes: UnsafeRawBufferPointer, nodeJSON: [UInt8]) throws -> (seq: UInt64, prev: Audit.Hash, nodeMatches: Bool, node: String) {
        var s = EntryScanner(p: bytes, materialize: false)
        let e = try s.entry()
        let matches = s.nodeRaw.elementsEqual(nodeJSON)
        return (e.seq, e.prev, matches, matches ? "" : String(decoding: s.nodeRaw, as: UTF8.self))
    }
}
