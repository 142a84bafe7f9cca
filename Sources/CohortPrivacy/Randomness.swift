public import CohortCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif

extension Privacy {
    /// A source of random 64-bit words that says where its randomness comes from.
    ///
    /// Samplers take `inout some RandomNumberGenerator`; mechanisms (which produce releasable
    /// values) take a `RandomSource` so that every result can carry its ``Randomness/Provenance``.
    public protocol RandomSource: RandomNumberGenerator {
        /// Where the randomness comes from; copied into every result produced with it.
        var provenance: Randomness.Provenance { get }
    }

    /// Randomness provenance and the production/simulation rule.
    public enum Randomness {
        /// Where a result's randomness came from.
        public enum Provenance: Sendable, Hashable, Codable, CustomStringConvertible {
            /// The operating system's CSPRNG (getrandom on Linux, arc4random on Darwin).
            case system
            /// A reproducible xoshiro256** stream from this seed: tests and simulations only.
            case seeded(UInt64)

            /// Whether results produced with this randomness are simulated (not private).
            public var isSimulated: Bool {
                if case .seeded = self { return true }
                return false
            }

            /// `system` or `seeded(<seed>)`.
            public var description: String {
                switch self {
                case .system: "system"
                case .seeded(let seed): "seeded(\(seed))"
                }
            }
        }

        /// Checks that randomness with `provenance` may be used on a node in `mode`.
        ///
        /// - Throws: ``PrivacyError/Code/seededRandomnessInProduction`` when a seeded source is
        ///   offered to a production node.
        public static func validate(_ provenance: Provenance, for mode: RunMode) throws {
            if mode == .production, case .seeded(let seed) = provenance {
                throw PrivacyError(
                    .seededRandomnessInProduction,
                    "a seeded (reproducible) randomness source with seed \(seed) was offered to a node in production mode; production nodes only use the operating system's CSPRNG"
                )
            }
        }

        /// The randomness source a node in `mode` should use: the OS CSPRNG, or — only in
        /// simulation mode and only when a seed is given — the seeded stream.
        ///
        /// - Throws: ``PrivacyError/Code/seededRandomnessInProduction`` for a seed in production.
        public static func source(for mode: RunMode, seed: UInt64?) throws -> any RandomSource {
            guard let seed else { return SystemRandomness() }
            try validate(.seeded(seed), for: mode)
            return SeededRandomness(seed: seed)
        }

        /// Checks that `source` may be used on a node in `mode` (see ``validate(_:for:)``).
        public static func validate(_ source: some RandomSource, for mode: RunMode) throws {
            try validate(source.provenance, for: mode)
        }
    }

    /// The operating system's CSPRNG, read in blocks.
    ///
    /// Reading the kernel one word at a time costs about 1 µs per word, so this source fetches
    /// 256 bytes per system call (`getentropy`, i.e. `getrandom` on Linux; `arc4random_buf` on
    /// Darwin) into a 4 KiB buffer and hands the words out one by one, zeroing each word once
    /// served. Copies share one buffer, so two copies
    /// never return the same words. Not thread-safe: use one instance per task.
    public struct SystemRandomness: RandomSource {
        private final class Buffer {
            var words: [UInt64] = Array(repeating: 0, count: 512)
            var index = 512

            func refill() {
                words.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    SystemRandomness.fill(base, count: raw.count)
                }
                index = 0
            }
        }

        private let buffer = Buffer()

        /// Creates a handle on the OS CSPRNG.
        public init() {}

        /// Always ``Randomness/Provenance/system``.
        public var provenance: Randomness.Provenance { .system }

        /// Returns the next 64 random bits from the OS CSPRNG.
        @inline(__always)
        public mutating func next() -> UInt64 {
            let b = buffer
            if b.index == b.words.count { b.refill() }
            let word = b.words[b.index]
            b.words[b.index] = 0
            b.index += 1
            return word
        }

        static func fill(_ base: UnsafeMutableRawPointer, count: Int) {
            #if os(Linux)
            var filled = 0
            while filled < count {
                let chunk = Swift.min(256, count - filled)
                if getentropy(base + filled, chunk) == 0 {
                    filled += chunk
                } else {
                    // EINTR or an unexpected failure: fall back to the stdlib's CSPRNG, which also
                    // reads the kernel (and traps rather than returning weak randomness).
                    var generator = SystemRandomNumberGenerator()
                    while filled + 8 <= count {
                        let word = generator.next()
                        (base + filled).storeBytes(of: word, as: UInt64.self)
                        filled += 8
                    }
                    while filled < count {
                        (base + filled).storeBytes(of: UInt8.random(in: .min ... .max), as: UInt8.self)
                        filled += 1
                    }
                }
            }
            #elseif canImport(Darwin)
            arc4random_buf(base, count)
            #else
            var generator = SystemRandomNumberGenerator()
            var filled = 0
            while filled + 8 <= count {
                (base + filled).storeBytes(of: generator.next(), as: UInt64.self)
                filled += 8
            }
            #endif
        }
    }

    /// A seeded, reproducible source for tests and simulations; results are marked simulated.
    public struct SeededRandomness: RandomSource, Sendable {
        /// The seed the stream was created from.
        public let seed: UInt64
        private var generator: SeededGenerator

        /// Creates the stream determined by `seed` (same words as `SeededGenerator(seed:)`).
        public init(seed: UInt64) {
            self.seed = seed
            self.generator = SeededGenerator(seed: seed)
        }

        /// ``Randomness/Provenance/seeded(_:)`` with this source's seed.
        public var provenance: Randomness.Provenance { .seeded(seed) }

        /// Returns the next 64 bits of the seeded stream.
        @inline(__always)
        public mutating func next() -> UInt64 { generator.next() }
    }
}
