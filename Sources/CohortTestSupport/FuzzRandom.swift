/// The seeded random source of the fuzz harness (SplitMix64): the same seed gives the same
/// inputs on every machine, so a failing case is reproduced from its seed alone.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates the generator for `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits. O(1).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`. O(1).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// True with probability `1 / n` (`n` ≥ 1). O(1).
    public mutating func oneIn(_ n: Int) -> Bool {
        int(in: 1...max(1, n)) == 1
    }

    /// A uniformly chosen element of a non-empty collection. O(1) for random-access collections.
    public mutating func element<C: Collection>(of values: C) -> C.Element {
        values[values.index(values.startIndex, offsetBy: int(in: 0...(values.count - 1)))]
    }

    /// `count` random bytes. O(count).
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            var word = next()
            for _ in 0..<min(8, count - out.count) {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return out
    }

    /// Unsigned 64-bit values at the edges where conversions trap or wrap: 0, 1, 2^7, 2^31 ± 1,
    /// 2^32 ± 1, 2^53 ± 1, 2^63 ± 1, 2^64 − 1, and now and then a random value. O(1).
    public mutating func edgeUInt64() -> UInt64 {
        if oneIn(4) { return next() }
        return element(of: Self.edgeUnsigned)
    }

    /// Signed 64-bit values at the edges (the bit patterns of ``edgeUInt64()`` and their
    /// negations, Int64.min and Int64.max among them). O(1).
    public mutating func edgeInt64() -> Int64 {
        let raw = Int64(bitPattern: edgeUInt64())
        return oneIn(2) ? raw : (raw == .min ? .min : -raw)
    }

    /// Doubles that break naive conversions: NaN, ±∞, ±0, subnormals, ±2^63, ±Double.max. O(1).
    public mutating func edgeDouble() -> Double {
        if oneIn(4) { return Double(bitPattern: next()) }
        return element(of: Self.edgeDoubles)
    }

    /// Number texts at the edges of Int32, Int64, UInt64 and Double, including the YAML and
    /// JSON spellings of special values. O(1).
    public mutating func edgeNumberText() -> String {
        if oneIn(5) { return String(edgeInt64()) }
        return element(of: Self.edgeNumberTexts)
    }

    static let edgeUnsigned: [UInt64] = [
        0, 1, 2, 127, 128, 255, 256, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFF, 0x1_0000_0000,
        (1 << 53) - 1, 1 << 53, (1 << 53) + 1, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
        0x8000_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    static let edgeDoubles: [Double] = [
        .nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
        .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9.223372036854775807e18,
        -9.223372036854775808e18, 1.8446744073709552e19, 2_147_483_648, 1e-300, 1e300, 0.5, -1, 1,
    ]

    static let edgeNumberTexts: [String] = [
        "0", "-0", "1", "-1", "0.5", "1.5", "1e-6", "2147483647", "2147483648", "-2147483649", "4294967296",
        "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999999999",
        "1e308", "1e309", "-1e309", "1.7976931348623157e308", "4.9e-324", "1e-400", ".inf", "-.inf", ".nan",
        "NaN", "Infinity", "-Infinity", "0x7fffffffffffffff", "0o777", "1_000", "+1", "1.0e+19", "-1.0e+19",
        "00", "01", "1.", ".1", "1e", "--1", "",
    ]
}
