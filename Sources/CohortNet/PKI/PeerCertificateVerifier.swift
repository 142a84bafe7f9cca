import CohortCore
public import Foundation
@_spi(FixedExpiryValidationTime) public import X509

extension PKI {
    /// Which peer identities a verification accepts.
    public enum PeerExpectation: Sendable, Hashable {
        /// Any of these configured peer node names (server side: who may call us).
        case anyOf(Set<String>)
        /// Exactly this node (client side: the peer we meant to call).
        case exactly(String)
    }

    /// The TLS role of the party presenting the certificate being verified.
    public enum PresenterRole: Sendable, Hashable {
        /// A client connecting to us (needs `clientAuth` if it has an EKU extension).
        case client
        /// A server we connect to (needs `serverAuth` if it has an EKU extension).
        case server
    }

    /// The outcome of verifying a peer certificate chain.
    public enum PeerVerification: Sendable, Hashable {
        /// The chain is valid for the expected peer: its identity and validated chain
        /// (leaf first, trusted root last).
        case accepted(NodeIdentity, validatedChain: [Certificate])
        /// The chain is refused.
        case refused(code: PeerRefusal.Code, reason: String, claimedName: String?)
    }

    /// Verifies peer certificates: revocation (leaf and chain), validity window, chain to a CA in
    /// the trust bundle (swift-certificates `Verifier` with the RFC 5280 policy), key usage for
    /// the role, and the `cohort://<consortium>/<node>` identity against the expectation.
    ///
    /// Pure apart from reading the clock (pass `now` for tests). Cost: one chain build over the
    /// trust bundle, O(bundle size) signature checks at most.
    public struct PeerCertificateVerifier: Sendable {
        /// Our consortium: peers must carry identities in it.
        public var consortium: String
        /// CAs that may identify peers.
        public var trustBundle: TrustBundle
        /// Refused fingerprints.
        public var revocations: RevocationList
        /// Which identities are acceptable.
        public var expectation: PeerExpectation
        /// The role of the certificate presenter.
        public var presenterRole: PresenterRole

        /// Creates a verifier.
        public init(
            consortium: String, trustBundle: TrustBundle, revocations: RevocationList,
            expectation: PeerExpectation, presenterRole: PresenterRole
        ) {
            self.consortium = consortium
            self.trustBundle = trustBundle
            self.revocations = revocations
            self.expectation = expectation
            self.presenterRole = presenterRole
        }

        /// Verifies a presented chain (leaf first, as sent by the peer) at time `now`.
        public func verify(chain: [Certificate], now: Date = Date()) async -> PeerVerification {
            guard let leaf = chain.first else {
                return .refused(code: .noCertificate, reason: "peer presented no certificate", claimedName: nil)
            }
            let names = PKI.identities(in: leaf)
            let claimed = names.first?.node

            if revocations.contains(leaf) {
                return .refused(
                    code: .revoked,
                    reason: "certificate \((try? PKI.fingerprint(of: leaf)) ?? "?") is revoked",
                    claimedName: claimed
                )
            }
            if now < leaf.notValidBefore {
                return .refused(
                    code: .notYetValid,
                    reason: "certificate is not valid before \(ISO8601DateFormatter().string(from: leaf.notValidBefore))",
                    claimedName: claimed
                )
            }
            if now > leaf.notValidAfter {
                return .refused(
                    code: .expired,
                    reason: "certificate expired at \(ISO8601DateFormatter().string(from: leaf.notValidAfter))",
                    claimedName: claimed
                )
            }

            var verifier = Verifier(rootCertificates: CertificateStore(trustBundle.certificates)) {
                RFC5280Policy(fixedExpiryValidationTime: now)
            }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst()))
            let validated: [Certificate]
            switch result {
            case .validCertificate(let chain):
                validated = Array(chain)
            case .couldNotValidate(let failures):
                let detail = failures.first.map { String(describing: $0.policyFailureReason) }
                return .refused(
                    code: .unknownAuthority,
                    reason: "certificate does not chain to a trusted CA"
                        + (detail.map { " (\($0))" } ?? " (issuer not in trust bundle)"),
                    claimedName: claimed
                )
            }
            for ca in validated.dropFirst() where revocations.contains(ca) {
                return .refused(
                    code: .revoked,
                    reason: "issuing CA '\(ca.subject)' is revoked",
                    claimedName: claimed
                )
            }

            if case .some(.isCertificateAuthority) = try? leaf.extensions.basicConstraints {
                return .refused(code: .badCertificate, reason: "a CA certificate cannot identify a node", claimedName: claimed)
            }
            if let eku = try? leaf.extensions.extendedKeyUsage {
                let needed: ExtendedKeyUsage.Usage = presenterRole == .client ? .clientAuth : .serverAuth
                if !eku.contains(needed) && !eku.contains(.any) {
                    return .refused(
                        code: .badCertificate,
                        reason: "certificate is not valid for TLS \(presenterRole == .client ? "client" : "server") authentication",
                        claimedName: claimed
                    )
                }
            }

            guard names.count == 1, let identity = names.first else {
                return .refused(
                    code: .missingIdentity,
                    reason: names.isEmpty ? "certificate carries no cohort:// identity"
                        : "certificate carries \(names.count) cohort:// identities",
                    claimedName: claimed
                )
            }
            guard identity.consortium == consortium else {
                return .refused(
                    code: .missingIdentity,
                    reason: "certificate identity \(identity.uri) is not in consortium '\(consortium)'",
                    claimedName: identity.node
                )
            }
            switch expectation {
            case .anyOf(let allowed):
                guard allowed.contains(identity.node) else {
                    return .refused(
                        code: .unknownPeer,
                        reason: "'\(identity.node)' is not a configured peer",
                        claimedName: identity.node
                    )
                }
            case .exactly(let expected):
                guard identity.node == expected else {
                    return .refused(
                        code: .nameMismatch,
                        reason: "expected peer '\(expected)' but the certificate names '\(identity.node)'",
                        claimedName: identity.node
                    )
                }
            }
            return .accepted(identity, validatedChain: validated)
        }
    }
}
