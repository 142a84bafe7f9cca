public import X509

extension PKI {
    /// The set of CA certificates a node trusts to identify peers. May hold several partners'
    /// CAs (one PEM file with several `CERTIFICATE` blocks).
    public struct TrustBundle: Sendable, Hashable {
        /// The trusted CA certificates.
        public var certificates: [Certificate]

        /// Creates a bundle from certificates.
        public init(_ certificates: [Certificate]) {
            self.certificates = certificates
        }

        /// Loads a PEM bundle file. An empty or certificate-less file is an error: a node that
        /// trusts nobody cannot talk to anyone.
        public static func load(path: String) throws -> TrustBundle {
            let certs = try PKI.certificates(fromPEM: try Files.readText(path), source: path)
            guard !certs.isEmpty else {
                throw NetworkError(.malformedMaterial, "trust bundle \(path) contains no certificates")
            }
            return TrustBundle(certs)
        }

        /// The bundle as PEM text (one block per CA).
        public func pemString() throws -> String {
            try certificates.map { try PKI.pem(of: $0) }.joined(separator: "\n") + "\n"
        }

        /// Writes the bundle to `path` (mode 0644).
        public func write(to path: String) throws {
            try Files.writeText(try pemString(), to: path)
        }

        /// A bundle with the certificates of `self` followed by those of `other` not already in it.
        public func merged(with other: TrustBundle) -> TrustBundle {
            var result = certificates
            for cert in other.certificates where !result.contains(cert) {
                result.append(cert)
            }
            return TrustBundle(result)
        }
    }
}
