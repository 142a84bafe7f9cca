public import CohortNet
import Crypto
public import Foundation
import X509

extension PKI {
    /// Builds throwaway PKIs for tests — including deliberately bad identities (expired, not yet
    /// valid, foreign CA, revoked, wrong consortium, CA-as-leaf). **Never use in production.**
    ///
    /// ```swift
    /// let pki = try PKI.TestPKI(consortium: "test")
    /// let alpha = try pki.material(for: "alpha")          // good identity, trusts pki's CA
    /// let stale = try pki.material(for: "beta", validity: .expired)
    /// ```
    public struct TestPKI: Sendable {
        /// A certificate validity window relative to now.
        public enum Validity: Sendable, Hashable {
            /// Valid from 1 hour ago for 1 day.
            case current
            /// Expired 1 hour ago (valid 2 days ago … 1 hour ago).
            case expired
            /// Valid from 1 day in the future.
            case notYetValid
            /// Explicit window.
            case window(notBefore: Date, notAfter: Date)

            func dates(now: Date) -> (Date, Date) {
                switch self {
                case .current: return (now.addingTimeInterval(-3600), now.addingTimeInterval(86_400))
                case .expired: return (now.addingTimeInterval(-2 * 86_400), now.addingTimeInterval(-3600))
                case .notYetValid: return (now.addingTimeInterval(86_400), now.addingTimeInterval(2 * 86_400))
                case .window(let start, let end): return (start, end)
                }
            }
        }

        /// The consortium name.
        public let consortium: String
        /// The CA issuing this PKI's identities.
        public let authority: CertificateAuthority

        /// Creates a fresh CA (valid 1 hour ago … 1 day from now) for `consortium`.
        public init(consortium: String = "test", caName: String? = nil, now: Date = Date()) throws {
            self.consortium = consortium
            self.authority = try CertificateAuthority.create(
                consortium: consortium,
                now: now,
                notBefore: now.addingTimeInterval(-3600),
                notAfter: now.addingTimeInterval(7 * 86_400),
                commonName: caName
            )
        }

        /// A trust bundle with just this PKI's CA.
        public var trustBundle: TrustBundle { authority.trustBundle }

        /// Issues credentials for `node` (SANs `localhost` and `127.0.0.1`).
        /// - Parameter consortiumOverride: put the identity in another consortium.
        public func credentials(
            for node: String, validity: Validity = .current, consortiumOverride: String? = nil, now: Date = Date()
        ) throws -> NodeCredentials {
            let (start, end) = validity.dates(now: now)
            return try authority.issue(
                node: node,
                dnsNames: ["localhost"],
                ipAddresses: ["127.0.0.1"],
                notBefore: start,
                notAfter: end,
                consortiumOverride: consortiumOverride
            )
        }

        /// TLS material for `node`: its credentials, a bundle trusting this CA (plus
        /// `extraTrust`), and `revoked` fingerprints.
        public func material(
            for node: String,
            validity: Validity = .current,
            extraTrust: [CertificateAuthority] = [],
            revoked: [String] = [],
            consortiumOverride: String? = nil
        ) throws -> NodeTLSMaterial {
            NodeTLSMaterial(
                credentials: try credentials(for: node, validity: validity, consortiumOverride: consortiumOverride),
                trustBundle: TrustBundle([authority.certificate] + extraTrust.map(\.certificate)),
                revocations: RevocationList(revoked)
            )
        }

        /// Material whose "node certificate" is the CA certificate itself (a misuse case).
        public func caAsLeafMaterial() throws -> NodeTLSMaterial {
            NodeTLSMaterial(
                credentials: try NodeCredentials(chain: [authority.certificate], privateKey: authority.privateKey),
                trustBundle: trustBundle
            )
        }

        /// Writes a node's TLS files into `nodeDirectory` using the standard layout
        /// (`tls/node.pem`, `tls/node.key` 0600, `tls/trust.pem`, `tls/revoked.txt`).
        @discardableResult
        public func writeNode(
            _ node: String, to nodeDirectory: String, validity: Validity = .current, revoked: [String] = []
        ) throws -> NodeTLSMaterial {
            let material = try material(for: node, validity: validity, revoked: revoked)
            try material.write(nodeDirectory: nodeDirectory)
            return material
        }

        /// A new empty temporary directory (caller removes it).
        public static func temporaryDirectory(prefix: String = "cohort-pki") throws -> String {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
            try Files.makeDirectory(path, mode: 0o700)
            return path
        }
    }
}
