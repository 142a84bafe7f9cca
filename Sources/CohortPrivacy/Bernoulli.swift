extension Privacy {
    /// Exact Bernoulli trials with success probability `exp(−γ)` for rational `γ ≥ 0`
    /// (Canonne, Kamath, Steinke 2020, Algorithm 1).
    ///
    /// For `γ ∈ [0,1]`: draw `A_k ~ Bernoulli(γ/k)` for `k = 1, 2, …` until the first failure at
    /// `K`; succeed iff `K` is odd. For `γ > 1`: succeed iff `⌊γ⌋` independent
    /// `Bernoulli(exp(−1))` trials and one `Bernoulli(exp(−(γ − ⌊γ⌋)))` all succeed — done by
    /// subtracting the denominator from the numerator while trials succeed, so there is no
    /// division and no limit on the size of `γ`. Expected bits: below 10 for every `γ`.
    public enum Bernoulli {
        /// `true` with probability exactly `exp(−num/den)` (`den > 0`).
        @inlinable @inline(__always)
        public static func expMinus<R>(_ num: UInt64, over den: UInt64, bits: inout RandomBits<R>) -> Bool {
            var n = num
            while n >= den {
                if !expMinusOne(bits: &bits) { return false }
                n -= den
            }
            return expMinusFraction(n, over: den, bits: &bits)
        }

        /// `true` with probability exactly `exp(−num/den)` for 128-bit operands.
        @inlinable @inline(__always)
        public static func expMinus<R>(_ num: UInt128, over den: UInt128, bits: inout RandomBits<R>) -> Bool {
            var n = num
            while n >= den {
                if !expMinusOne(bits: &bits) { return false }
                n -= den
            }
            if den <= UInt128(UInt64.max) {
                return expMinusFraction(UInt64(n), over: UInt64(den), bits: &bits)
            }
            return expMinusFraction128(n, over: den, bits: &bits)
        }

        /// `true` with probability exactly `exp(−N/den)` where `N = high·2¹²⁸ + low`.
        @inlinable @inline(__always)
        public static func expMinus<R>(high: UInt128, low: UInt128, over den: UInt128, bits: inout RandomBits<R>) -> Bool {
            var hi = high
            var lo = low
            while hi > 0 {
                // N ≥ 2¹²⁸ > den, so at least one whole exp(−1) factor remains.
                if !expMinusOne(bits: &bits) { return false }
                let (d, borrow) = lo.subtractingReportingOverflow(den)
                lo = d
                if borrow { hi -= 1 }
            }
            return expMinus(lo, over: den, bits: &bits)
        }

        /// `true` with probability exactly `e⁻¹`.
        @inlinable @inline(__always)
        public static func expMinusOne<R>(bits: inout RandomBits<R>) -> Bool {
            // Algorithm 1 with γ = 1: A_1 = 1 always; then A_k ~ Bernoulli(1/k).
            var k: UInt64 = 2
            while bits.bernoulli(1, over: k) { k += 1 }
            return k & 1 == 1
        }

        /// Algorithm 1 for `γ = num/den ∈ [0, 1]`.
        @inlinable @inline(__always)
        static func expMinusFraction<R>(_ num: UInt64, over den: UInt64, bits: inout RandomBits<R>) -> Bool {
            if num == 0 { return true }
            var k: UInt64 = 1
            while true {
                // A ~ Bernoulli(γ/k) = Bernoulli(num / (den·k)).
                let (dk, overflow) = den.multipliedReportingOverflow(by: k)
                let a = overflow
                    ? bits.bernoulli(UInt128(num), over: UInt128(den) * UInt128(k))
                    : bits.bernoulli(num, over: dk)
                if !a { break }
                k += 1
            }
            return k & 1 == 1
        }

        /// Algorithm 1 for `γ = num/den ∈ [0, 1]` with 128-bit operands.
        @inlinable @inline(__always)
        static func expMinusFraction128<R>(_ num: UInt128, over den: UInt128, bits: inout RandomBits<R>) -> Bool {
            if num == 0 { return true }
            var k: UInt64 = 1
            while true {
                let (dk, overflow) = den.multipliedReportingOverflow(by: UInt128(k))
                // Bernoulli(num/(den·k)) = Bernoulli(num/den) ∧ Bernoulli(1/k), independently.
                let a = overflow
                    ? (bits.bernoulli(num, over: den) && bits.bernoulli(1, over: k))
                    : bits.bernoulli(num, over: dk)
                if !a { break }
                k += 1
            }
            return k & 1 == 1
        }

        /// `true` with probability exactly `exp(−γ)` for an exact rational `γ` (one-off use).
        public static func expMinus(_ gamma: Rational, using rng: inout some RandomNumberGenerator) -> Bool {
            var bits = RandomBits(rng)
            defer { rng = bits.source }
            return expMinus(gamma.numerator, over: gamma.denominator, bits: &bits)
        }
    }
}
