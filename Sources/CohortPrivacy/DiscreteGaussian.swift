extension Privacy {
    /// The discrete Gaussian `N_ℤ(0, σ²)` on ℤ: `P[X = x] ∝ exp(−x²/(2σ²))`, σ² an exact rational.
    ///
    /// Sampled exactly by Canonne, Kamath, Steinke (2020), Algorithm 3: draw `Y` from the discrete
    /// Laplace with integer scale `t = ⌊σ⌋ + 1`, accept with probability
    /// `exp(−(|Y| − σ²/t)²/(2σ²))`. With `σ² = a/b` the exponent is the exact rational
    /// `(|Y|·b·t − a)² / (2·a·b·t²)`, evaluated in 128-bit (or, for astronomically rare large
    /// `|Y|`, 256-bit) integers. Adding `N_ℤ(0, σ²)` noise to each coordinate of an integer
    /// vector query with L2 sensitivity Δ₂ is `ρ = Δ₂²/(2σ²)`-zCDP (CKS Theorem 14).
    public enum DiscreteGaussian {
        /// A sampler with precomputed constants for one variance parameter σ².
        public struct Sampler: Sendable, Hashable {
            /// The variance parameter σ² (in squared output integer units).
            public let sigmaSquared: Rational
            /// The discrete Laplace proposal `t = ⌊σ⌋ + 1`.
            public let proposalScale: UInt64
            @usableFromInline let laplace: DiscreteLaplace.Sampler
            @usableFromInline let a: UInt128          // σ² numerator
            @usableFromInline let bt: UInt128         // b·t
            @usableFromInline let gammaDenominator: UInt128  // 2·a·b·t²

            /// Creates a sampler for `σ² > 0` given exactly.
            ///
            /// - Throws: `invalidParameter` for σ² = 0; `overflow` when `2·a·b·t² ≥ 2¹²⁶` for
            ///   `σ² = a/b` (choose a coarser σ², e.g. fewer decimal digits) or `σ ≥ 2⁴⁰`.
            public init(sigmaSquared: Rational) throws {
                guard sigmaSquared.numerator > 0 else {
                    throw PrivacyError(.invalidParameter, "discrete Gaussian σ² must be > 0, got \(sigmaSquared)")
                }
                let sigmaFloor = Rational.integerSquareRoot(sigmaSquared.floor)
                guard sigmaFloor < (1 << 40) else {
                    throw PrivacyError(.overflow, "discrete Gaussian σ = √\(sigmaSquared) is too large (need σ < 2^40)")
                }
                let t = sigmaFloor + 1
                let a = UInt128(sigmaSquared.numerator)
                let b = UInt128(sigmaSquared.denominator)
                let bt = b * UInt128(t)
                let (abt, o1) = (a * 2).multipliedReportingOverflow(by: bt)
                let (den, o2) = abt.multipliedReportingOverflow(by: UInt128(t))
                guard !o1, !o2, bt < (UInt128(1) << 63), den < (UInt128(1) << 126) else {
                    throw PrivacyError(.overflow, "discrete Gaussian σ² = \(sigmaSquared): exact acceptance exponent 2·a·b·t² does not fit in 126 bits; use a σ² with a smaller denominator")
                }
                self.sigmaSquared = sigmaSquared
                self.proposalScale = t
                self.laplace = try DiscreteLaplace.Sampler(scale: Rational(t, 1))
                self.a = a
                self.bt = bt
                self.gammaDenominator = den
            }

            /// Creates a sampler for an exact dyadic σ² ≥ `sigmaSquared` with about 40 significant
            /// bits (relative excess ≤ 2⁻⁴⁰; never less noise than asked for).
            /// - Throws: `nonFiniteParameter`, `invalidParameter` (σ² ≤ 0), `overflow`.
            public init(sigmaSquaredAtLeast sigmaSquared: Double) throws {
                try PrivacyError.requirePositive(sigmaSquared, "discrete Gaussian σ²")
                // About 40 significant bits: relative rounding-up error ≤ 2⁻⁴⁰, small operands.
                var bits = Swift.max(0, Swift.min(30, 40 - Int(sigmaSquared.exponent)))
                var lastError = PrivacyError(.overflow, "σ² = \(sigmaSquared) cannot be represented exactly")
                while bits >= 0 {
                    do {
                        let r = try Rational(roundingUp: sigmaSquared, maxDenominatorBits: bits, numeratorBits: 62)
                        try self.init(sigmaSquared: r)
                        return
                    } catch let error as PrivacyError {
                        lastError = error
                    }
                    bits -= 2
                }
                throw lastError
            }

            /// One exact sample (one-off; use ``fill(_:using:)`` or ``sample(bits:)`` in loops).
            @inlinable @inline(__always)
            public func sample(using rng: inout some RandomNumberGenerator) -> Int64 {
                var bits = RandomBits(rng)
                defer { rng = bits.source }
                return sample(bits: &bits)
            }

            /// One exact sample from a bit reservoir. Expected bits: a small constant for all σ.
            @inlinable @inline(__always)
            public func sample<R>(bits: inout RandomBits<R>) -> Int64 {
                while true {
                    let y = laplace.sample(bits: &bits)
                    let magnitude = UInt128(y.magnitude) * bt
                    let m = magnitude >= a ? magnitude - a : a - magnitude
                    let accepted: Bool
                    if m >> 64 == 0 {
                        accepted = Bernoulli.expMinus(m * m, over: gammaDenominator, bits: &bits)
                    } else {
                        let wide = m.multipliedFullWidth(by: m)
                        accepted = Bernoulli.expMinus(high: wide.high, low: wide.low, over: gammaDenominator, bits: &bits)
                    }
                    if accepted { return y }
                }
            }

            /// Fills `output` with independent samples.  O(n).
            @inlinable @inline(__always)
            public func fill(_ output: inout [Int64], using rng: inout some RandomNumberGenerator) {
                var bits = RandomBits(rng)
                for i in output.indices { output[i] = sample(bits: &bits) }
                rng = bits.source
            }
        }
    }
}
