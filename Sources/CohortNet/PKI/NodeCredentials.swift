import CohortCore
public import Crypto
import Foundation
public import X509

extension PKI {
    /// A node's TLS identity: its certificate (plus any intermediates) and P-256 private key.
    ///
    /// `description` never includes the key.
    public struct NodeCredentials: Sendable, CustomStringConvertible {
        /// The node certificate followed by any intermediate CA certificates.
        public private(set) var chain: [Certificate]
        private var keyBox: SendablePrivateKey

        /// The node's private key.
        public var privateKey: P256.Signing.PrivateKey {
            get { keyBox.key }
            set { keyBox = SendablePrivateKey(key: newValue) }
        }

        /// Creates credentials; `chain` must be non-empty and its leaf must match `privateKey`.
        public init(chain: [Certificate], privateKey: P256.Signing.PrivateKey) throws {
            guard let leaf = chain.first else {
                throw NetworkError(.malformedMaterial, "certificate chain is empty")
            }
            guard leaf.publicKey == Certificate.PublicKey(privateKey.publicKey) else {
                throw NetworkError(.malformedMaterial, "private key does not match the certificate's public key")
            }
            self.chain = chain
            self.keyBox = SendablePrivateKey(key: privateKey)
        }

        /// The node (leaf) certificate.
        public var certificate: Certificate { chain[0] }

        /// The `cohort://` identity of the certificate.
        public func identity() throws -> NodeIdentity { try PKI.identity(of: certificate) }

        /// The PEM of the chain (leaf first).
        public func certificatePEM() throws -> String {
            try chain.map { try PKI.pem(of: $0) }.joined(separator: "\n") + "\n"
        }

        /// The PKCS#8 PEM of the private key. Handle as a secret.
        public func privateKeyPEM() -> String { privateKey.pemRepresentation + "\n" }

        /// Loads a certificate chain PEM file and a private key PEM file (PKCS#8 or SEC1).
        public static func load(certificatePath: String, keyPath: String) throws -> NodeCredentials {
            let chain = try PKI.certificates(fromPEM: try Files.readText(certificatePath), source: certificatePath)
            guard !chain.isEmpty else {
                throw NetworkError(.malformedMaterial, "\(certificatePath): no CERTIFICATE block found")
            }
            let key = try loadPrivateKey(path: keyPath)
            do {
                return try NodeCredentials(chain: chain, privateKey: key)
            } catch let error as NetworkError {
                throw NetworkError(error.code, "\(certificatePath) / \(keyPath): \(error.message)")
            }
        }

        /// Loads a P-256 private key PEM file (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
        public static func loadPrivateKey(path: String) throws -> P256.Signing.PrivateKey {
            let text = try Files.readText(path)
            do {
                return try P256.Signing.PrivateKey(pemRepresentation: text)
            } catch {
                throw NetworkError(.malformedMaterial, "\(path): not a P-256 private key in PEM form")
            }
        }

        /// Writes `<certificatePath>` (0644) and `<keyPath>` (0600, created 0600 before writing).
        public func write(certificatePath: String, keyPath: String, overwrite: Bool = true) throws {
            try Files.writeSecret(Array(privateKeyPEM().utf8), to: keyPath, overwrite: overwrite)
            try Files.writeText(try certificatePEM(), to: certificatePath, overwrite: overwrite)
        }

        /// Describes the certificate (subject, identity, fingerprint); never the key.
        public var description: String {
            let id = (try? identity().uri) ?? "?"
            let fp = (try? PKI.fingerprint(of: certificate)) ?? "?"
            return "NodeCredentials(\(id), sha256=\(fp))"
        }
    }
}

/// An immutable P-256 private key that can cross concurrency domains.
///
/// swift-crypto 3.x does not mark `P256.Signing.PrivateKey` `Sendable` on Linux; the key is an
/// immutable value (never mutated after creation), so sharing it is safe.
struct SendablePrivateKey: @unchecked Sendable {
    let key: P256.Signing.PrivateKey
}
