extension Privacy {
    /// A bit reservoir over a random word source, so that exact samplers consume only the bits
    /// they need (a discrete Gaussian sample needs a few dozen bits, not a dozen 64-bit words).
    ///
    /// Bits are taken from the most significant end of each word, in order; the stream of
    /// decisions is therefore a pure function of the source's word stream (stable for seeded
    /// sources). Unused bits of the last word are discarded when the reservoir is dropped.
    public struct RandomBits<Source: RandomNumberGenerator> {
        /// The underlying word source.
        public var source: Source
        @usableFromInline var buffer: UInt64 = 0
        @usableFromInline var available: Int = 0

        /// Wraps `source`.
        @inlinable @inline(__always)
        public init(_ source: Source) {
            self.source = source
        }

        /// One uniform bit.
        @inlinable @inline(__always)
        public mutating func bit() -> Bool {
            if available == 0 {
                buffer = source.next()
                available = 64
            }
            let b = buffer >> 63
            buffer &<<= 1
            available -= 1
            return b != 0
        }

        /// `k` uniform bits (1 ≤ k ≤ 64) as the low bits of the result.
        @inlinable @inline(__always)
        public mutating func bits(_ k: Int) -> UInt64 {
            if k <= available {
                let r = buffer >> UInt64(64 - k)
                buffer = buffer << UInt64(k)
                available -= k
                return r
            }
            let haveCount = available
            let have = haveCount == 0 ? 0 : buffer >> UInt64(64 - haveCount)
            let need = k - haveCount
            buffer = source.next()
            let low = buffer >> UInt64(64 - need)
            buffer = buffer << UInt64(need)
            available = 64 - need
            return haveCount == 0 ? low : (have << UInt64(need)) | low
        }

        /// A uniform integer in `[0, n)` by rejection on `⌈log₂ n⌉` bits (no modulo bias);
        /// requires `n > 0`. Expected bits: < 2·⌈log₂ n⌉.
        @inlinable @inline(__always)
        public mutating func below(_ n: UInt64) -> UInt64 {
            precondition(n > 0, "RandomBits.below requires n > 0")
            if n == 1 { return 0 }
            let k = 64 - (n - 1).leadingZeroBitCount
            while true {
                let r = bits(k)
                if r < n { return r }
            }
        }

        /// `true` with probability exactly `num/den` (`den > 0`; `num ≥ den` always succeeds):
        /// compares a lazily drawn uniform real with the binary expansion of `num/den`
        /// (exact long division). Expected bits: 2.
        @inlinable @inline(__always)
        public mutating func bernoulli(_ num: UInt64, over den: UInt64) -> Bool {
            precondition(den > 0, "RandomBits.bernoulli requires den > 0")
            if num >= den { return true }
            if num == 0 { return false }
            var r = num
            while true {
                // Next binary digit of r/den: it is 1 iff 2r ≥ den.
                let gap = den - r
                let pBit: Bool
                if r >= gap {
                    r -= gap
                    pBit = true
                } else {
                    r &<<= 1
                    pBit = false
                }
                if bit() != pBit { return pBit }  // first differing digit decides U < p
                if r == 0 { return false }        // expansion ended: U ≥ p almost surely
            }
        }

        /// `true` with probability exactly `num/den` for 128-bit operands (`den > 0`).
        @inlinable @inline(__always)
        public mutating func bernoulli(_ num: UInt128, over den: UInt128) -> Bool {
            precondition(den > 0, "RandomBits.bernoulli requires den > 0")
            if num >= den { return true }
            if den <= UInt128(UInt64.max) { return bernoulli(UInt64(num), over: UInt64(den)) }
            if num == 0 { return false }
            var r = num
            while true {
                let gap = den - r
                let pBit: Bool
                if r >= gap {
                    r -= gap
                    pBit = true
                } else {
                    r &<<= 1
                    pBit = false
                }
                if bit() != pBit { return pBit }
                if r == 0 { return false }
            }
        }
    }

    /// Exact uniform integers and rational Bernoulli trials directly on a word source
    /// (one-off use; samplers use ``RandomBits`` to save bits).
    public enum Uniform {
        /// A uniform integer in `[0, n)` by Lemire's multiply-and-reject method (no modulo bias).
        /// Requires `n > 0`. Expected words: < 2.
        @inlinable @inline(__always)
        public static func below(_ n: UInt64, using rng: inout some RandomNumberGenerator) -> UInt64 {
            precondition(n > 0, "Uniform.below requires n > 0")
            var m = rng.next().multipliedFullWidth(by: n)
            if m.low < n {
                let threshold = (0 &- n) % n
                while m.low < threshold {
                    m = rng.next().multipliedFullWidth(by: n)
                }
            }
            return m.high
        }

        /// `true` with probability exactly `num/den` (`den > 0`).
        @inlinable @inline(__always)
        public static func bernoulli(_ num: UInt64, over den: UInt64, using rng: inout some RandomNumberGenerator) -> Bool {
            var bits = RandomBits(rng)
            defer { rng = bits.source }
            return bits.bernoulli(num, over: den)
        }
    }
}
