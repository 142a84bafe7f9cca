import CohortCore
public import CohortSecureAggregation
public import CohortStudy
public import Foundation

/// The lead's view of the other nodes: one call per peer RPC. The real implementation sends
/// gRPC over mTLS (``PeerDirectory``); tests can connect engines in memory.
public protocol StudyPeerCalls: Sendable {
    /// Sends `ProposeStudy` to `peer`; returns its decision.
    func propose(to peer: String, study: String, specJSON: Data) async throws -> ProposalAnswer
    /// Sends `RequestContribution` for `round` with its payload to `peer`; returns its noised contribution.
    func requestContribution(
        from peer: String, study: String, round: Int, payload: Study.RoundPayload
    ) async throws -> Study.ContributionMessage
    /// Sends `AbortStudy` to `peer`; returns whether it knew and ended the study.
    func abort(to peer: String, study: String, reason: String) async throws -> Bool
    /// Sends `StudyProgress` to the study's lead; returns its view of every party's stage.
    func progress(from lead: String, study: String) async throws -> LeadProgress
    /// Sends `PublishResult` to `peer`.
    func publish(to peer: String, study: String, resultJSON: Data, digest: Data) async throws
    /// Whether `peer` is in this node's configuration (so that a call can be attempted at all).
    func isConfigured(_ peer: String) -> Bool
    /// Secure aggregation stage 1 (`AdvertiseKeys`): asks `peer` to compute its noised
    /// contribution to `round` with `payload` (charging its budget in round 0) and return its
    /// signed round keys for an aggregation among `parties` with threshold `threshold`.
    func advertiseKeys(
        from peer: String, study: String, round: Int, payload: Study.RoundPayload, parties: [String], threshold: Int
    ) async throws -> SignedKeyAdvertisement
    /// Stage 2 (`ShareKeys`): forwards every advertisement; returns `peer`'s encrypted shares.
    func shareKeys(
        from peer: String, study: String, round: Int, advertisements: [SignedKeyAdvertisement]
    ) async throws -> SecureAggregation.SharePackage
    /// Stage 3 (`SubmitMaskedInput`): delivers the shares addressed to `peer`; returns its masked
    /// contribution (values masked, with its cost and noise flag).
    func submitMaskedInput(from peer: String, delivery: SecureAggregation.ShareDelivery) async throws -> Study.ContributionMessage
    /// Stage 4 (`Unmask`): names the survivors and dropouts; returns `peer`'s revealed shares.
    func unmask(from peer: String, request: SecureAggregation.UnmaskRequest) async throws -> SecureAggregation.UnmaskResponse
}

/// A party's key advertisement with the certificate (DER) whose key signed it.
public struct SignedKeyAdvertisement: Sendable, Hashable {
    /// The advertisement (keys and signature).
    public var advertisement: SecureAggregation.KeyAdvertisement
    /// The sender's node certificate, DER.
    public var certificate: [UInt8]

    /// Creates a signed advertisement.
    public init(advertisement: SecureAggregation.KeyAdvertisement, certificate: [UInt8]) {
        self.advertisement = advertisement
        self.certificate = certificate
    }
}

extension StudyPeerCalls {
    /// Default: every peer is assumed configured (calls report unknown ones).
    public func isConfigured(_ peer: String) -> Bool { true }

    /// Default for transports without secure aggregation: refuses, naming the stage.
    public func advertiseKeys(
        from peer: String, study: String, round: Int, payload: Study.RoundPayload, parties: [String], threshold: Int
    ) async throws -> SignedKeyAdvertisement {
        throw NodeError(.refused, "this transport cannot run secure aggregation (AdvertiseKeys to \(peer))")
    }

    /// Default for transports without secure aggregation: refuses, naming the stage.
    public func shareKeys(
        from peer: String, study: String, round: Int, advertisements: [SignedKeyAdvertisement]
    ) async throws -> SecureAggregation.SharePackage {
        throw NodeError(.refused, "this transport cannot run secure aggregation (ShareKeys to \(peer))")
    }

    /// Default for transports without secure aggregation: refuses, naming the stage.
    public func submitMaskedInput(from peer: String, delivery: SecureAggregation.ShareDelivery) async throws -> Study.ContributionMessage {
        throw NodeError(.refused, "this transport cannot run secure aggregation (SubmitMaskedInput to \(peer))")
    }

    /// Default for transports without secure aggregation: refuses, naming the stage.
    public func unmask(from peer: String, request: SecureAggregation.UnmaskRequest) async throws -> SecureAggregation.UnmaskResponse {
        throw NodeError(.refused, "this transport cannot run secure aggregation (Unmask to \(peer))")
    }
}

/// A participant's answer to a proposal.
public enum ProposalAnswer: Sendable, Hashable {
    /// The participant takes part.
    case accepted
    /// The participant refuses, with its reason.
    case rejected(String)
    /// The participant's operator has not decided yet; ask again later.
    case pending
}

