public import Crypto

extension SecureAggregation {
    /// Signs a party's key advertisement with its node identity key (the lead wires the node's
    /// X.509 key here), so that the lead cannot substitute the keys it forwards.
    public protocol AdvertisementSigner: Sendable {
        /// A signature over `message` (the advertisement's canonical bytes).
        /// - Throws: whatever the key store throws; the client then fails the round.
        func signature(for message: [UInt8]) throws -> [UInt8]
    }

    /// Checks advertisement signatures against the parties' identity keys.
    public protocol AdvertisementVerifier: Sendable {
        /// Whether `signature` over `message` was made by `party`'s identity key; `false` for an
        /// unknown party or a malformed signature.
        func isValidSignature(_ signature: [UInt8], for message: [UInt8], by party: String) -> Bool
    }

    /// An ``AdvertisementSigner`` with an Ed25519 key (swift-crypto), 64-byte signatures.
    public struct Ed25519Signer: AdvertisementSigner {
        let rawKey: [UInt8]

        /// Signs with `key`.
        public init(key: Curve25519.Signing.PrivateKey) {
            self.rawKey = Array(key.rawRepresentation)
        }

        /// The Ed25519 signature over `message` (64 bytes).
        public func signature(for message: [UInt8]) throws -> [UInt8] {
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
            return Array(try key.signature(for: message))
        }
    }

    /// An ``AdvertisementVerifier`` over a fixed table of Ed25519 public keys, one per party.
    public struct Ed25519Verifier: AdvertisementVerifier {
        let rawKeys: [String: [UInt8]]

        /// Verifies against `keys` (party name → Ed25519 public key).
        public init(keys: [String: Curve25519.Signing.PublicKey]) {
            self.rawKeys = keys.mapValues { Array($0.rawRepresentation) }
        }

        /// `true` iff `party` is in the table and the signature verifies.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8], by party: String) -> Bool {
            guard let raw = rawKeys[party], let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: message)
        }
    }
}

extension SecureAggregation {
    /// An ``AdvertisementSigner`` with a node's P-256 identity key (the key of its X.509 node
    /// certificate): ECDSA signatures in DER.
    public struct P256Signer: AdvertisementSigner {
        let rawKey: [UInt8]
        /// Signs with `key`.
        public init(key: P256.Signing.PrivateKey) {
            self.rawKey = Array(key.rawRepresentation)
        }
        /// The DER-encoded ECDSA signature over `message` (SHA-256).
        public func signature(for message: [UInt8]) throws -> [UInt8] {
            let key = try P256.Signing.PrivateKey(rawRepresentation: rawKey)
            return Array(try key.signature(for: message).derRepresentation)
        }
    }

    /// An ``AdvertisementVerifier`` over a table of P-256 public keys, one per party (taken from
    /// certificates the caller has verified).
    public struct P256Verifier: AdvertisementVerifier {
        let rawKeys: [String: [UInt8]]
        /// Verifies against `keys` (party name → P-256 public key).
        public init(keys: [String: P256.Signing.PublicKey]) {
            self.rawKeys = keys.mapValues { Array($0.x963Representation) }
        }
        /// `true` iff `party` is in the table and the DER signature verifies.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8], by party: String) -> Bool {
            guard let raw = rawKeys[party], let key = try? P256.Signing.PublicKey(x963Representation: raw),
                  let decoded = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(decoded, for: message)
        }
    }
}
