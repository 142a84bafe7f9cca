extension Privacy {
    /// Fixed-point encoding of real vectors as integers mod 2⁶⁴ for secure aggregation.
    ///
    /// A real vector `x` (L2 norm clipped to `c`) is scaled by `scale` (integer units per real
    /// unit) and rounded coordinate-wise *at random* (up with probability equal to the
    /// fractional part, so the encoding is unbiased). The rounding is *conditional* (Kairouz,
    /// Liu, Steinke 2021, Sec. 4.1): it is repeated until the rounded vector's squared L2 norm is
    /// at most a stated bound, so the integer L2 sensitivity is known exactly:
    /// ```
    ///   bound = min{ c·scale + √d,  √( (c·scale)² + d/4 + √(2·log(1/β))·(c·scale + √d/2) ) }
    /// ```
    /// (the second term only when β > 0); each attempt meets the bound with probability ≥ 1 − β.
    /// Values are stored as two's-complement `UInt64`; sums wrap mod 2⁶⁴ and ``Codec/decodeSum(_:contributions:noiseBound:)``
    /// detects when the true sum could have wrapped.
    public enum FixedPoint {
        /// What to do with a vector whose L2 norm exceeds the bound.
        public enum Clipping: String, Sendable, Hashable, Codable {
            /// Scale it down to the bound (the original norm is reported).
            case clip
            /// Refuse it with `normExceedsBound`.
            case reject
        }

        /// An encoded vector and what happened while encoding it.
        public struct Encoded: Sendable, Hashable {
            /// The integer vector mod 2⁶⁴ (two's complement of the signed rounded values).
            public var values: [UInt64]
            /// L2 norm of the input (real units) before clipping.
            public var originalNorm: Double
            /// Whether the input was scaled down to the bound.
            public var wasClipped: Bool
            /// Number of rounding attempts until the norm bound held (≥ 1).
            public var attempts: Int
        }

        /// The result of decoding a sum of contributions.
        public enum DecodedSum: Sendable, Hashable {
            /// The true sum cannot have wrapped mod 2⁶⁴: these are its real values.
            case decoded([Double])
            /// The worst-case magnitude `n·bound + noiseBound` reaches 2⁶³, so the observed
            /// value may differ from the true sum by a multiple of 2⁶⁴.
            case mayHaveWrapped(worstCaseMagnitude: Double)
        }

        /// Encoder/decoder for one dimension, clip bound and scale.
        public struct Codec: Sendable, Hashable {
            /// Vector dimension `d`.
            public let dimension: Int
            /// Integer units per real unit.
            public let scale: Double
            /// L2 clip bound `c` in real units.
            public let l2Bound: Double
            /// Conditional-rounding parameter β ∈ [0, 1).
            public let beta: Double
            /// Exact bound on the *squared* L2 norm of every encoded vector (integer units²).
            public let squaredNormBound: UInt64
            /// L2 sensitivity of one encoded contribution in integer units: `√squaredNormBound`
            /// rounded up. Use it to calibrate the noise.
            public var l2Sensitivity: Double { Double(squaredNormBound).squareRoot().nextUp }
            /// Largest attempt count before encoding fails with `roundingFailed`.
            public let maxAttempts: Int

            /// Creates a codec.
            /// - Throws: `invalidParameter`/`nonFiniteParameter` for d < 1, c ≤ 0, scale ≤ 0,
            ///   β ∉ [0,1); `overflow` when `c·scale + √d ≥ 2³¹` (squared norms must fit 63 bits,
            ///   and n·bound must leave headroom below 2⁶³).
            public init(dimension: Int, l2Bound: Double, scale: Double, beta: Double = 0.6065306597126334, maxAttempts: Int = 1000) throws {
                guard dimension >= 1 else { throw PrivacyError(.invalidParameter, "dimension must be ≥ 1, got \(dimension)") }
                try PrivacyError.requirePositive(l2Bound, "L2 bound")
                try PrivacyError.requirePositive(scale, "scale")
                try PrivacyError.requireFinite(beta, "beta")
                guard beta >= 0, beta < 1 else { throw PrivacyError(.invalidParameter, "beta must be in [0, 1), got \(beta)") }
                guard maxAttempts >= 1 else { throw PrivacyError(.invalidParameter, "maxAttempts must be ≥ 1, got \(maxAttempts)") }
                let c = l2Bound * scale
                let sd = Double(dimension).squareRoot()
                guard c.isFinite, c + sd < Double(1 << 31) else {
                    throw PrivacyError(.overflow, "L2 bound × scale = \(c) (+√d = \(sd)) overflows the fixed-point range (must be < 2^31)")
                }
                var bound = c + sd
                if beta > 0 {
                    let b2 = c * c + Double(dimension) / 4 + (2 * mathLog(1 / beta)).squareRoot() * (c + sd / 2)
                    bound = Swift.min(bound, b2.squareRoot())
                }
                self.dimension = dimension
                self.l2Bound = l2Bound
                self.scale = scale
                self.beta = beta
                self.maxAttempts = maxAttempts
                self.squaredNormBound = UInt64((bound * bound).rounded(.down))
            }

            /// Clips, scales and conditionally rounds `x`; O(d) per attempt.
            /// - Throws: `dimensionMismatch`, `nonFiniteParameter` (NaN/∞ entry, with its index),
            ///   `normExceedsBound` (with `.reject`), `roundingFailed` after `maxAttempts`.
            public func encode(_ x: [Double], clipping: Clipping = .clip, using rng: inout some RandomNumberGenerator) throws -> Encoded {
                guard x.count == dimension else {
                    throw PrivacyError(.dimensionMismatch, "vector has \(x.count) entries, codec dimension is \(dimension)")
                }
                var sumSquares = 0.0
                for (i, v) in x.enumerated() {
                    guard v.isFinite else { throw PrivacyError(.nonFiniteParameter, "vector entry \(i) is \(v)") }
                    sumSquares += v * v
                }
                let norm = sumSquares.squareRoot()
                var factor = scale
                var clipped = false
                if norm > l2Bound {
                    if clipping == .reject {
                        throw PrivacyError(.normExceedsBound, "vector L2 norm \(norm) exceeds the bound \(l2Bound)")
                    }
                    factor = scale * (l2Bound / norm) * (1 - 1e-12)
                    clipped = true
                }
                var out = [UInt64](repeating: 0, count: dimension)
                for attempt in 1 ... maxAttempts {
                    var squares: UInt64 = 0
                    var within = true
                    for i in 0 ..< dimension {
                        let v = x[i] * factor
                        let f = v.rounded(.down)
                        let frac = v - f
                        var z = Int64(f)
                        if frac > 0 {
                            // Up with probability frac (frac·2⁶⁴ truncated: exact for |v| ≥ 2⁻¹¹).
                            let threshold = frac >= 1 ? UInt64.max : UInt64(frac * 18446744073709551616.0)
                            if rng.next() < threshold { z += 1 }
                        }
                        out[i] = UInt64(bitPattern: z)
                        let (sq, o1) = z.magnitude.multipliedReportingOverflow(by: z.magnitude)
                        let (s, o2) = squares.addingReportingOverflow(sq)
                        if o1 || o2 || s > squaredNormBound {
                            within = false
                            break
                        }
                        squares = s
                    }
                    if within {
                        return Encoded(values: out, originalNorm: norm, wasClipped: clipped, attempts: attempt)
                    }
                }
                throw PrivacyError(.roundingFailed, "conditional rounding did not meet the squared norm bound \(squaredNormBound) in \(maxAttempts) attempts")
            }

            /// Decodes one vector (no wrap check): two's complement, divided by `scale`.
            public func decode(_ values: [UInt64]) -> [Double] {
                values.map { Double(Int64(bitPattern: $0)) / scale }
            }

            /// Decodes the mod-2⁶⁴ sum of `contributions` encoded vectors plus noise whose
            /// magnitude is at most `noiseBound` per coordinate (integer units, e.g. from
            /// ``DiscreteGaussian/Sampler/tailBound(probability:)``).
            ///
            /// Each encoded coordinate has magnitude ≤ √squaredNormBound, so the true sum's
            /// magnitude is at most `n·⌊√bound⌋ + noiseBound`; only when that is below 2⁶³ is the
            /// signed reading the true value.
            /// - Throws: `dimensionMismatch`, `invalidParameter` for `contributions < 0`.
            public func decodeSum(_ sum: [UInt64], contributions: Int, noiseBound: UInt64) throws -> DecodedSum {
                guard sum.count == dimension else {
                    throw PrivacyError(.dimensionMismatch, "sum has \(sum.count) entries, codec dimension is \(dimension)")
                }
                guard contributions >= 0 else {
                    throw PrivacyError(.invalidParameter, "contributions must be ≥ 0, got \(contributions)")
                }
                let perCoordinate = UInt128(Rational.integerSquareRoot(squaredNormBound))
                let worst = UInt128(contributions) * perCoordinate + UInt128(noiseBound)
                guard worst < (UInt128(1) << 63) else {
                    return .mayHaveWrapped(worstCaseMagnitude: Double(worst))
                }
                return .decoded(decode(sum))
            }
        }
    }
}

extension Privacy.DiscreteGaussian.Sampler {
    /// A magnitude `k` with `P[|X| > k] ≤ probability` for `X ~ N_ℤ(0, σ²)`, from the
    /// sub-Gaussian tail `P[X ≥ k] ≤ exp(−k²/(2σ²))` (CKS 2020): `k = ⌈σ·√(2·log(2/p))⌉`.
    /// - Throws: `invalidParameter` for p ∉ (0, 1).
    public func tailBound(probability p: Double) throws -> UInt64 {
        try PrivacyError.requireDelta(p, "tail probability")
        let k = (sigmaSquared.doubleValue * 2 * mathLog(2 / p)).squareRoot().rounded(.up) + 1
        guard k < Double(UInt64(1) << 62) else { throw PrivacyError(.overflow, "tail bound \(k) exceeds 2^62") }
        return UInt64(k)
    }
}
