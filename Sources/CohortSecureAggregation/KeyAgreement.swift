public import Crypto

extension SecureAggregation {
    /// The two public X25519 keys a party advertises for one study round.
    public struct PublicKeys: Sendable, Hashable {
        /// Key for agreeing the share-encryption key with each peer (Bonawitz's c_pk), 32 bytes.
        public let encryption: [UInt8]
        /// Key for agreeing the pairwise mask seed with each peer (Bonawitz's s_pk), 32 bytes.
        public let masking: [UInt8]

        /// Wraps two raw X25519 public keys.
        /// - Throws: ``SecureAggregationError/Code/invalidSeed`` unless both have 32 bytes.
        public init(encryption: [UInt8], masking: [UInt8]) throws {
            guard encryption.count == 32, masking.count == 32 else {
                throw SecureAggregationError(.invalidSeed, "X25519 public keys have 32 bytes, got \(encryption.count) and \(masking.count)")
            }
            self.encryption = encryption
            self.masking = masking
        }
    }

    /// A party's fresh private X25519 keys for one study round (never reused across rounds).
    public struct RoundKeys: Sendable {
        /// Raw private key for share encryption (c_sk).
        let encryptionKey: Seed
        /// Raw private key for pairwise masks (s_sk); Shamir-shared so that a dropout's masks can be removed.
        let maskingKey: Seed
        /// The two private keys as swift-crypto keys, made once (making one computes its public
        /// key, a scalar multiplication that every agreement would otherwise repeat).
        let encryptionPrivateKey: AgreementKey
        let maskingPrivateKey: AgreementKey
        /// The matching public keys.
        public let publicKeys: PublicKeys

        /// Fresh keys from 64 bytes of `rng` (must be a CSPRNG outside tests).
        /// - Throws: ``SecureAggregationError/Code/cryptoFailure`` if swift-crypto rejects the bytes.
        public init(using rng: inout some RandomNumberGenerator) throws {
            let c = Seed.random(using: &rng)
            let s = Seed.random(using: &rng)
            do {
                let cKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: c.bytes)
                let sKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: s.bytes)
                self.publicKeys = try PublicKeys(encryption: Array(cKey.publicKey.rawRepresentation), masking: Array(sKey.publicKey.rawRepresentation))
                self.encryptionPrivateKey = AgreementKey(key: cKey)
                self.maskingPrivateKey = AgreementKey(key: sKey)
            } catch let error as SecureAggregationError {
                throw error
            } catch {
                throw SecureAggregationError(.cryptoFailure, "X25519 key generation failed: \(error)")
            }
            self.encryptionKey = c
            self.maskingKey = s
        }
    }

    /// A swift-crypto X25519 private key made once. swift-crypto does not mark the key
    /// `Sendable`, but it is an immutable value (its raw bytes and public key, no shared
    /// mutable state), so it may cross concurrency domains.
    struct AgreementKey: @unchecked Sendable {
        /// The key.
        let key: Curve25519.KeyAgreement.PrivateKey
    }

    /// X25519 + HKDF-SHA256 derivations bound to study, round and the unordered pair of parties.
    ///
    /// `info = "cohort/secagg/v1" ‖ purpose ‖ study ‖ round ‖ min(a, b) ‖ max(a, b)` (canonical,
    /// length-prefixed), `salt = "cohort/secagg/v1/hkdf"`; both parties of a pair derive the same
    /// value, and a value derived for one study, round or pair is unrelated to any other.
    public enum KeyAgreement {
        static let salt = Array("cohort/secagg/v1/hkdf".utf8)
        static let shareEncryptionPurpose = "share-encryption"
        static let pairwisePurpose = "pairwise-seed"

        /// The pairwise mask seed s_{a,b} between `party` (holding `privateKey`) and `peer`.
        /// - Throws: ``SecureAggregationError/Code/cryptoFailure`` for an invalid peer key
        ///   (e.g. a low-order point giving an all-zero shared secret).
        public static func pairwiseSeed(privateKey: Seed, peerPublicKey: [UInt8], study: String, round: UInt64, party: String, peer: String) throws -> Seed {
            let bytes = try derive(privateKey: privateKey, peerPublicKey: peerPublicKey, purpose: pairwisePurpose, study: study, round: round, party: party, peer: peer)
            return Seed(unchecked: bytes)
        }

        /// The AEAD key for shares exchanged between `party` and `peer` (both directions).
        /// - Throws: ``SecureAggregationError/Code/cryptoFailure`` for an invalid peer key.
        public static func shareEncryptionKey(privateKey: Seed, peerPublicKey: [UInt8], study: String, round: UInt64, party: String, peer: String) throws -> SymmetricKey {
            SymmetricKey(data: try derive(privateKey: privateKey, peerPublicKey: peerPublicKey, purpose: shareEncryptionPurpose, study: study, round: round, party: party, peer: peer))
        }

        /// Whether `publicKey` is a usable X25519 key: 32 bytes and not a low-order point
        /// (low-order points give the all-zero shared secret for every private key, which would
        /// make the derived seed public). O(1): one scalar multiplication.
        public static func isUsablePublicKey(_ publicKey: [UInt8]) -> Bool {
            guard publicKey.count == 32,
                  let probe,
                  let peer = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey),
                  let secret = try? probe.key.sharedSecretFromKeyAgreement(with: peer) else { return false }
            return secret.withUnsafeBytes { raw in raw.contains { $0 != 0 } }
        }

        /// The fixed private key that probes a public key for low order (made once).
        private static let probe = (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 0x5a, count: 32))).map(AgreementKey.init)

        static func derive(privateKey: Seed, peerPublicKey: [UInt8], purpose: String, study: String, round: UInt64, party: String, peer: String) throws -> [UInt8] {
            let key: Curve25519.KeyAgreement.PrivateKey
            do { key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey.bytes) } catch {
                throw SecureAggregationError(.cryptoFailure, "X25519 key agreement between \(party) and \(peer) failed: \(error)")
            }
            return try derive(privateKey: AgreementKey(key: key), peerPublicKey: peerPublicKey, purpose: purpose, study: study, round: round, party: party, peer: peer)
        }

        /// X25519 with `privateKey`, then HKDF-SHA256 with the info above (32 bytes).
        static func derive(
            privateKey agreementKey: AgreementKey, peerPublicKey: [UInt8], purpose: String, study: String,
            round: UInt64, party: String, peer: String
        ) throws -> [UInt8] {
            var info = CanonicalBytes(purpose)
            info.append(study)
            info.append(round)
            let (lo, hi) = party < peer ? (party, peer) : (peer, party)
            info.append(lo)
            info.append(hi)
            do {
                let peerKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: peerPublicKey)
                let secret = try agreementKey.key.sharedSecretFromKeyAgreement(with: peerKey)
                guard secret.withUnsafeBytes({ raw in raw.contains { $0 != 0 } }) else {
                    throw SecureAggregationError(.cryptoFailure, "the public key of \(peer) is a low-order point (all-zero shared secret)")
                }
                let derived = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: salt, sharedInfo: info.bytes, outputByteCount: 32)
                return derived.withUnsafeBytes { Array($0) }
            } catch {
                throw SecureAggregationError(.cryptoFailure, "X25519 key agreement between \(party) and \(peer) failed: \(error)")
            }
        }
    }
}
