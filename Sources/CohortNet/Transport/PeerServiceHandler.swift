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

    /// `CosignCheckpoint`: witness (cosign) the peer's audit checkpoint.
    func cosignCheckpoint(
        _ request: Cohort_Peer_V1_CosignRequest, from peer: String
    ) async throws -> Cohort_Peer_V1_CosignResponse
}
