import CohortCore
public import CohortNet
public import CohortSecureAggregation
public import CohortStudy
import CohortWire
public import Foundation
import GRPCCore

/// The lead's outbound calls to the peers named in the node config, over mTLS gRPC.
///
/// Each call uses a connection to the configured address whose server certificate names exactly
/// that peer, with the transport's deadline and size limits. With a ``PeerConnectionPool`` the
/// connection is opened once per peer and reused (a failed call closes it, so the next call opens
/// a fresh one); without one, every call opens and closes its own connection.
public struct PeerDirectory: StudyPeerCalls {
    /// This node's TLS material.
    public let material: PKI.NodeTLSMaterial
    /// Peer name → `host:port`.
    public let addresses: [String: String]
    /// Limits for every call.
    public let limits: PeerLimits
    /// Refusal and connection callbacks (outbound direction).
    public let events: PeerEventHandlers
    /// Open connections reused across calls, or `nil` for one connection per call.
    public let pool: PeerConnectionPool?

    /// Creates the directory.
    public init(
        material: PKI.NodeTLSMaterial, addresses: [String: String], limits: PeerLimits = .defaults,
        events: PeerEventHandlers = .ignore, pool: PeerConnectionPool? = nil
    ) {
        self.material = material
        self.addresses = addresses
        self.limits = limits
        self.events = events
        self.pool = pool
    }

    /// Whether `peer` has an address in the node config.
    public func isConfigured(_ peer: String) -> Bool { addresses[peer] != nil }

    /// Runs `body` with a client connected to `peer`.
    public func withClient<T: Sendable>(_ peer: String, _ body: (PeerClient) async throws -> T) async throws -> T {
        guard let address = addresses[peer] else {
            throw NodeError(.peerUnavailable, "peer \(peer) is not in this node's configuration")
        }
        let parsed: HostPort
        do {
            parsed = try HostPort(parsing: address, what: "peer \(peer)'s address")
        } catch let error as CoreError {
            throw NodeError(.invalidConfiguration, error.message)
        }
        let host = parsed.host
        let port = parsed.port
        do {
            guard let pool else {
                return try await PeerClient.withConnection(
                    to: peer, host: host, port: port, material: material, limits: limits, events: events, body)
            }
            let client = try pool.client(for: peer) {
                try PeerClient(peer: peer, host: host, port: port, material: material, limits: limits, events: events)
            }
            do {
                return try await body(client)
            } catch {
                pool.evict(client)
                throw error
            }
        } catch let error as NodeError {
            throw error
        } catch let error as RPCError {
            throw NodeError(.peerUnavailable, "peer \(peer) at \(address): \(error.code): \(error.message)")
        } catch {
            throw NodeError(.peerUnavailable, "peer \(peer) at \(address): \(error)")
        }
    }

    /// `ProposeStudy`.
    public func propose(to peer: String, study: String, specJSON: Data) async throws -> ProposalAnswer {
        var request = Cohort_Peer_V1_ProposeStudyRequest()
        request.studyID = study
        request.specJson = specJSON
        request.lead = (try? material.identity().node) ?? ""
        let response = try await withClient(peer) { try await $0.proposeStudy(request) }
        if response.accepted { return .accepted }
        if response.pending { return .pending }
        return .rejected(response.reason.isEmpty ? "rejected without a reason" : response.reason)
    }

    /// `RequestContribution`.
    public func requestContribution(
        from peer: String, study: String, round: Int, payload: Study.RoundPayload
    ) async throws -> Study.ContributionMessage {
        var request = Cohort_Peer_V1_ContributionRequest()
        request.studyID = study
        request.round = UInt32(round)
        if !payload.bytes.isEmpty { request.payload = Data(payload.bytes) }
        let response = try await withClient(peer) { try await $0.requestContribution(request) }
        do {
            return Study.ContributionMessage(
                study: study, round: round, values: response.values,
                cost: try Study.ContributionMessage.decodeCost(json: response.costJson), simulated: response.simulated)
        } catch {
            throw NodeError(.invalidMessage, "peer \(peer) sent an invalid cost for study \(study): \(error)")
        }
    }

