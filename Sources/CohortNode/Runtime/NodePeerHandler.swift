public import CohortNet
import CohortSecureAggregation
import CohortStudy
public import CohortAudit
public import CohortWire
import Foundation
import GRPCCore

/// Serves the peer RPCs of a running node: every call arrives authenticated (the peer name
/// comes from its verified certificate) and is handed to the ``StudyEngine``.
public struct NodePeerHandler: PeerServiceHandler {
    /// The node's study engine.
    public let engine: StudyEngine
    /// This node's name and consortium.
    public let node: String
    /// Consortium name.
    public let consortium: String
    /// Metrics to count requests in.
    public let metrics: NodeMetrics
    /// Latest signed checkpoint of this node's audit log (signed-note text), if any.
    public let latestCheckpoint: @Sendable () async -> String?
    /// This node's audit log, which witnesses (cosigns) peers' checkpoints; nil: cosigning off.
    public let audit: Audit.Log?

    /// Protocol version spoken.
    public static let protocolVersion: UInt32 = 1
    /// Software version string.
    public static let softwareVersion = "cohort/0.1"

    /// Creates the handler.
    public init(
        engine: StudyEngine, node: String, consortium: String, metrics: NodeMetrics,
        latestCheckpoint: @escaping @Sendable () async -> String?, audit: Audit.Log? = nil
    ) {
        self.engine = engine
        self.node = node
        self.consortium = consortium
        self.metrics = metrics
        self.latestCheckpoint = latestCheckpoint
        self.audit = audit
    }

    public func hello(_ request: Cohort_Peer_V1_HelloRequest, from peer: String) async throws -> Cohort_Peer_V1_HelloResponse {
        metrics.countRequest("Hello")
        guard request.protocolVersion == Self.protocolVersion else {
            throw RPCError(code: .failedPrecondition,
                message: "protocol version \(request.protocolVersion) is not supported (this node speaks \(Self.protocolVersion))")
        }
        var response = Cohort_Peer_V1_HelloResponse()
        response.node = node
        response.consortium = consortium
        response.protocolVersion = Self.protocolVersion
        response.checkpoint = await latestCheckpoint() ?? ""
        response.softwareVersion = Self.softwareVersion
        return response
    }

