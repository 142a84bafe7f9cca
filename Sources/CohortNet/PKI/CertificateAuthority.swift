#if canImport(Glibc)
import CohortCore
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif
public import Crypto
public import Foundation
import SwiftASN1
public import X509

extension PKI {
    /// A consortium certificate authority: a self-signed P-256 CA certificate and its key.
    ///
    /// On disk (``load(directory:)`` / ``write(directory:)``): `<dir>/ca.pem` (0644) and
    /// `<dir>/ca.key` (0600) in a 0700 directory. `description` never includes the key.
    public struct CertificateAuthority: Sendable, CustomStringConvertible {
        /// File name of the CA certificate inside a CA directory.
        public static let certificateFileName = "ca.pem"
        /// File name of the CA private key inside a CA directory.
        public static let keyFileName = "ca.key"

        /// The consortium this CA issues identities for.
        public let consortium: String
        /// The CA certificate.
        public let certificate: Certificate
        private let keyBox: SendablePrivateKey

        /// The CA private key.
        public var privateKey: P256.Signing.PrivateKey { keyBox.key }

        /// Wraps an existing CA certificate and key (the key must match the certificate).
        public init(consortium: String, certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws {
            try NodeIdentity.validate(consortium, what: "consortium name")
            guard certificate.publicKey == Certificate.PublicKey(privateKey.publicKey) else {
                throw NetworkError(.malformedMaterial, "CA private key does not match the CA certificate")
            }
            self.consortium = consortium
            self.certificate = certificate
            self.keyBox = SendablePrivateKey(key: privateKey)
        }

        /// Creates a new self-signed CA for `consortium`.
        /// - Parameters:
        ///   - validityDays: days from `now` until `notAfter`.
        ///   - notBefore/notAfter: explicit validity window (overrides `validityDays`; for tests).
        public static func create(
            consortium: String,
            validityDays: Int = PKI.defaultCAValidityDays,
            now: Date = Date(),
            notBefore: Date? = nil,
            notAfter: Date? = nil,
            commonName: String? = nil
        ) throws -> CertificateAuthority {
            try NodeIdentity.validate(consortium, what: "consortium name")
            guard validityDays > 0 else {
                throw NetworkError(.invalidArgument, "CA validity must be at least 1 day, got \(validityDays)")
            }
            let key = P256.Signing.PrivateKey()
            let publicKey = Certificate.PublicKey(key.publicKey)
            let name = try DistinguishedName {
                OrganizationName(consortium)
                CommonName(commonName ?? "Cohort \(consortium) consortium CA")
            }
            let start = notBefore ?? now.addingTimeInterval(-PKI.backdatingSeconds)
            let end = notAfter ?? now.addingTimeInterval(Double(validityDays) * 86_400)
            let certificate: Certificate
            do {
                certificate = try Certificate(
                    version: .v3,
                    serialNumber: Certificate.SerialNumber(),
                    publicKey: publicKey,
                    notValidBefore: start,
                    notValidAfter: end,
                    issuer: name,
                    subject: name,
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions {
                        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                        Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                        SubjectKeyIdentifier(hash: publicKey)
                        SubjectAlternativeNames([.uniformResourceIdentifier("\(PKI.identityScheme)://\(consortium)")])
                    },
                    issuerPrivateKey: Certificate.PrivateKey(key)
                )
            } catch {
                throw NetworkError(.issuanceFailed, "cannot create CA certificate for '\(consortium)': \(error)")
            }
            return try CertificateAuthority(consortium: consortium, certificate: certificate, privateKey: key)
        }

        /// Issues a node certificate with SAN URI `cohort://<consortium>/<node>`, plus the given DNS
        /// names and IP addresses, for both TLS server and client authentication, with a fresh
        /// P-256 key (or `key` if given).
        /// - Parameters:
        ///   - validityDays: days from `now` until `notAfter`.
        ///   - notBefore/notAfter: explicit validity window (overrides `validityDays`; for tests).
        ///   - consortiumOverride: issue for another consortium name (tests of wrong identities).
        public func issue(
            node: String,
            dnsNames: [String] = [],
            ipAddresses: [String] = [],
            validityDays: Int = PKI.defaultNodeValidityDays,
            now: Date = Date(),
            notBefore: Date? = nil,
            notAfter: Date? = nil,
            key: P256.Signing.PrivateKey? = nil,
            consortiumOverride: String? = nil
        ) throws -> NodeCredentials {
            let identity = try NodeIdentity(consortium: consortiumOverride ?? consortium, node: node)
            guard validityDays > 0 else {
                throw NetworkError(.invalidArgument, "certificate validity must be at least 1 day, got \(validityDays)")
            }
            var sans: [GeneralName] = [.uniformResourceIdentifier(identity.uri)]
            for dns in dnsNames {
                guard !dns.isEmpty, dns.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    throw NetworkError(.invalidArgument, "invalid DNS name '\(dns)'")
                }
                sans.append(.dnsName(dns))
            }
            for ip in ipAddresses {
                sans.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(try Self.parseIPAddress(ip)))))
            }
            let nodeKey = key ?? P256.Signing.PrivateKey()
            let publicKey = Certificate.PublicKey(nodeKey.publicKey)
            let subject = try DistinguishedName {
                OrganizationName(identity.consortium)
                CommonName(identity.node)
            }
            let start = notBefore ?? now.addingTimeInterval(-PKI.backdatingSeconds)
            let end = notAfter ?? now.addingTimeInterval(Double(validityDays) * 86_400)
            let caKeyID = try? certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            let certificate: Certificate
            do {
                certificate = try Certificate(
                    version: .v3,
                    serialNumber: Certificate.SerialNumber(),
                    publicKey: publicKey,
                    notValidBefore: start,
                    notValidAfter: end,
                    issuer: self.certificate.subject,
                    subject: subject,
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions {
                        Critical(BasicConstraints.notCertificateAuthority)
                        Critical(KeyUsage(digitalSignature: true))
                        try ExtendedKeyUsage([.serverAuth, .clientAuth])
                        SubjectKeyIdentifier(hash: publicKey)
                        if let caKeyID {
                            AuthorityKeyIdentifier(keyIdentifier: caKeyID)
                        }
                        SubjectAlternativeNames(sans)
                    },
                    issuerPrivateKey: Certificate.PrivateKey(privateKey)
                )
            } catch {
                throw NetworkError(.issuanceFailed, "cannot issue certificate for \(identity): \(error)")
            }
            return try NodeCredentials(chain: [certificate], privateKey: nodeKey)
        }

        /// Loads `<directory>/ca.pem` and `<directory>/ca.key`; the consortium is read from the
        /// CA certificate's `cohort://<consortium>` SAN URI (or its O= attribute).
        public static func load(directory: String) throws -> CertificateAuthority {
            let certPath = Files.join(directory, certificateFileName)
            let keyPath = Files.join(directory, keyFileName)
            let cert = try PKI.loadCertificate(path: certPath)
            let key = try NodeCredentials.loadPrivateKey(path: keyPath)
            guard let consortium = consortiumName(of: cert) else {
                throw NetworkError(.missingIdentity, "\(certPath): CA certificate names no consortium (cohort:// SAN URI)")
            }
            do {
                return try CertificateAuthority(consortium: consortium, certificate: cert, privateKey: key)
            } catch let error as NetworkError {
                throw NetworkError(error.code, "\(directory): \(error.message)")
            }
        }

        /// Writes `<directory>/ca.pem` (0644) and `<directory>/ca.key` (0600), creating the
        /// directory with mode 0700. Refuses to overwrite an existing CA unless `overwrite`.
        public func write(directory: String, overwrite: Bool = false) throws {
            try Files.makeDirectory(directory, mode: 0o700)
            try Files.writeSecret(Array((privateKey.pemRepresentation + "\n").utf8), to: Files.join(directory, Self.keyFileName), overwrite: overwrite)
            try Files.writeText(try PKI.pem(of: certificate), to: Files.join(directory, Self.certificateFileName), overwrite: overwrite)
        }

        /// A trust bundle holding just this CA.
        public var trustBundle: TrustBundle { TrustBundle([certificate]) }

        /// Describes the CA certificate; never the key.
        public var description: String {
            "CertificateAuthority(\(consortium), sha256=\((try? PKI.fingerprint(of: certificate)) ?? "?"))"
        }

        /// The consortium named by a CA certificate (`cohort://<consortium>` SAN URI).
        static func consortiumName(of certificate: Certificate) -> String? {
            guard let san = try? certificate.extensions.subjectAlternativeNames else { return nil }
            let prefix = "\(PKI.identityScheme)://"
            for name in san {
                if case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix(prefix) {
                    let rest = String(uri.dropFirst(prefix.count))
                    if (try? NodeIdentity.validate(rest, what: "consortium")) != nil { return rest }
                }
            }
            return nil
        }

        /// Parses a dotted IPv4 or colon-separated IPv6 address into network-order bytes.
        static func parseIPAddress(_ text: String) throws -> [UInt8] {
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                return withUnsafeBytes(of: &v4) { Array($0) }
            }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 {
                return withUnsafeBytes(of: &v6) { Array($0) }
            }
            throw NetworkError(.invalidArgument, "invalid IP address '\(text)'")
        }
    }
}
