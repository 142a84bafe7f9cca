/// Namespace for Cohort's differential-privacy core: exact samplers, codecs, accountants, ledger.
public enum Privacy {}

extension Privacy {
    /// A reproducible pseudo-random generator (xoshiro256** seeded through SplitMix64).
    ///
    /// **For tests and simulations only.** Its output is a pure function of the seed, so it is
    /// not a source of privacy: anything noised with it must be marked as simulated, and a node
    /// configured for production refuses it. The byte stream is stable across platforms and
    /// releases, so synthetic data generated from a seed is the same everywhere.
    public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
        private var s0: UInt64
        private var s1: UInt64
        private var s2: UInt64
        private var s3: UInt64

        /// Creates a generator whose whole output is determined by `seed`.
        public init(seed: UInt64) {
            var sm = seed
            func splitMix(_ x: inout UInt64) -> UInt64 {
                x &+= 0x9E37_79B9_7F4A_7C15
                var z = x
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            s0 = splitMix(&sm)
            s1 = splitMix(&sm)
            s2 = splitMix(&sm)
            s3 = splitMix(&sm)
        }

        /// Derives an independent stream for a labelled sub-task (e.g. one party of a scenario).
        public func derived(_ label: UInt64) -> SeededGenerator {
            SeededGenerator(seed: s0 ^ (label &* 0x9E37_79B9_7F4A_7C15) ^ s3.rotated(17))
        }

        /// Returns the next 64 random bits.
        public mutating func next() -> UInt64 {
            let result = (s1 &* 5).rotated(7) &* 9
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = s3.rotated(45)
            return result
        }
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotated(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 &- k)) }
}
