import CohortNet
import CohortNode
import Foundation

/// The PKI of one scenario run: a fresh consortium CA (valid two days) issuing every party's
/// certificate, plus the bad identities the scenario's hostile-peer events present. The demo
/// may use the development PKI in `certs/dev` instead (it has no hostile events).
struct ScenarioPKI: Sendable {
    /// Each party's TLS material (revocation lists already include the scenario's revoked certificates).
    var materials: [String: PKI.NodeTLSMaterial]
    /// Per target party: a certificate for another party that the target's revocation list names.
    var revoked: [String: PKI.NodeTLSMaterial]
    /// The consortium CA (nil with the development PKI).
    let authority: PKI.CertificateAuthority?
    /// The consortium name.
    let consortium: String

    /// A fresh CA and one certificate per party; for every party some `bad_certificates`
    /// event with `revoked` targets, an extra certificate impersonating another party whose
    /// fingerprint goes into the target's revocation list.
    static func fresh(consortium: String, parties: [String], revokedTargets: Set<String>) throws -> ScenarioPKI {
        let now = Date()
        let ca = try PKI.CertificateAuthority.create(
            consortium: consortium, now: now, notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(2 * 86_400))
        var revoked: [String: PKI.NodeTLSMaterial] = [:]
        var revokedFingerprints: [String: String] = [:]
        for target in revokedTargets {
            guard let impersonated = parties.first(where: { $0 != target }) else { continue }
            let credentials = try ca.issue(node: impersonated, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 1, now: now)
            revoked[target] = PKI.NodeTLSMaterial(credentials: credentials, trustBundle: ca.trustBundle)
            revokedFingerprints[target] = try PKI.fingerprint(of: credentials.certificate)
        }
        var materials: [String: PKI.NodeTLSMaterial] = [:]
        for party in parties {
            let credentials = try ca.issue(node: party, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 1, now: now)
            materials[party] = PKI.NodeTLSMaterial(
                credentials: credentials, trustBundle: ca.trustBundle,
                revocations: PKI.RevocationList(revokedFingerprints[party].map { [$0] } ?? []))
        }
        return ScenarioPKI(materials: materials, revoked: revoked, authority: ca, consortium: consortium)
    }

    /// The development PKI of `directory` (DEV ONLY), or a fresh one when it is not usable.
    static func development(directory: URL, parties: [String], say: (String) -> Void) throws -> ScenarioPKI {
        let dev = try DevPKI.load(from: directory, nodes: parties, say: say)
        var materials: [String: PKI.NodeTLSMaterial] = [:]
        for party in parties { materials[party] = try dev.material(for: party) }
        return ScenarioPKI(materials: materials, revoked: [:], authority: nil, consortium: Demo.consortium)
    }

    /// The material of `party`.
    func material(for party: String) throws -> PKI.NodeTLSMaterial {
        guard let material = materials[party] else {
            throw ScenarioError(.invalidArgument, "the scenario PKI has no certificate for \(party)")
        }
        return material
    }

    /// The identity a hostile peer presents to `target` for `kind`; `impersonated` is a party
    /// the target knows as a peer.
    func hostile(_ kind: Scenario.BadCertificate, target: String, impersonated: String) throws -> PKI.NodeTLSMaterial {
        guard let ca = authority else {
            throw ScenarioError(.invalidArgument, "hostile-peer events need the scenario's own CA (not the development PKI)")
        }
        let now = Date()
        switch kind {
        case .expired:
            let credentials = try ca.issue(
                node: impersonated, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], now: now,
                notBefore: now.addingTimeInterval(-2 * 86_400), notAfter: now.addingTimeInterval(-3600))
            return PKI.NodeTLSMaterial(credentials: credentials, trustBundle: ca.trustBundle)
        case .unknownCA:
            let foreign = try PKI.CertificateAuthority.create(
                consortium: consortium, now: now, notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400),
                commonName: "Mallory CA")
            let credentials = try foreign.issue(node: impersonated, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 1, now: now)
            return PKI.NodeTLSMaterial(credentials: credentials, trustBundle: PKI.TrustBundle([ca.certificate, foreign.certificate]))
        case .revoked:
            guard let material = revoked[target] else {
                throw ScenarioError(.invalidArgument, "no revoked certificate was prepared for \(target)")
            }
            return material
        case .wrongName:
            let credentials = try ca.issue(node: "mallory", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 1, now: now)
            return PKI.NodeTLSMaterial(credentials: credentials, trustBundle: ca.trustBundle)
        }
    }
}
