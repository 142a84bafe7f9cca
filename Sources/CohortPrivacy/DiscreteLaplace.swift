extension Privacy {
    /// The discrete Laplace distribution on ℤ: `P[X = x] ∝ exp(−|x|/t)` with rational scale `t`.
    ///
    /// Sampled exactly by Canonne, Kamath, Steinke (2020), Algorithm 2. Adding it to an integer
    /// query with L1 sensitivity Δ₁ gives pure `ε = Δ₁/t`-DP.
    public enum DiscreteLaplace {
        /// Largest magnitude a sample may have. Outcomes at or beyond ±2⁶² cannot be represented
        /// safely in an `Int64` sum and are resampled; they need the geometric part `V ≥ 2¹⁰`
        /// (numerators are < 2⁵²), which has probability `e⁻¹⁰²⁴ < 2⁻¹⁴⁷⁷` for every accepted
        /// scale — far below any δ, and documented here rather than silent.
        public static let maxMagnitude: UInt64 = 1 << 62

        /// A sampler with precomputed constants for one scale `t = s/q` (numerator `s`,
        /// denominator `q` in CKS's notation `t/s`).
        public struct Sampler: Sendable, Hashable {
            /// The scale `t` (in output integer units).
            public let scale: Rational
            @usableFromInline let num: UInt64
            @usableFromInline let den: UInt64

            /// Creates a sampler for scale `t > 0`.
            ///
            /// - Throws: `invalidParameter` for `t = 0`; `overflow` when `t ≥ 2⁵²` or its
            ///   denominator exceeds `2⁵²`, where the tail truncation at ±2⁶² would no longer be
            ///   negligible.
            public init(scale: Rational) throws {
                guard scale.numerator > 0 else {
                    throw PrivacyError(.invalidParameter, "discrete Laplace scale t must be > 0, got \(scale)")
                }
                guard scale.numerator < (1 << 52), scale.denominator < (1 << 52),
                      scale.numerator / scale.denominator < (1 << 40)
                else {
                    throw PrivacyError(.overflow, "discrete Laplace scale t = \(scale) is too large (need t < 2^40 with numerator and denominator < 2^52)")
                }
                self.scale = scale
                self.num = scale.numerator
                self.den = scale.denominator
            }

            /// Creates a sampler for a real scale rounded *up* to an exact rational.
            /// - Throws: as ``init(scale:)`` plus `nonFiniteParameter`/`invalidParameter`.
            public init(scaleAtLeast t: Double) throws {
                try PrivacyError.requirePositive(t, "discrete Laplace scale t")
                try self.init(scale: Rational(roundingUp: t, maxDenominatorBits: 24, numeratorBits: 51))
            }

            /// One exact sample (one-off; use ``fill(_:using:)`` or ``sample(bits:)`` in loops).
            @inlinable @inline(__always)
            public func sample(using rng: inout some RandomNumberGenerator) -> Int64 {
                var bits = RandomBits(rng)
                defer { rng = bits.source }
                return sample(bits: &bits)
            }

            /// One exact sample from a bit reservoir. Expected bits: a few dozen, for every `t`.
            @inlinable @inline(__always)
            public func sample<R>(bits: inout RandomBits<R>) -> Int64 {
                while true {
                    let u = bits.below(num)
                    if !Bernoulli.expMinusFraction(u, over: num, bits: &bits) { continue }
                    var v: UInt64 = 0
                    while Bernoulli.expMinusOne(bits: &bits) { v += 1 }
                    let (tv, o1) = num.multipliedReportingOverflow(by: v)
                    let (x, o2) = tv.addingReportingOverflow(u)
                    if o1 || o2 { continue }
                    let y = x / den
                    if y >= DiscreteLaplace.maxMagnitude { continue }
                    let negative = bits.bit()
                    if negative && y == 0 { continue }
                    return negative ? -Int64(y) : Int64(y)
                }
            }

            /// Fills `output` with independent samples.  O(n).
            @inlinable @inline(__always)
            public func fill(_ output: inout [Int64], using rng: inout some RandomNumberGenerator) {
                var bits = RandomBits(rng)
                for i in output.indices { output[i] = sample(bits: &bits) }
                rng = bits.source
            }

            /// `Var[X] = 2e^{−1/t}/(1 − e^{−1/t})²` (for tests and accuracy estimates; Double).
            public var variance: Double {
                let p = mathExp(-1.0 / scale.doubleValue)
                return 2 * p / ((1 - p) * (1 - p))
            }
        }
    }
}
