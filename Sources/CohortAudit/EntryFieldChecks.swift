#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Field checks of the entry scanner that need no scanner state: details key order, pseudonyms,
/// timestamps.
enum EntryFieldChecks {
    /// Whether raw key `a` sorts strictly before `b` in UTF-16 code unit order. Keys known to be
    /// plain ASCII (`simple`) compare bytewise; anything else is decoded first.
    static func precedes(_ a: UnsafeRawBufferPointer, simple aSimple: Bool, _ b: UnsafeRawBufferPointer, simple bSimple: Bool) -> Bool {
        if aSimple && bSimple {
            let c = memcmp(a.baseAddress!, b.baseAddress!, min(a.count, b.count))
            return c < 0 || (c == 0 && a.count < b.count)
        }
        return CanonicalString.value(a, plain: aSimple).utf16.lexicographicallyPrecedes(CanonicalString.value(b, plain: bSimple).utf16)
    }

    /// Whether raw string bytes are a pseudonym: exactly 32 lowercase hex digits.
    static func isPseudonym(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard raw.count == 32 else { return false }
        for word in 0..<4 where HexDigits.decodeLower8(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * word, as: UInt64.self))) == nil {
            return false
        }
        return true
    }

    /// Whether the 24 bytes at `t` are `YYYY-MM-DDTHH:MM:SS.mmmZ` with month 1–12, day 1–31,
    /// hour < 24, minute < 60, second < 60. Three 8-byte words: separators compared under a mask,
    /// every other byte checked to be a digit at once.
    @inline(__always)
    static func isTimestamp(_ t: UnsafeRawPointer) -> Bool {
        // Byte k of a word is bits 8k…8k+7 (little-endian load).
        let words = (
            UInt64(littleEndian: t.loadUnaligned(as: UInt64.self)),
            UInt64(littleEndian: t.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            UInt64(littleEndian: t.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        // "YYYY-MM-" "DDTHH:MM" ":SS.mmmZ": separator positions and their bytes.
        let separators: (UInt64, UInt64, UInt64) = (0xFF00_00FF_0000_0000, 0x0000_FF00_00FF_0000, 0xFF00_0000_FF00_00FF)
        let expected: (UInt64, UInt64, UInt64) = (0x2D00_002D_0000_0000, 0x0000_3A00_0054_0000, 0x5A00_0000_2E00_003A)
        guard words.0 & separators.0 == expected.0, words.1 & separators.1 == expected.1,
              words.2 & separators.2 == expected.2,
              allDigits(words.0, except: separators.0), allDigits(words.1, except: separators.1),
              allDigits(words.2, except: separators.2) else { return false }
        @inline(__always)
        func two(_ word: UInt64, _ k: Int) -> UInt64 {
            ((word >> UInt64(8 * k)) & 0x0F) * 10 + ((word >> UInt64(8 * k + 8)) & 0x0F)
        }
        let month = two(words.0, 5), day = two(words.1, 0), hour = two(words.1, 3)
        let minute = two(words.1, 6), second = two(words.2, 1)
        return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60
    }

    /// Whether every byte of `word` outside the `except` mask is an ASCII digit.
    @inline(__always)
    static func allDigits(_ word: UInt64, except: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // d = byte XOR '0' maps '0'…'9' onto 0…9 and every other byte elsewhere, so a byte is a
        // digit iff d ≤ 9. (d & 0x7F) + 0x76 cannot carry out of its byte and has its top bit set
        // iff (d & 0x7F) ≥ 10; d's own top bit catches d ≥ 0x80.
        let d = word ^ (ones &* 0x30)
        let bad = (((d & ~highs) &+ ones &* 0x76) | d) & highs
        return bad & ~except == 0
    }
}
