/// Canonical JSON string values.
enum CanonicalString {
    /// The value of a string from its raw (escaped) bytes; `plain` when they contain no escapes.
    static func value(_ raw: UnsafeRawBufferPointer, plain: Bool) -> String {
        plain ? String(decoding: raw, as: UTF8.self) : unescape(raw)
    }

    /// Decodes the escapes in string bytes the scanner has already validated as canonical.
    /// O(length).
    static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
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
}
