import CohortNet
public import CohortAudit
import CohortWire
import Foundation

/// A peer's answer to a checkpoint sent for witnessing.
public struct WitnessReply: Sendable, Hashable {
    /// The cosigned note (empty on a conflict).
    public var cosignedNote: String
    /// The peer's size on a conflict (tlog-witness 409), nil otherwise.
    public var conflictSize: UInt64?
    /// The peer's audit verifier key (note verifier text).
    public var witnessKey: String
}

extension PeerDirectory {
    /// `CosignCheckpoint`: asks `peer` to witness `note` (this node's checkpoint), with the
    /// consistency proof from `oldSize`. Throws `NodeError(.peerUnavailable)` when unreachable
    /// or when the peer refuses (its message says why: a fork or rollback).
    public func cosign(peer: String, note: String, oldSize: UInt64, proof: [Audit.Hash], logKey: String) async throws -> WitnessReply {
        var request = Cohort_Peer_V1_CosignRequest()
        request.note = note
        request.oldSize = oldSize
        request.consistencyProof = proof.map { $0.withUnsafeBytes { Data($0) } }
        request.logKey = logKey
        let response = try await withClient(peer) { try await $0.cosignCheckpoint(request) }
        return WitnessReply(
            cosignedNote: response.cosignedNote, conflictSize: response.conflict ? response.witnessedSize : nil,
            witnessKey: response.witnessKey)
    }

    /// Fetches every checkpoint of `origin` that `peer` cosigned, and the peer's verifier key.
    public func witnessed(by peer: String, origin: String) async throws -> (notes: [String], witnessKey: String) {
        var request = Cohort_Peer_V1_CosignRequest()
        request.witnessedOrigin = origin
        let response = try await withClient(peer) { try await $0.cosignCheckpoint(request) }
        return (response.witnessedNotes, response.witnessKey)
    }
}
