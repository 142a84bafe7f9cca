import GRPCCore
public import CohortWire

/// What a node does with authenticated peer calls. The node runtime implements this; the
/// ``PeerServer`` calls it only after the caller's certificate has been verified, passing the
/// authenticated peer node name (never a name taken from the message).
///
/// Throw `GRPCCore.RPCError` to send a specific status (e.g. `.failedPrecondition`,
/// `.permissionDenied`) with a message to the peer; any other error reaches the peer as
/// status `unknown` without details.
public protocol PeerServiceHandler: Sendable {
    /// `Hello`: exchange identity, protocol version and latest signed audit checkpoint.
    func hello(
        _ request: Cohort_Peer_V1_HelloRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_HelloResponse

    /// `ProposeStudy`: the lead `peer` proposes a study; accept or reject with a reason.
    func proposeStudy(
        _ request: Cohort_Peer_V1_ProposeStudyRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_ProposeStudyResponse

    /// `RequestContribution`: the lead asks for this node's contribution to a round.
    func requestContribution(
        _ request: Cohort_Peer_V1_ContributionRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_ContributionResponse

    /// `PublishResult`: the lead publishes a study's released result.
    func publishResult(
        _ request: Cohort_Peer_V1_PublishResultRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_PublishResultResponse

    /// `AbortStudy`: the lead `peer` abandons a study this node takes part in.
    func abortStudy(
        _ request: Cohort_Peer_V1_AbortStudyRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_AbortStudyResponse

    /// `StudyProgress`: the participant `peer` asks where a study this node leads stands.
    func studyProgress(
        _ request: Cohort_Peer_V1_StudyProgressRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_StudyProgressResponse

    /// `AdvertiseKeys` (secure aggregation stage 1): the lead `peer` asks for this node's signed round keys (this node computes and noises its contribution first).
    func advertiseKeys(
        _ request: Cohort_Peer_V1_AdvertiseKeysRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_AdvertiseKeysResponse

    /// `ShareKeys` (stage 2): the lead forwards every advertisement; return this node's encrypted shares.
    func shareKeys(
        _ request: Cohort_Peer_V1_ShareKeysRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_ShareKeysResponse

    /// `SubmitMaskedInput` (stage 3): the lead delivers this node's shares; return the masked contribution.
    func submitMaskedInput(
        _ request: Cohort_Peer_V1_MaskedInputRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_MaskedInputResponse

    /// `Unmask` (stage 4): the lead names survivors and dropouts; reveal this node's shares.
    func unmask(
        _ request: Cohort_Peer_V1_UnmaskRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_UnmaskResponse

    /// `CosignCheckpoint`: witness (cosign) the peer's audit checkpoint.
    func cosignCheckpoint(
        _ request: Cohort_Peer_V1_CosignRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_CosignResponse
}

extension PeerServiceHandler {
    /// Default for handlers that do not take part in secure aggregation: `unimplemented`.
    public func advertiseKeys(
        _ request: Cohort_Peer_V1_AdvertiseKeysRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_AdvertiseKeysResponse {
        throw RPCError(code: .unimplemented, message: "this node does not serve secure aggregation")
    }

    /// Default for handlers that do not take part in secure aggregation: `unimplemented`.
    public func shareKeys(
        _ request: Cohort_Peer_V1_ShareKeysRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_ShareKeysResponse {
        throw RPCError(code: .unimplemented, message: "this node does not serve secure aggregation")
    }

    /// Default for handlers that do not take part in secure aggregation: `unimplemented`.
    public func submitMaskedInput(
        _ request: Cohort_Peer_V1_MaskedInputRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_MaskedInputResponse {
        throw RPCError(code: .unimplemented, message: "this node does not serve secure aggregation")
    }

    /// Default for handlers that do not take part in secure aggregation: `unimplemented`.
    public func unmask(
        _ request: Cohort_Peer_V1_UnmaskRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_UnmaskResponse {
        throw RPCError(code: .unimplemented, message: "this node does not serve secure aggregation")
    }
}
