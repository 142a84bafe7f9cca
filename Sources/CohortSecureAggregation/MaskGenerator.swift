public import Crypto
import _CryptoExtras
import Foundation

extension SecureAggregation {
    /// The PRG that expands a 32-byte seed into a mask: a vector of `UInt64` words (mod 2⁶⁴).
    ///
    /// **Construction.** `key = HKDF-SHA256(ikm: seed, salt: "cohort/secagg/v1/prg",
    /// info: domain, 32 bytes)`; the keystream is AES-256-CTR under `key` with a 128-bit
    /// big-endian counter starting at 0 (block i = AES_key(BE128(i))); word k is bytes
    /// 8k…8k+7 of the keystream read little-endian. Different domains give independent masks
    /// from one seed. Deterministic; O(L) with AES-NI (≈ 80 kB of keystream for 10 000 words).
    public enum MaskGenerator {
        /// What a mask is for; part of the key derivation, so masks of different kinds never coincide.
        public enum Domain: String, Sendable, Hashable, CaseIterable {
            /// The mask a pair of parties derives from its agreed seed (cancels in the sum).
            case pairwise = "pairwise-mask"
            /// A party's own mask, removed by the lead after reconstructing its seed.
            case selfMask = "self-mask"
        }

        /// Whether a mask is added to or subtracted from a vector.
        public enum Sign: Sendable, Hashable {
            /// `vector[i] &+= mask[i]`.
            case add
            /// `vector[i] &-= mask[i]`.
            case subtract
        }

        static let salt = Array("cohort/secagg/v1/prg".utf8)

        /// The AES-256 key for `seed` in `domain` (first step of the construction).
        public static func key(for seed: Seed, domain: Domain) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: seed.bytes), salt: salt,
                info: Array(domain.rawValue.utf8), outputByteCount: 32)
        }

        /// The first `count` mask words for `seed` in `domain`.
        /// - Throws: ``SecureAggregationError/Code/invalidParameter`` for a negative count,
        ///   ``SecureAggregationError/Code/cryptoFailure`` if AES-CTR fails.
        public static func expand(_ seed: Seed, domain: Domain, count: Int) throws -> [UInt64] {
            var out = [UInt64](repeating: 0, count: Swift.max(count, 0))
            try apply(seed, domain: domain, sign: .add, to: &out)
            return out
        }

        /// Adds (or subtracts) the mask for `seed` in `domain` to every word of `vector`, mod 2⁶⁴.
        /// - Throws: ``SecureAggregationError/Code/cryptoFailure`` if AES-CTR fails.
        public static func apply(_ seed: Seed, domain: Domain, sign: Sign, to vector: inout [UInt64]) throws {
            let count = vector.count
            guard count > 0 else { return }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: 8)
            guard !overflow else {
                throw SecureAggregationError(.invalidParameter, "mask of \(count) words is too long")
            }
            let keystream: Data
            do {
                let nonce = try AES._CTR.Nonce(nonceBytes: [UInt8](repeating: 0, count: 16))
                keystream = try AES._CTR.encrypt([UInt8](repeating: 0, count: byteCount), using: key(for: seed, domain: domain), nonce: nonce)
            } catch {
                throw SecureAggregationError(.cryptoFailure, "AES-CTR mask expansion failed: \(error)")
            }
            guard keystream.count == byteCount else {
                throw SecureAggregationError(.cryptoFailure, "AES-CTR returned \(keystream.count) bytes, expected \(byteCount)")
            }
            keystream.withUnsafeBytes { raw in
                vector.withUnsafeMutableBufferPointer { out in
                    switch sign {
                    case .add:
                        for i in 0 ..< count {
                            out[i] &+= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        }
                    case .subtract:
                        for i in 0 ..< count {
                            out[i] &-= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        }
                    }
                }
            }
        }
    }
}