    /// `AdvertiseKeys` (secure aggregation stage 1).
    public func advertiseKeys(
        from peer: String, study: String, round: Int, payload: Study.RoundPayload, parties: [String], threshold: Int
    ) async throws -> SignedKeyAdvertisement {
        var request = Cohort_Peer_V1_AdvertiseKeysRequest()
        request.studyID = study
        request.round = UInt32(round)
        if !payload.bytes.isEmpty { request.payload = Data(payload.bytes) }
        request.parties = parties
        request.threshold = UInt32(threshold)
        let response = try await withClient(peer) { try await $0.advertiseKeys(request) }
        let signed = try SecureAggregationWire.decode(response.advertisement, study: study, round: round, field: "advertisement")
        guard signed.advertisement.sender == peer else {
            throw NodeError(.invalidMessage, "peer \(peer) advertised keys as \(signed.advertisement.sender)")
        }
        return signed
    }

    /// `ShareKeys` (stage 2).
    public func shareKeys(
        from peer: String, study: String, round: Int, advertisements: [SignedKeyAdvertisement]
    ) async throws -> SecureAggregation.SharePackage {
        var request = Cohort_Peer_V1_ShareKeysRequest()
        request.studyID = study
        request.round = UInt32(round)
        request.advertisements = advertisements.map(SecureAggregationWire.encode)
        let response = try await withClient(peer) { try await $0.shareKeys(request) }
        return try SecureAggregationWire.decodeSharePackage(response, study: study, round: round, sender: peer)
    }

    /// `SubmitMaskedInput` (stage 3): the masked contribution with its cost.
    public func submitMaskedInput(from peer: String, delivery: SecureAggregation.ShareDelivery) async throws -> Study.ContributionMessage {
        let request = try SecureAggregationWire.encode(delivery)
        let response = try await withClient(peer) { try await $0.submitMaskedInput(request) }
        do {
            return Study.ContributionMessage(
                study: delivery.study, round: Int(delivery.round), values: response.values,
                cost: try Study.ContributionMessage.decodeCost(json: response.costJson), simulated: response.simulated)
        } catch {
            throw NodeError(.invalidMessage, "peer \(peer) sent an invalid cost for study \(delivery.study): \(error)")
        }
    }

    /// `Unmask` (stage 4).
    public func unmask(from peer: String, request: SecureAggregation.UnmaskRequest) async throws -> SecureAggregation.UnmaskResponse {
        let wire = try SecureAggregationWire.encode(request)
        let response = try await withClient(peer) { try await $0.unmask(wire) }
        return try SecureAggregationWire.decode(response, study: request.study, round: request.round, sender: peer)
    }

    /// `AbortStudy`: returns whether the participant knew and ended the study.
    public func abort(to peer: String, study: String, reason: String) async throws -> Bool {
        var request = Cohort_Peer_V1_AbortStudyRequest()
        request.studyID = study
        request.reason = String(reason.prefix(1024))
        return try await withClient(peer) { try await $0.abortStudy(request) }.acknowledged
    }

    /// `StudyProgress`.
    public func progress(from lead: String, study: String) async throws -> LeadProgress {
        var request = Cohort_Peer_V1_StudyProgressRequest()
        request.studyID = study
        let response = try await withClient(lead) { try await $0.studyProgress(request) }
        do {
            return try LeadProgress.decode(response.progressJson)
        } catch {
            throw NodeError(.invalidMessage, "lead \(lead) sent an invalid progress report for study \(study): \(error)")
        }
    }

    /// `PublishResult`.
    public func publish(to peer: String, study: String, resultJSON: Data, digest: Data) async throws {
        var request = Cohort_Peer_V1_PublishResultRequest()
        request.studyID = study
        request.resultJson = resultJSON
        request.sha256 = digest
        let response = try await withClient(peer) { try await $0.publishResult(request) }
        guard response.acknowledged else {
            throw NodeError(.invalidMessage, "peer \(peer) did not acknowledge the result of \(study): \(response.reason)")
        }
    }
}
