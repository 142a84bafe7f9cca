import Crypto

extension Audit {
    /// A SHA-256 value (32 bytes) stored inline, without heap allocation.
    public struct Hash: Sendable, Hashable {
        /// The 32 bytes, in memory order.
        var storage: SIMD4<UInt64>

        /// The all-zero hash (the `prev` of the first entry).
        public static let zero = Hash(storage: SIMD4<UInt64>(repeating: 0))

        init(storage: SIMD4<UInt64>) { self.storage = storage }

        /// Creates a hash from exactly 32 bytes; `nil` for any other length.
        public init?(bytes: some Collection<UInt8>) {
            guard bytes.count == 32 else { return nil }
            var s = SIMD4<UInt64>(repeating: 0)
            withUnsafeMutableBytes(of: &s) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
            storage = s
        }

        /// Creates a hash from a raw buffer of exactly 32 bytes; `nil` otherwise.
        public init?(raw: UnsafeRawBufferPointer) {
            guard raw.count == 32 else { return nil }
            var s = SIMD4<UInt64>(repeating: 0)
            withUnsafeMutableBytes(of: &s) { $0.copyMemory(from: raw) }
            storage = s
        }

        /// Parses 64 hex digits (either case); `nil` if malformed.
        public init?(hex: some StringProtocol) {
            let utf8 = Array(hex.utf8)
            guard utf8.count == 64 else { return nil }
            var out = [UInt8](repeating: 0, count: 32)
            for i in 0..<32 {
                guard let hi = HexDigits.value(utf8[2 * i]), let lo = HexDigits.value(utf8[2 * i + 1]) else { return nil }
                out[i] = hi << 4 | lo
            }
            self.init(bytes: out)
        }

        /// Parses standard base64 of exactly 32 bytes; `nil` if malformed.
        public init?(base64: String) {
            guard let bytes = Base64.decode(base64), bytes.count == 32 else { return nil }
            self.init(bytes: bytes)
        }

        /// The 32 bytes as an array.
        public var bytes: [UInt8] {
            Swift.withUnsafeBytes(of: storage) { Array($0) }
        }

        /// Calls `body` with the 32 bytes.
        
        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try Swift.withUnsafeBytes(of: storage, body)
        }

        /// Lowercase hex (64 characters).
        public var hex: String { HexDigits.encode(bytes) }

        /// Standard base64 (44 characters).
        public var base64: String { Base64.encode(bytes) }

        /// Converts a SHA-256 digest.
        
        init(_ digest: SHA256Digest) {
            var s = SIMD4<UInt64>(repeating: 0)
            digest.withUnsafeBytes { src in
                Swift.withUnsafeMutableBytes(of: &s) { $0.copyMemory(from: src) }
            }
            storage = s
        }
    }
}

extension Audit.Hash: CustomStringConvertible {
    /// Lowercase hex.
    public var description: String { hex }
}

/// Lowercase hexadecimal encoding and decoding.
enum HexDigits {
    static let table: [UInt8] = Array("0123456789abcdef".utf8)

    /// Value of one hex digit (either case).
    @inline(__always)
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Value of one lowercase hex digit.
    @inline(__always)
    static func lowerValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Decodes exactly 64 lowercase hex digits at `digits` into 32 bytes; `nil` if any is not
    /// `0-9a-f`. Eight digits at a time in one 64-bit word (SWAR).
    @inline(__always)
    static func decodeLower64(_ digits: UnsafeRawPointer) -> SIMD4<UInt64>? {
        // Each 64-bit lane (memory order, little-endian) is built in a register from two words.
        @inline(__always)
        func lane(_ k: Int) -> UInt64? {
            guard let low = decodeLower8(UInt64(littleEndian: digits.loadUnaligned(fromByteOffset: 16 * k, as: UInt64.self))),
                  let high = decodeLower8(UInt64(littleEndian: digits.loadUnaligned(fromByteOffset: 16 * k + 8, as: UInt64.self))) else {
                return nil
            }
            return UInt64(littleEndian: UInt64(low) | UInt64(high) << 32)
        }
        guard let a = lane(0), let b = lane(1), let c = lane(2), let d = lane(3) else { return nil }
        return SIMD4(a, b, c, d)
    }

    /// Eight ASCII hex digits (first digit in the lowest byte) to four bytes (first byte in the
    /// lowest bits); `nil` unless every byte is `0-9` or `a-f`.
    @inline(__always)
    static func decodeLower8(_ x: UInt64) -> UInt32? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        guard x & highs == 0 else { return nil }
        // For a byte b < 0x80, (b + 0x80 − k) has its top bit set iff b ≥ k; no carries between bytes.
        let atLeast0 = (x &+ ones &* (0x80 - 0x30)) & highs
        let above9 = (x &+ ones &* (0x80 - 0x3A)) & highs
        let atLeastA = (x &+ ones &* (0x80 - 0x61)) & highs
        let aboveF = (x &+ ones &* (0x80 - 0x67)) & highs
        let isLetter = atLeastA & ~aboveF
        guard (atLeast0 & ~above9) | isLetter == highs else { return nil }
        let nibbles = (x & (ones &* 0x0F)) &+ (isLetter >> 7) &* 9
        var packed = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF
        packed = (packed | (packed >> 8)) & 0x0000_FFFF_0000_FFFF
        packed = (packed | (packed >> 16)) & 0xFFFF_FFFF
        return UInt32(truncatingIfNeeded: packed)
    }

    /// Appends lowercase hex of `bytes` to `out`.
    static func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for b in bytes {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0x0f)])
        }
    }

    /// Lowercase hex of `bytes`.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case, even length); `nil` if malformed.
    static func decode(_ s: some StringProtocol) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = value(u[i]), let lo = value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// Standard base64 (RFC 4648 §4, with padding), strict decoding.
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes with padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func sextet(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// Strict decode: length a multiple of 4, canonical padding and zero trailing bits.
    static func decode(_ s: some StringProtocol) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 4 * 3)
        var i = 0
        while i < u.count {
            let last = i + 4 == u.count
            let c2 = u[i + 2], c3 = u[i + 3]
            guard let a = sextet(u[i]), let b = sextet(u[i + 1]) else { return nil }
            if last && c2 == UInt8(ascii: "=") {
                guard c3 == UInt8(ascii: "="), b & 0x0f == 0 else { return nil }
                out.append(UInt8(a << 2 | b >> 4))
            } else if last && c3 == UInt8(ascii: "=") {
                guard let c = sextet(c2), c & 0x03 == 0 else { return nil }
                out.append(UInt8(a << 2 | b >> 4)); out.append(UInt8((b & 0x0f) << 4 | c >> 2))
            } else {
                guard let c = sextet(c2), let d = sextet(c3) else { return nil }
                let n = a << 18 | b << 12 | c << 6 | d
                out.append(UInt8(n >> 16 & 0xff)); out.append(UInt8(n >> 8 & 0xff)); out.append(UInt8(n & 0xff))
            }
            i += 4
        }
        return out
    }
}
