import CohortAudit
import CohortWire
import Foundation
import GRPCCore

/// The witness side of `CosignCheckpoint` (C2SP tlog-witness over the peer service): a peer may
/// submit only its own log's checkpoint; its audit key is pinned at first use; the checkpoint is
/// cosigned when consistent with the one witnessed last, and refused (kept as evidence, audited)
/// when it is a fork or a rollback. A request with `witnessed_origin` instead returns every
/// checkpoint of that origin this node cosigned.
struct WitnessEndpoint: Sendable {
    let audit: Audit.Log

    func answer(_ request: Cohort_Peer_V1_CosignRequest, from peer: String) async throws -> Cohort_Peer_V1_CosignResponse {
        var response = Cohort_Peer_V1_CosignResponse()
        response.witnessKey = audit.verifier.text
        if request.note.isEmpty {
            guard !request.witnessedOrigin.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "CosignCheckpoint needs a note, or witnessed_origin to query")
            }
            do {
                response.witnessedNotes = try audit.reader().witnessedCheckpoints(origin: request.witnessedOrigin)
            } catch {
                throw RPCError(code: .internalError, message: "cannot read witnessed checkpoints: \(error)")
            }
            return response
        }
        let key: Audit.NoteVerifier
        do {
            key = try audit.pinPeerKey(peer, Audit.NoteVerifier(parsing: request.logKey))
        } catch let error as AuditError {
            throw RPCError(code: error.code == .wrongNode ? .permissionDenied : .invalidArgument, message: "log_key: \(error.message)")
        }
        var proof: [Audit.Hash] = []
        for (i, data) in request.consistencyProof.enumerated() {
            guard let hash = data.withUnsafeBytes({ Audit.Hash(raw: $0) }) else {
                throw RPCError(code: .invalidArgument, message: "consistency_proof[\(i)] is \(data.count) bytes, not 32")
            }
            proof.append(hash)
        }
        do {
            switch try await audit.witness(note: request.note, peerKey: key, oldSize: request.oldSize, proof: proof, actor: peer) {
            case .cosigned(let cp):
                response.cosignedNote = cp.serialized
            case .conflict(let size):
                response.conflict = true
                response.witnessedSize = size
            }
        } catch let error as AuditError {
            switch error.code {
            case .proofMismatch: throw RPCError(code: .failedPrecondition, message: error.message)
            case .wrongNode, .badSignature: throw RPCError(code: .permissionDenied, message: error.message)
            case .malformedNote: throw RPCError(code: .invalidArgument, message: error.message)
            case .logLocked: throw RPCError(code: .aborted, message: error.message)
            default: throw RPCError(code: .unavailable, message: "\(error)")
            }
        }
        return response
    }
}
