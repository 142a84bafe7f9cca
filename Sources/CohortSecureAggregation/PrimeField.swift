extension SecureAggregation {
    /// Arithmetic in GF(p) for the Mersenne prime p = 2⁶¹ − 1, on `UInt64` values in `0 ..< p`.
    ///
    /// Products are formed in 128 bits and reduced with the Mersenne identity 2⁶¹ ≡ 1 (mod p):
    /// every operation is O(1) and branch-light; inversion is Fermat's `a^(p−2)` (≈ 120 multiplications).
    public enum PrimeField {
        /// The modulus p = 2⁶¹ − 1 = 2 305 843 009 213 693 951.
        public static let modulus: UInt64 = (1 << 61) - 1

        /// `x mod p` for `x < 2¹²²` (any product of two reduced values).
        @inlinable @inline(__always)
        static func reduce(_ x: UInt128) -> UInt64 {
            let p = UInt128(modulus)
            var r = (x & p) + (x >> 61)
            r = (r & p) + (r >> 61)
            var v = UInt64(truncatingIfNeeded: r)
            if v >= modulus { v -= modulus }
            return v
        }

        /// `(a + b) mod p` for reduced `a`, `b`.
        @inlinable @inline(__always)
        public static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let s = a + b
            return s >= modulus ? s - modulus : s
        }

        /// `(a − b) mod p` for reduced `a`, `b`.
        @inlinable @inline(__always)
        public static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
            a >= b ? a - b : a + modulus - b
        }

        /// `(a · b) mod p` for reduced `a`, `b`.
        @inlinable @inline(__always)
        public static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
            reduce(UInt128(a) * UInt128(b))
        }

        /// `a⁻¹ mod p` for reduced `a ≠ 0` (Fermat), or `nil` for `a = 0`.
        public static func inverse(_ a: UInt64) -> UInt64? {
            guard a != 0 else { return nil }
            var result: UInt64 = 1
            var base = a
            var exponent = modulus - 2
            while exponent > 0 {
                if exponent & 1 == 1 { result = multiply(result, base) }
                base = multiply(base, base)
                exponent >>= 1
            }
            return result
        }

        /// A uniform element of GF(p) from `rng` (rejection sampling on 61-bit words; expected
        /// draws 1 + 2⁻⁶¹).
        public static func random(using rng: inout some RandomNumberGenerator) -> UInt64 {
            while true {
                let candidate = rng.next() & modulus
                if candidate < modulus { return candidate }
            }
        }
    }
}
