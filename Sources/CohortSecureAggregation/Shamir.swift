extension SecureAggregation {
    /// Shamir secret sharing, t-of-n, of 32-byte secrets over GF(2⁶¹ − 1).
    ///
    /// **Encoding.** A 32-byte secret is cut into five chunks of 7, 7, 7, 7 and 4 bytes (big-endian
    /// integers < 2⁵⁶ < p); each chunk is shared with its own random polynomial of degree t − 1
    /// whose constant term is the chunk. A share is the five polynomial values at the holder's
    /// index x ∈ 1…n (40 bytes of field elements). Any t shares reconstruct the secret by Lagrange
    /// interpolation at 0; t − 1 shares are independent of it (perfect secrecy per chunk).
    /// Reconstruction checks that every chunk decodes below its 2⁵⁶ (or 2³²) bound, so most
    /// inconsistent share sets are detected rather than yielding a wrong secret.
    /// Cost: split O(n·t), reconstruct O(t²) field operations per chunk.
    public enum Shamir {
        /// Bytes per chunk of the 32-byte secret.
        public static let chunkByteCounts = [7, 7, 7, 7, 4]
        /// Field elements per share (one per chunk).
        public static let valuesPerShare = chunkByteCounts.count
        /// Largest number of share holders (and share index) accepted.
        public static let maximumShareCount = 65_535

        /// One holder's share of one secret.
        public struct Share: Sendable, Hashable {
            /// The evaluation point x ∈ 1…n: the holder's 1-based position in the roster.
            public let index: Int
            /// The polynomial values at `index`, one per chunk, each in 0 ..< p.
            public let values: [UInt64]

            /// Validates and wraps a share received from outside.
            /// - Throws: ``SecureAggregationError/Code/invalidShare`` for an index outside
            ///   1…``maximumShareCount``, a value count other than 5 or a value ≥ p.
            public init(index: Int, values: [UInt64]) throws {
                guard index >= 1, index <= Shamir.maximumShareCount else {
                    throw SecureAggregationError(.invalidShare, "share index must be in 1…\(Shamir.maximumShareCount), got \(index)")
                }
                guard values.count == Shamir.valuesPerShare else {
                    throw SecureAggregationError(.invalidShare, "a share has \(Shamir.valuesPerShare) field elements, got \(values.count) (index \(index))")
                }
                if let bad = values.firstIndex(where: { $0 >= PrimeField.modulus }) {
                    throw SecureAggregationError(.invalidShare, "share value \(bad) at index \(index) is not below p = 2^61 − 1")
                }
                self.index = index
                self.values = values
            }

            init(unchecked index: Int, values: [UInt64]) {
                self.index = index
                self.values = values
            }
        }

        /// The five field elements encoding `secret` (the polynomials' constant terms).
        public static func chunks(of secret: Seed) -> [UInt64] {
            var out = [UInt64]()
            var offset = 0
            for count in chunkByteCounts {
                var v: UInt64 = 0
                for k in 0 ..< count { v = v << 8 | UInt64(secret.bytes[offset + k]) }
                out.append(v)
                offset += count
            }
            return out
        }

        /// Shares `secret` among holders 1…`shareCount`, any `threshold` of whom can reconstruct it.
        /// Coefficients come from `rng` (a CSPRNG outside tests), drawn chunk by chunk, degree 1 first.
        /// - Throws: ``SecureAggregationError/Code/invalidParameter`` unless 1 ≤ threshold ≤ shareCount ≤ 65 535.
        public static func split(_ secret: Seed, threshold: Int, shareCount: Int, using rng: inout some RandomNumberGenerator) throws -> [Share] {
            try checkCounts(threshold: threshold, shareCount: shareCount)
            var coefficients = [[UInt64]]()
            for _ in 0 ..< valuesPerShare {
                var row = [UInt64]()
                for _ in 1 ..< threshold { row.append(PrimeField.random(using: &rng)) }
                coefficients.append(row)
            }
            return try split(secret, coefficients: coefficients, shareCount: shareCount)
        }

        /// Shares `secret` with given polynomial coefficients: `coefficients[j][k]` is the
        /// coefficient of x^(k+1) for chunk j (so the threshold is `coefficients[j].count + 1`).
        /// For known-answer tests; use ``split(_:threshold:shareCount:using:)`` otherwise.
        /// - Throws: ``SecureAggregationError/Code/invalidParameter`` for a row count other than 5,
        ///   rows of different lengths, a coefficient ≥ p or bad counts.
        public static func split(_ secret: Seed, coefficients: [[UInt64]], shareCount: Int) throws -> [Share] {
            guard coefficients.count == valuesPerShare, let degree = coefficients.first?.count,
                  coefficients.allSatisfy({ $0.count == degree }) else {
                throw SecureAggregationError(.invalidParameter, "coefficients must be \(valuesPerShare) rows of equal length")
            }
            guard coefficients.allSatisfy({ $0.allSatisfy { $0 < PrimeField.modulus } }) else {
                throw SecureAggregationError(.invalidParameter, "every coefficient must be below p = 2^61 − 1")
            }
            try checkCounts(threshold: degree + 1, shareCount: shareCount)
            let constants = chunks(of: secret)
            var shares = [Share]()
            shares.reserveCapacity(shareCount)
            for x in 1 ... shareCount {
                let point = UInt64(x)
                var values = [UInt64]()
                for j in 0 ..< valuesPerShare {
                    // Horner: a0 + x(a1 + x(a2 + …)).
                    var acc: UInt64 = 0
                    for c in coefficients[j].reversed() {
                        acc = PrimeField.add(PrimeField.multiply(acc, point), c)
                    }
                    acc = PrimeField.add(PrimeField.multiply(acc, point), constants[j])
                    values.append(acc)
                }
                shares.append(Share(unchecked: x, values: values))
            }
            return shares
        }

        /// Reconstructs the secret from at least `threshold` shares (the first `threshold` are used).
        /// - Throws: ``SecureAggregationError/Code/tooFewShares`` for fewer than `threshold` shares,
        ///   ``SecureAggregationError/Code/duplicateShareIndex`` for a repeated index,
        ///   ``SecureAggregationError/Code/invalidShare`` for an index outside 1…`shareCount`,
        ///   ``SecureAggregationError/Code/inconsistentShares`` when the interpolated chunks do not
        ///   decode to 32 bytes, ``SecureAggregationError/Code/invalidParameter`` for bad counts.
        public static func reconstruct(_ shares: [Share], threshold: Int, shareCount: Int) throws -> Seed {
            try checkCounts(threshold: threshold, shareCount: shareCount)
            guard shares.count >= threshold else {
                throw SecureAggregationError(.tooFewShares, "reconstruction needs \(threshold) shares, got \(shares.count)")
            }
            var seen = Set<Int>()
            for share in shares {
                guard share.index >= 1, share.index <= shareCount else {
                    throw SecureAggregationError(.invalidShare, "share index \(share.index) is outside 1…\(shareCount)")
                }
                guard share.values.count == valuesPerShare, share.values.allSatisfy({ $0 < PrimeField.modulus }) else {
                    throw SecureAggregationError(.invalidShare, "share at index \(share.index) is malformed")
                }
                guard seen.insert(share.index).inserted else {
                    throw SecureAggregationError(.duplicateShareIndex, "share index \(share.index) appears twice")
                }
            }
            let used = Array(shares.prefix(threshold))
            // Lagrange basis at 0: λ_i = Π_{j≠i} x_j / (x_j − x_i).
            var lambdas = [UInt64]()
            for (i, si) in used.enumerated() {
                var numerator: UInt64 = 1
                var denominator: UInt64 = 1
                let xi = UInt64(si.index)
                for (j, sj) in used.enumerated() where j != i {
                    let xj = UInt64(sj.index)
                    numerator = PrimeField.multiply(numerator, xj)
                    denominator = PrimeField.multiply(denominator, PrimeField.subtract(xj, xi))
                }
                guard let inv = PrimeField.inverse(denominator) else {
                    throw SecureAggregationError(.duplicateShareIndex, "share indices are not distinct")
                }
                lambdas.append(PrimeField.multiply(numerator, inv))
            }
            var bytes = [UInt8]()
            bytes.reserveCapacity(Seed.byteCount)
            for j in 0 ..< valuesPerShare {
                var value: UInt64 = 0
                for (i, s) in used.enumerated() {
                    value = PrimeField.add(value, PrimeField.multiply(lambdas[i], s.values[j]))
                }
                let count = chunkByteCounts[j]
                guard value >> (8 * UInt64(count)) == 0 else {
                    throw SecureAggregationError(.inconsistentShares, "shares interpolate to a chunk \(j) outside its \(8 * count)-bit range: they are not shares of one secret")
                }
                for k in (0 ..< count).reversed() { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
            }
            return Seed(unchecked: bytes)
        }

        static func checkCounts(threshold: Int, shareCount: Int) throws {
            guard shareCount >= 1, shareCount <= maximumShareCount else {
                throw SecureAggregationError(.invalidParameter, "share count must be in 1…\(maximumShareCount), got \(shareCount)")
            }
            guard threshold >= 1, threshold <= shareCount else {
                throw SecureAggregationError(.invalidParameter, "threshold must be in 1…\(shareCount), got \(threshold)")
            }
        }
    }
}
