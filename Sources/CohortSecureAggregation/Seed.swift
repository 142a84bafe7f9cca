extension SecureAggregation {
    /// A 32-byte secret: a PRG seed, a self-mask seed or a raw X25519 private key.
    ///
    /// Its description never shows the bytes.
    public struct Seed: Sendable, Hashable, CustomStringConvertible {
        /// Number of bytes in a seed (32).
        public static let byteCount = 32

        /// The 32 secret bytes.
        public let bytes: [UInt8]

        /// Wraps exactly 32 bytes.
        /// - Throws: ``SecureAggregationError/Code/invalidSeed`` for any other length.
        public init(bytes: [UInt8]) throws {
            guard bytes.count == Self.byteCount else {
                throw SecureAggregationError(.invalidSeed, "a seed must have \(Self.byteCount) bytes, got \(bytes.count)")
            }
            self.bytes = bytes
        }

        /// 32 bytes from `rng` (pass a CSPRNG such as `SystemRandomNumberGenerator` outside tests).
        public static func random(using rng: inout some RandomNumberGenerator) -> Seed {
            var out = [UInt8]()
            out.reserveCapacity(byteCount)
            for _ in 0 ..< byteCount / 8 {
                let word = rng.next()
                for k in 0 ..< 8 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(k)))) }
            }
            return Seed(unchecked: out)
        }

        init(unchecked bytes: [UInt8]) {
            self.bytes = bytes
        }

        /// `Seed(32 bytes, redacted)`.
        public var description: String { "Seed(32 bytes, redacted)" }
    }
}