/// What the study engine needs from its own node: policy inputs, the charged-and-noised local
/// contribution, result storage and the audit trail. ``NodeStudyServices`` is the real one.
public protocol StudyLocalServices: Sendable {
    /// Remaining ε of the purpose in the current period and the number of consenting customers
    /// as of the spec's date. Reads no customer rows.
    func policyInputs(for spec: Study.Spec) async throws -> (remainingEpsilon: Double, consentingCustomers: Int)
    /// When `charge` is true (round 0), charges the budget of the whole study durably (refusing
    /// if it would overspend) before reading anything; then reads the customers consenting now,
    /// computes the contribution to `round` with the lead's `payload` and noises it. Audits
    /// `budget.spent` and `data.accessed`.
    func contribute(
        spec: Study.Spec, plan: Study.NoisePlan, study: String, round: Int, payload: Study.RoundPayload, charge: Bool
    ) async throws -> Study.ContributionMessage
    /// Writes a participant study's state durably (`entry`), or removes it (nil), before the
    /// engine acts on it; a restarted node resumes from what was written.
    func persistParticipantStudy(_ study: String, entry: Study.ParticipantMachine.Entry?) async throws
    /// The participant studies written by ``persistParticipantStudy(_:entry:)``, by id.
    func participantStudies() async throws -> [String: Study.ParticipantMachine.Entry]
    /// Stores a released result and audits `result.released` with its digest.
    func storeResult(_ result: Study.Result, json: Data, digest: Data, role: StudyRole) async throws
    /// Writes an audit entry about a study (proposal, decision); returns once durable.
    func auditStudy(_ event: StudyAuditEvent) async throws
    /// What `spec` (study `study`) costs this node against its budget now, and how many of its
    /// customers consent to the purpose. Reads no customer rows; the figures stay local.
    func budgetPreview(for spec: Study.Spec, study: String) async throws -> StudyBudgetPreview
    /// The lead's spec for `spec` as the operator wrote it, references to this node's published
    /// results resolved (an evaluation's `learning.model_study` becomes `learning.model`), so
    /// that participants receive a self-contained spec. Reads no customer rows.
    func resolveProposal(_ spec: Study.Spec) async throws -> Study.Spec
    /// Refuses (throws the reason) a proposed spec that contradicts this node's published
    /// results (an evaluation whose model differs from this node's copy of the study it
    /// names). Reads no customer rows.
    func checkProposal(_ spec: Study.Spec) async throws
}

extension StudyLocalServices {
    /// Default: from ``policyInputs(for:)``, with the study's ε taken at its own δ.
    public func budgetPreview(for spec: Study.Spec, study: String) async throws -> StudyBudgetPreview {
        let inputs = try await policyInputs(for: spec)
        let epsilon = spec.privacy.epsilon
        return StudyBudgetPreview(
            purpose: spec.purpose.rawValue, allowed: true, policyDelta: spec.privacy.delta, costEpsilon: epsilon,
            remainingEpsilon: inputs.remainingEpsilon,
            remainingAfterEpsilon: max(0, inputs.remainingEpsilon - epsilon),
            consentingCustomers: inputs.consentingCustomers)
    }
}

/// Whether this node led a study or took part in it.
public enum StudyRole: String, Sendable, Codable {
    /// This node proposed the study.
    case lead
    /// This node contributed to another node's study.
    case participant
}

/// A study event for the audit log.
public struct StudyAuditEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// A study was proposed (by this node, or received from `lead`).
        case proposed
        /// This node accepted (actor: `system` by policy, or the operator).
        case accepted
        /// This node rejected, with the reason.
        case rejected(String)
        /// The study ended here without a result: `outcome` is `failed`, `aborted` or
        /// `expired`; `rounds` is how many rounds this node contributed to, when known.
        case ended(outcome: String, reason: String, rounds: Int?)
        /// Round `round` was securely aggregated among `parties`: this node computed the sum
        /// (as lead) or revealed its shares (as participant) for `survivors`, `dropouts`
        /// recovered.
        case aggregated(round: Int, parties: [String], survivors: [String], dropouts: [String])
    }

    /// What happened.
    public var kind: Kind
    /// The study.
    public var study: String
    /// The study's purpose.
    public var purpose: String
    /// The lead node.
    public var lead: String
    /// Who decided: `policy`, `operator`, or the lead's name for a proposal.
    public var actor: String
    /// For a summary of counted rejections: how many proposals it stands for (nil for one).
    public var count: Int?
    /// For a proposal: the spec, whose digest and terms (kind, ε, δ, as_of, dimensions, parties)
    /// `study.proposed` records.
    public var spec: Study.Spec?

    /// Creates an event.
    public init(kind: Kind, study: String, purpose: String, lead: String, actor: String, count: Int? = nil, spec: Study.Spec? = nil) {
        self.kind = kind
        self.study = study
        self.purpose = purpose
        self.lead = lead
        self.actor = actor
        self.count = count
        self.spec = spec
    }
}
