import CohortNet
import CohortAudit
import CohortStore
import Foundation

/// An operator's fetch of what a node's peers witnessed: over the peer service, with the node's
/// own TLS identity and the peer addresses of its `cohort.yaml`.
public enum WitnessCollection {
    /// What one peer returned: every checkpoint of the origin it cosigned, and its verifier key.
    public struct Fetched: Sendable, Hashable {
        /// The peer.
        public var peer: String
        /// Cosigned checkpoint notes, ascending by size.
        public var notes: [String]
        /// The peer's audit verifier key (note verifier text).
        public var witnessKey: String
    }

    /// Asks each of `peers` (names from the node's config) for the checkpoints of `origin` it
    /// cosigned. Throws `NodeError` naming the first peer that cannot be asked.
    public static func fetch(nodeDirectory: String, peers: [String], origin: String) async throws -> [Fetched] {
        let config = try NodeConfig.load(from: NodeDirectory(nodeDirectory).configPath)
        let material: PKI.NodeTLSMaterial
        do {
            material = try PKI.NodeTLSMaterial.load(nodeDirectory: nodeDirectory, paths: PKI.NodeTLSPaths(
                certificate: config.tls.certificate, key: config.tls.key, trustBundle: config.tls.trustBundle,
                revoked: config.tls.revoked))
        } catch {
            throw NodeError(.invalidConfiguration, "node \(config.node.name): cannot load its TLS material: \(error)")
        }
        let addresses = Dictionary(config.network.peers.map { ($0.name, $0.address) }, uniquingKeysWith: { a, _ in a })
        let directory = PeerDirectory(material: material, addresses: addresses)
        var out: [Fetched] = []
        for peer in peers {
            let (notes, key) = try await directory.witnessed(by: peer, origin: origin)
            out.append(Fetched(peer: peer, notes: notes, witnessKey: key))
        }
        return out
    }
}
