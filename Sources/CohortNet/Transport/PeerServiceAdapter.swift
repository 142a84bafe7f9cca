import CohortWire
import GRPCCore

/// The generated gRPC service, bound to a ``PeerServiceHandler``: every call first resolves the
/// caller's authenticated identity from the connection (refusing and reporting calls without
/// one), then forwards to the handler.
struct PeerServiceAdapter: Cohort_Peer_V1_PeerService.SimpleServiceProtocol {
    let handler: any PeerServiceHandler
    let registry: PeerSessionRegistry
    let events: PeerEventHandlers
    /// Server-side bound on a handler's run time, whatever deadline the caller sent.
    let maxCallDuration: Duration

    /// The caller's authenticated name. Until the connection has been recorded
    /// (``PeerEventHandlers/onConnection``, on its first call), every call records it first and
    /// fails (status `unavailable`) if that fails: no call is served on an unrecorded connection.
    private func authenticatedPeer(_ context: ServerContext) async throws -> String {
        guard let (session, recorded) = registry.lookup(address: context.remotePeer) else {
            events.onRefusal(PeerRefusal(
                peerAddress: context.remotePeer, claimedName: nil,
                reason: "call \(context.descriptor.fullyQualifiedMethod) on a connection without an authenticated peer",
                code: .unauthenticated, direction: .inbound
            ))
            throw RPCError(code: .unauthenticated, message: "no authenticated peer identity on this connection")
        }
        if !recorded {
            do {
                try await events.onConnection(PeerConnection(
                    peer: session.peer, peerAddress: context.remotePeer, direction: .inbound,
                    fingerprint: session.fingerprint
                ))
            } catch {
                throw RPCError(code: .unavailable, message: "the connection could not be recorded in the audit log")
            }
            registry.markRecorded(address: context.remotePeer)
        }
        return session.peer
    }

    func hello(
        request: Cohort_Peer_V1_HelloRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_HelloResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.hello(request, from: peer) }
    }

    func proposeStudy(
        request: Cohort_Peer_V1_ProposeStudyRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_ProposeStudyResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.proposeStudy(request, from: peer) }
    }

    func requestContribution(
        request: Cohort_Peer_V1_ContributionRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_ContributionResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.requestContribution(request, from: peer) }
    }

    func publishResult(
        request: Cohort_Peer_V1_PublishResultRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_PublishResultResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.publishResult(request, from: peer) }
    }

    func abortStudy(
        request: Cohort_Peer_V1_AbortStudyRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_AbortStudyResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.abortStudy(request, from: peer) }
    }

    func studyProgress(
        request: Cohort_Peer_V1_StudyProgressRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_StudyProgressResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.studyProgress(request, from: peer) }
    }

    func advertiseKeys(
        request: Cohort_Peer_V1_AdvertiseKeysRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_AdvertiseKeysResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.advertiseKeys(request, from: peer) }
    }

    func shareKeys(
        request: Cohort_Peer_V1_ShareKeysRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_ShareKeysResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.shareKeys(request, from: peer) }
    }

    func submitMaskedInput(
        request: Cohort_Peer_V1_MaskedInputRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_MaskedInputResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.submitMaskedInput(request, from: peer) }
    }

    func unmask(
        request: Cohort_Peer_V1_UnmaskRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_UnmaskResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.unmask(request, from: peer) }
    }

    func cosignCheckpoint(
        request: Cohort_Peer_V1_CosignRequest, context: ServerContext
    ) async throws -> Cohort_Peer_V1_CosignResponse {
        let peer = try await authenticatedPeer(context)
        return try await bounded { [handler] in try await handler.cosignCheckpoint(request, from: peer) }
    }

    /// Runs `body`, failing with `deadlineExceeded` (and cancelling it) after `maxCallDuration`.
    private func bounded<Response: Sendable>(
        _ body: @escaping @Sendable () async throws -> Response
    ) async throws -> Response {
        do {
            return try await withTimeout(maxCallDuration, body)
        } catch let timeout as TimeoutError {
            throw RPCError(code: .deadlineExceeded, message: "the call exceeded the server's limit of \(timeout.limit)")
        }
    }
}
