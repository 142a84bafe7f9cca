extension Audit {
    /// Canonical JSON writer for the entry subset of JSON: objects, strings and integers only,
    /// keys sorted by UTF-16 code units, no whitespace, strings escaped per RFC 8785 §3.2.2.2.
    public struct CanonicalJSONWriter: Sendable {
        /// The bytes written so far.
        public private(set) var bytes: [UInt8] = []

        /// Creates an empty writer with room for `capacity` bytes.
        public init(capacity: Int = 320) { bytes.reserveCapacity(capacity) }

        /// Appends a raw ASCII byte.
        @inline(__always) mutating func raw(_ b: UInt8) { bytes.append(b) }

        /// Appends a static ASCII fragment such as `,"key":`.
        @inline(__always) mutating func raw(_ s: StaticString) {
            s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        /// Appends the 64 lowercase hex digits of a hash (no quotes).
        mutating func hex(_ h: Audit.Hash) {
            h.withUnsafeBytes { HexDigits.append($0, to: &bytes) }
        }

        /// Appends a JSON string with RFC 8785 escaping: `"` and `\` escaped, the control characters
        /// U+0008, U+0009, U+000A, U+000C, U+000D as `\b \t \n \f \r`, other controls below U+0020 as
        /// `\u00xx` (lowercase hex), everything else as raw UTF-8.
        public mutating func string(_ s: String) {
            bytes.append(UInt8(ascii: "\""))
            var copy = s
            copy.withUTF8 { utf8 in
                for b in utf8 {
                    if b >= 0x20 && b != 0x22 && b != 0x5c {
                        bytes.append(b)
                        continue
                    }
                    bytes.append(UInt8(ascii: "\\"))
                    switch b {
                    case 0x22: bytes.append(0x22)
                    case 0x5c: bytes.append(0x5c)
                    case 0x08: bytes.append(UInt8(ascii: "b"))
                    case 0x09: bytes.append(UInt8(ascii: "t"))
                    case 0x0a: bytes.append(UInt8(ascii: "n"))
                    case 0x0c: bytes.append(UInt8(ascii: "f"))
                    case 0x0d: bytes.append(UInt8(ascii: "r"))
                    default:
                        bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                        bytes.append(HexDigits.table[Int(b >> 4)])
                        bytes.append(HexDigits.table[Int(b & 0x0f)])
                    }
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        /// Appends a decimal integer (no leading zeros, `-` for negatives).
        public mutating func integer(_ v: Int64) {
            if v == 0 {
                bytes.append(UInt8(ascii: "0"))
                return
            }
            var m = v.magnitude
            if v < 0 { bytes.append(UInt8(ascii: "-")) }
            var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = 0
            withUnsafeMutableBytes(of: &tmp) { buf in
                while m > 0 {
                    buf[n] = UInt8(ascii: "0") + UInt8(m % 10)
                    m /= 10
                    n += 1
                }
                while n > 0 {
                    n -= 1
                    bytes.append(buf[n])
                }
            }
        }

        /// Appends an unsigned decimal integer.
        public mutating func integer(_ v: UInt64) {
            if v <= UInt64(Int64.max) {
                integer(Int64(v))
            } else {
                bytes.append(contentsOf: Array(String(v).utf8))
            }
        }

        /// Appends an object of detail values with keys sorted by UTF-16 code units.
        public mutating func details(_ d: [String: Audit.Value]) {
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for key in Audit.CanonicalJSONWriter.sortedKeys(d.keys) {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                string(key)
                bytes.append(UInt8(ascii: ":"))
                switch d[key] {
                case .string(let s)?: string(s)
                case .integer(let i)?: integer(i)
                case nil: break
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }

        /// Keys in RFC 8785 order (UTF-16 code unit order).
        public static func sortedKeys(_ keys: some Sequence<String>) -> [String] {
            keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        }
    }
}
