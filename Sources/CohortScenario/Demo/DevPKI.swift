import CohortNet
import CohortNode
import Foundation

/// The development PKI the demo uses: `certs/dev` of the source tree (DEV ONLY), or a fresh one
/// made on the spot when that folder is not available (e.g. the binary was copied elsewhere).
struct DevPKI: Sendable {
    private let materials: [String: PKI.NodeTLSMaterial]

    /// Loads `directory` (`ca/` and one folder per node with node.pem, node.key, trust.pem,
    /// revoked.txt), or makes a fresh CA and node certificates for `nodes`.
    static func load(from directory: URL?, nodes: [String], say: (String) -> Void) throws -> DevPKI {
        if let directory {
            var materials: [String: PKI.NodeTLSMaterial] = [:]
            do {
                for node in nodes {
                    materials[node] = try PKI.NodeTLSMaterial.load(tlsDirectory: directory.appendingPathComponent(node).path)
                }
                say("Using the development PKI in \(directory.path) (DEV ONLY)")
                return DevPKI(materials: materials)
            } catch {
                say("The development PKI in \(directory.path) is not usable (\(error)); making a fresh one")
            }
        }
        let ca = try PKI.CertificateAuthority.create(consortium: Demo.consortium, validityDays: 2)
        var materials: [String: PKI.NodeTLSMaterial] = [:]
        for node in nodes {
            let credentials = try ca.issue(node: node, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 1)
            materials[node] = PKI.NodeTLSMaterial(credentials: credentials, trustBundle: PKI.TrustBundle([ca.certificate]))
        }
        say("Made a fresh development PKI for consortium '\(Demo.consortium)' (valid 1 day)")
        return DevPKI(materials: materials)
    }

    /// The TLS material of `node`.
    func material(for node: String) throws -> PKI.NodeTLSMaterial {
        guard let material = materials[node] else {
            throw ScenarioError(.invalidArgument, "the development PKI has no certificate for node \(node)")
        }
        return material
    }
}
