public import Crypto
import Foundation

extension SecureAggregation {
    /// AEAD encryption of a pair of shares (self-mask seed share, masking-key share) to one peer.
    ///
    /// ChaChaPoly under `KeyAgreement.shareEncryptionKey` (X25519 of the c keys + HKDF bound to
    /// study, round and the pair), random 12-byte nonce, associated data
    /// `"cohort/secagg/v1" ‖ "share" ‖ study ‖ round ‖ sender ‖ recipient` so that a box cannot be
    /// replayed in another study, round or direction. Plaintext: recipient index (UInt32 BE) ‖
    /// 5 self-mask values ‖ 5 masking-key values (UInt64 BE) = 84 bytes; box = 112 bytes.
    public enum ShareEncryption {
        /// Bytes of one sealed box (nonce 12 + plaintext 84 + tag 16).
        public static let boxByteCount = 12 + plaintextByteCount + 16
        /// Bytes of the plaintext.
        public static let plaintextByteCount = 4 + 16 * Shamir.valuesPerShare

        static func associatedData(study: String, round: UInt64, sender: String, recipient: String) -> [UInt8] {
            var b = CanonicalBytes("share")
            b.append(study)
            b.append(round)
            b.append(sender)
            b.append(recipient)
            return b.bytes
        }

        /// Seals `selfMask` and `maskingKey` (both at the recipient's index) from `sender` to `recipient`.
        /// - Throws: ``SecureAggregationError/Code/cryptoFailure`` if key agreement or sealing fails.
        public static func seal(selfMask: Shamir.Share, maskingKey: Shamir.Share, key: SymmetricKey, study: String, round: UInt64, sender: String, recipient: String) throws -> EncryptedShare {
            var plain = [UInt8]()
            plain.reserveCapacity(plaintextByteCount)
            let index = UInt32(truncatingIfNeeded: selfMask.index)
            for k in (0 ..< 4).reversed() { plain.append(UInt8(truncatingIfNeeded: index >> (8 * UInt32(k)))) }
            for v in selfMask.values + maskingKey.values {
                for k in (0 ..< 8).reversed() { plain.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
            }
            do {
                let box = try ChaChaPoly.seal(plain, using: key, authenticating: associatedData(study: study, round: round, sender: sender, recipient: recipient))
                return EncryptedShare(sender: sender, recipient: recipient, ciphertext: Array(box.combined))
            } catch {
                throw SecureAggregationError(.cryptoFailure, "sealing shares from \(sender) to \(recipient) failed: \(error)")
            }
        }

        /// Opens a box and checks that the shares are at `expectedIndex`; `nil` when authentication
        /// fails or the plaintext is malformed (the caller refuses the message).
        public static func open(_ share: EncryptedShare, key: SymmetricKey, study: String, round: UInt64, expectedIndex: Int) -> (selfMask: Shamir.Share, maskingKey: Shamir.Share)? {
            guard share.ciphertext.count == boxByteCount,
                  let box = try? ChaChaPoly.SealedBox(combined: share.ciphertext),
                  let plain = try? ChaChaPoly.open(box, using: key, authenticating: associatedData(study: study, round: round, sender: share.sender, recipient: share.recipient)),
                  plain.count == plaintextByteCount else { return nil }
            let bytes = Array(plain)
            var index: UInt32 = 0
            for k in 0 ..< 4 { index = index << 8 | UInt32(bytes[k]) }
            guard Int(index) == expectedIndex else { return nil }
            var values = [UInt64]()
            for j in 0 ..< 2 * Shamir.valuesPerShare {
                var v: UInt64 = 0
                for k in 0 ..< 8 { v = v << 8 | UInt64(bytes[4 + 8 * j + k]) }
                values.append(v)
            }
            guard let a = try? Shamir.Share(index: expectedIndex, values: Array(values[0 ..< Shamir.valuesPerShare])),
                  let b = try? Shamir.Share(index: expectedIndex, values: Array(values[Shamir.valuesPerShare...])) else { return nil }
            return (a, b)
        }
    }
}
