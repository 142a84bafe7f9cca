import CohortCore
import Foundation

extension PKI {
    /// Where a node's TLS files live, relative to the node directory unless absolute. Defaults
    /// match the `tls:` section of `cohort.yaml` written by `cohort node init`.
    public struct NodeTLSPaths: Sendable, Hashable {
        /// Node certificate chain PEM (default `tls/node.pem`).
        public var certificate: String
        /// Node private key PEM, mode 0600 (default `tls/node.key`).
        public var key: String
        /// Trust bundle PEM with one or more CA certificates (default `tls/trust.pem`).
        public var trustBundle: String
        /// Revocation list, SHA-256 fingerprints (default `tls/revoked.txt`; may be absent).
        public var revoked: String

        /// Creates a path set (defaults = the standard layout).
        public init(
            certificate: String = "tls/node.pem",
            key: String = "tls/node.key",
            trustBundle: String = "tls/trust.pem",
            revoked: String = "tls/revoked.txt"
        ) {
            self.certificate = certificate
            self.key = key
            self.trustBundle = trustBundle
            self.revoked = revoked
        }

        /// The standard layout.
        public static let standard = NodeTLSPaths()

        /// File names used inside a bare TLS folder (what `cohort pki issue --out` writes).
        public static let folderLayout = NodeTLSPaths(
            certificate: "node.pem", key: "node.key", trustBundle: "trust.pem", revoked: "revoked.txt"
        )

        /// The paths resolved against `directory` (absolute paths are kept).
        public func resolved(against directory: String) -> NodeTLSPaths {
            NodeTLSPaths(
                certificate: Files.join(directory, certificate),
                key: Files.join(directory, key),
                trustBundle: Files.join(directory, trustBundle),
                revoked: Files.join(directory, revoked)
            )
        }
    }

    /// Everything a node needs for mutually-authenticated TLS: its credentials, the CAs it
    /// trusts, and the certificates it refuses.
    public struct NodeTLSMaterial: Sendable {
        /// This node's certificate chain and key.
        public var credentials: NodeCredentials
        /// CAs trusted to identify peers.
        public var trustBundle: TrustBundle
        /// Refused certificate fingerprints.
        public var revocations: RevocationList

        /// Creates the material from parts.
        public init(credentials: NodeCredentials, trustBundle: TrustBundle, revocations: RevocationList = .empty) {
            self.credentials = credentials
            self.trustBundle = trustBundle
            self.revocations = revocations
        }

        /// This node's identity (`cohort://<consortium>/<node>` of its certificate).
        public func identity() throws -> NodeIdentity { try credentials.identity() }

        /// Loads the material of a node directory (`paths` relative to `nodeDirectory`).
        /// A missing revocation file is an empty list; everything else must exist and parse.
        public static func load(nodeDirectory: String, paths: NodeTLSPaths = .standard) throws -> NodeTLSMaterial {
            let p = paths.resolved(against: nodeDirectory)
            return NodeTLSMaterial(
                credentials: try NodeCredentials.load(certificatePath: p.certificate, keyPath: p.key),
                trustBundle: try TrustBundle.load(path: p.trustBundle),
                revocations: try RevocationList.load(path: p.revoked)
            )
        }

        /// Loads a bare TLS folder (`node.pem`, `node.key`, `trust.pem`, `revoked.txt`).
        public static func load(tlsDirectory: String) throws -> NodeTLSMaterial {
            try load(nodeDirectory: tlsDirectory, paths: .folderLayout)
        }

        /// Writes the material with `paths` relative to `nodeDirectory`: certificate and bundle
        /// 0644, key 0600, revocation list 0644; the key's directory is created 0700.
        public func write(nodeDirectory: String, paths: NodeTLSPaths = .standard) throws {
            let p = paths.resolved(against: nodeDirectory)
            for file in [p.certificate, p.key, p.trustBundle, p.revoked] {
                let dir = (file as NSString).deletingLastPathComponent
                if !dir.isEmpty && !Files.exists(dir) {
                    try Files.makeDirectory(dir, mode: file == p.key ? 0o700 : 0o755)
                }
            }
            try credentials.write(certificatePath: p.certificate, keyPath: p.key)
            try trustBundle.write(to: p.trustBundle)
            try revocations.write(to: p.revoked)
        }
    }
}
