public import Foundation
public import X509

extension PKI {
    /// A human-readable summary of a certificate, as printed by `cohort pki inspect`.
    public struct CertificateSummary: Sendable, Hashable {
        /// Subject distinguished name.
        public var subject: String
        /// Issuer distinguished name.
        public var issuer: String
        /// Serial number, hex.
        public var serialNumber: String
        /// Start of validity.
        public var notValidBefore: Date
        /// End of validity.
        public var notValidAfter: Date
        /// Whether the certificate is a CA (basic constraints).
        public var isCertificateAuthority: Bool
        /// `cohort://` identities in the SAN URIs.
        public var identities: [String]
        /// DNS SANs.
        public var dnsNames: [String]
        /// IP SANs.
        public var ipAddresses: [String]
        /// SHA-256 fingerprint of the DER encoding (the revocation-list form).
        public var fingerprint: String
        /// Public key description, e.g. `P256.PublicKey`.
        public var publicKey: String

        /// Summarises a certificate.
        public init(_ certificate: Certificate) throws {
            subject = String(describing: certificate.subject)
            issuer = String(describing: certificate.issuer)
            serialNumber = PKI.hex(certificate.serialNumber.bytes)
            notValidBefore = certificate.notValidBefore
            notValidAfter = certificate.notValidAfter
            if case .some(.isCertificateAuthority) = try? certificate.extensions.basicConstraints {
                isCertificateAuthority = true
            } else {
                isCertificateAuthority = false
            }
            var uris: [String] = []
            if let san = try? certificate.extensions.subjectAlternativeNames {
                for name in san {
                    if case .uniformResourceIdentifier(let uri) = name { uris.append(uri) }
                }
            }
            identities = uris
            let hosts = PKI.sanHosts(of: certificate)
            dnsNames = hosts.dnsNames
            ipAddresses = hosts.ipAddresses
            fingerprint = try PKI.fingerprint(of: certificate)
            publicKey = String(describing: certificate.publicKey)
        }

        /// Validity state of the certificate at `date`.
        public func validity(at date: Date) -> String {
            if date < notValidBefore { return "not yet valid" }
            if date > notValidAfter { return "expired" }
            let days = Int(notValidAfter.timeIntervalSince(date) / 86_400)
            return "valid (\(days) days left)"
        }

        /// Multi-line `key: value` text.
        public func render(now: Date = Date()) -> String {
            let iso = ISO8601DateFormatter()
            var lines = [
                "subject:      \(subject)",
                "issuer:       \(issuer)",
                "serial:       \(serialNumber)",
                "not before:   \(iso.string(from: notValidBefore))",
                "not after:    \(iso.string(from: notValidAfter))",
                "status:       \(validity(at: now))",
                "CA:           \(isCertificateAuthority ? "yes" : "no")",
                "key:          \(publicKey)",
                "sha256:       \(fingerprint)",
            ]
            for uri in identities { lines.append("identity:     \(uri)") }
            for dns in dnsNames { lines.append("dns:          \(dns)") }
            for ip in ipAddresses { lines.append("ip:           \(ip)") }
            return lines.joined(separator: "\n")
        }
    }
}