    public func proposeStudy(_ request: Cohort_Peer_V1_ProposeStudyRequest, from peer: String) async throws -> Cohort_Peer_V1_ProposeStudyResponse {
        metrics.countRequest("ProposeStudy")
        guard request.lead.isEmpty || request.lead == peer else {
            throw RPCError(code: .permissionDenied,
                message: "the proposal names lead '\(request.lead)' but the caller's certificate is '\(peer)'")
        }
        guard !request.studyID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "study_id is empty")
        }
        var response = Cohort_Peer_V1_ProposeStudyResponse()
        switch await engine.onProposal(study: request.studyID, specJSON: request.specJson, from: peer) {
        case .accepted:
            response.accepted = true
        case .pending:
            response.pending = true
            response.reason = "waiting for the operator of \(node) to approve"
        case .rejected(let reason):
            response.reason = reason
        }
        return response
    }

    public func requestContribution(_ request: Cohort_Peer_V1_ContributionRequest, from peer: String) async throws -> Cohort_Peer_V1_ContributionResponse {
        metrics.countRequest("RequestContribution")
        let message: Study.ContributionMessage
        do {
            let payload: Study.RoundPayload
            do {
                payload = try Study.RoundPayload(Array(request.payload))
            } catch {
                throw RPCError(code: .invalidArgument, message: "\(error)")
            }
            message = try await engine.onContributionRequest(
                study: request.studyID, round: Int(request.round), payload: payload, from: peer)
        } catch let error as NodeError {
            throw RPCError(code: error.code == .contributionRefused ? .failedPrecondition : .aborted, message: error.message)
        }
        var response = Cohort_Peer_V1_ContributionResponse()
        response.values = message.values
        response.costJson = try message.costJSON()
        response.simulated = message.simulated
        return response
    }

    /// Runs a secure-aggregation stage, mapping the engine's refusals to `failedPrecondition`
    /// and other node errors to `aborted` (invalid messages to `invalidArgument`).
    private func stage<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T {
        metrics.countRequest(name)
        do {
            return try await body()
        } catch let error as NodeError {
            switch error.code {
            case .contributionRefused, .refused: throw RPCError(code: .failedPrecondition, message: error.message)
            case .invalidMessage: throw RPCError(code: .invalidArgument, message: error.message)
            default: throw RPCError(code: .aborted, message: error.message)
            }
        }
    }

    public func advertiseKeys(_ request: Cohort_Peer_V1_AdvertiseKeysRequest, from peer: String) async throws -> Cohort_Peer_V1_AdvertiseKeysResponse {
        try await stage("AdvertiseKeys") {
            let payload: Study.RoundPayload
            do { payload = try Study.RoundPayload(Array(request.payload)) } catch {
                throw NodeError(.invalidMessage, "\(error)")
            }
            let parties = try SecureAggregationWire.names(request.parties, field: "parties")
            let signed = try await engine.onAdvertiseKeys(
                study: request.studyID, round: Int(request.round), payload: payload, parties: parties,
                threshold: Int(request.threshold), from: peer)
            var response = Cohort_Peer_V1_AdvertiseKeysResponse()
            response.advertisement = SecureAggregationWire.encode(signed)
            return response
        }
    }

    public func shareKeys(_ request: Cohort_Peer_V1_ShareKeysRequest, from peer: String) async throws -> Cohort_Peer_V1_ShareKeysResponse {
        try await stage("ShareKeys") {
            let advertisements = try SecureAggregationWire.decodeAdvertisements(request)
            let package = try await engine.onShareKeys(
                study: request.studyID, round: Int(request.round), advertisements: advertisements, from: peer)
            var response = Cohort_Peer_V1_ShareKeysResponse()
            response.shares = package.shares.map(SecureAggregationWire.encode)
            return response
        }
    }

    public func submitMaskedInput(_ request: Cohort_Peer_V1_MaskedInputRequest, from peer: String) async throws -> Cohort_Peer_V1_MaskedInputResponse {
        try await stage("SubmitMaskedInput") {
            let delivery = try SecureAggregationWire.decodeDelivery(request, recipient: node)
            let message = try await engine.onMaskedInputRequest(delivery, from: peer)
            var response = Cohort_Peer_V1_MaskedInputResponse()
            response.values = message.values
            response.costJson = try message.costJSON()
            response.simulated = message.simulated
            return response
        }
    }

    public func unmask(_ request: Cohort_Peer_V1_UnmaskRequest, from peer: String) async throws -> Cohort_Peer_V1_UnmaskResponse {
        try await stage("Unmask") {
            let response = try await engine.onUnmaskRequest(try SecureAggregationWire.decode(request), from: peer)
            return SecureAggregationWire.encode(response)
        }
    }

    public func publishResult(_ request: Cohort_Peer_V1_PublishResultRequest, from peer: String) async throws -> Cohort_Peer_V1_PublishResultResponse {
        metrics.countRequest("PublishResult")
        var response = Cohort_Peer_V1_PublishResultResponse()
        do {
            try await engine.onPublishedResult(
                study: request.studyID, resultJSON: request.resultJson, digest: request.sha256, from: peer)
            response.acknowledged = true
        } catch {
            response.acknowledged = false
            response.reason = "\(error)"
        }
        return response
    }

    public func abortStudy(_ request: Cohort_Peer_V1_AbortStudyRequest, from peer: String) async throws -> Cohort_Peer_V1_AbortStudyResponse {
        metrics.countRequest("AbortStudy")
        guard !request.studyID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "study_id is empty")
        }
        guard request.reason.utf8.count <= 4096 else {
            throw RPCError(code: .invalidArgument, message: "the abort reason is longer than 4096 bytes")
        }
        var response = Cohort_Peer_V1_AbortStudyResponse()
        do {
            response.acknowledged = try await engine.onAbort(study: request.studyID, reason: request.reason, from: peer)
        } catch let error as NodeError {
            throw RPCError(code: .unavailable, message: error.message)
        }
        return response
    }

    public func studyProgress(_ request: Cohort_Peer_V1_StudyProgressRequest, from peer: String) async throws -> Cohort_Peer_V1_StudyProgressResponse {
        metrics.countRequest("StudyProgress")
        var response = Cohort_Peer_V1_StudyProgressResponse()
        do {
            response.progressJson = try LeadProgress.encode(try await engine.leadProgress(study: request.studyID, for: peer))
        } catch let error as NodeError {
            throw RPCError(code: error.code == .unknownStudy ? .notFound : .permissionDenied, message: error.message)
        }
        return response
    }

    public func cosignCheckpoint(_ request: Cohort_Peer_V1_CosignRequest, from peer: String) async throws -> Cohort_Peer_V1_CosignResponse {
        metrics.countRequest("CosignCheckpoint")
        guard let audit else {
            throw RPCError(code: .unimplemented, message: "checkpoint cosigning between peers is not enabled on \(node)")
        }
        return try await WitnessEndpoint(audit: audit).answer(request, from: peer)
    }
}
