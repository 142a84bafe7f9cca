/// Allocation-free checks and conversions of CSV field bytes (import hot path).
enum ByteFields {
    /// Parses an optionally negative decimal integer without sign `+`, spaces or separators.
    /// Returns nil on any other text or on overflow.
    @inline(__always)
    static func int64(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = p.count
        guard n > 0 else { return nil }
        var negative = false
        if p[0] == 0x2D {
            negative = true
            i = 1
            guard n > 1 else { return nil }
        }
        guard n - i <= 19 else { return nil }
        var value: Int64 = 0
        while i < n {
            let d = Int64(p[i]) &- 0x30
            if d < 0 || d > 9 { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        return negative ? -value : value
    }

    /// Whether all bytes are ASCII.
    @inline(__always)
    static func isASCII(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var acc: UInt8 = 0
        for b in p { acc |= b }
        return acc & 0x80 == 0
    }

    /// Whether the bytes are valid UTF-8 (ASCII fast path).
    @inline(__always)
    static func isValidUTF8(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if isASCII(p) { return true }
        var iterator = p.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// The bytes as a String (callers validate UTF-8 first).
    @inline(__always)
    static func string(_ p: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: p, as: UTF8.self)
    }

    /// Whether the field is three uppercase ASCII letters (ISO 4217 currency code shape).
    @inline(__always)
    static func isCurrencyCode(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        p.count == 3 && p[0] >= 0x41 && p[0] <= 0x5A && p[1] >= 0x41 && p[1] <= 0x5A && p[2] >= 0x41 && p[2] <= 0x5A
    }

    /// Whether the field contains an ASCII control character (other than none allowed).
    @inline(__always)
    static func hasControlCharacter(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in p where b < 0x20 || b == 0x7F { return true }
        return false
    }
}
