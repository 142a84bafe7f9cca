import Prometheus
public import CohortStudy
import CohortCore
import CohortNet
import CohortPrivacy
public import CohortSecureAggregation
import Crypto
public import Foundation
public import Logging

/// Carries out the study state machines of one node: the participant side for proposals that
/// arrive from leads, and the lead side for studies this node proposes.
///
/// The protocol decisions live in ``Study/ParticipantMachine`` and ``Study/LeadMachine``; this
/// actor only performs their directives (peer calls, budget charges, data access, audit) and
/// feeds the outcomes back.
///
/// Bounded against a flooding lead (see ``Limits``): at most `maxPendingPerLead` undecided
/// studies per lead; rejected proposals are audited in full only for the first one of each lead
/// per `rejectionWindow` (later ones are counted and recorded as one summary `study.rejected`
/// entry when the window ends, by ``tick()``, or at shutdown, by ``flushAudit()``); ended
/// studies leave memory and ``studies()`` after `retention`.
public actor StudyEngine {
    /// This node's name.
    public nonisolated let node: String
    private let policy: Study.Policy
    private let local: any StudyLocalServices
    private let peers: any StudyPeerCalls
    private let logger: Logger
    private var participant: Study.ParticipantMachine
    private var leading: [String: LeadingStudy] = [:]
    private let metrics: NodeMetrics?
    private let clock: @Sendable () -> Date
    private var rejections: AuditThrottle<String>
    private let limits: Limits
    private let programs: Study.RoundPrograms
    /// Participants to tell that a study this node leads was abandoned, by study (filled by
    /// ``perform(_:machine:group:continuation:)``, sent once the study's tasks have ended).
    private var aborts: [String: (participants: [String], reason: String)] = [:]
    /// This node's identity for secure aggregation (nil: it cannot take part in a securely
    /// aggregated study, and says so).
    private let identity: SecureAggregationIdentity?
    /// The secure aggregation this node takes part in as a participant, by study (one round at
    /// a time; a round's state is taken out while a stage is processed, so a concurrent
    /// duplicate call finds none and is refused).
    private var secureRounds: [String: ParticipantSecureRound] = [:]

    /// Flood limits of the participant side.
    public struct Limits: Sendable, Hashable {
        /// Most studies of one lead waiting for a decision at once; further proposals are refused.
        public var maxPendingPerLead: Int
        /// Seconds an ended (rejected, completed, failed, aborted, expired) study stays in memory.
        public var retention: TimeInterval
        /// Most ended studies kept in memory.
        public var maxRetainedEnded: Int
        /// Seconds during which further rejected proposals of a lead are counted, not audited one by one.
        public var rejectionWindow: TimeInterval
        /// Most leads whose rejections are tracked separately (others share one counter).
        public var maxTrackedLeads: Int
        /// Seconds before the lead's first retry of a participant it could not reach; each
        /// further retry waits twice as long, up to ``retryMaxDelay``, until the deadline.
        public var retryInitialDelay: TimeInterval
        /// Longest wait between two attempts to reach a participant, seconds.
        public var retryMaxDelay: TimeInterval

        /// Creates limits (defaults: 16 pending per lead, 15 min retention, 1,024 ended studies,
        /// 60 s rejection windows, 256 leads, retries after 0.5 s doubling up to 8 s).
        public init(
            maxPendingPerLead: Int = Study.ParticipantMachine.defaultMaxPendingPerLead,
            retention: TimeInterval = Study.ParticipantMachine.defaultRetention,
            maxRetainedEnded: Int = Study.ParticipantMachine.defaultMaxRetainedEnded,
            rejectionWindow: TimeInterval = 60,
            maxTrackedLeads: Int = 256,
            retryInitialDelay: TimeInterval = 0.5,
            retryMaxDelay: TimeInterval = 8
        ) {
            self.maxPendingPerLead = maxPendingPerLead
            self.retention = retention
            self.maxRetainedEnded = maxRetainedEnded
            self.rejectionWindow = rejectionWindow
            self.maxTrackedLeads = maxTrackedLeads
            self.retryInitialDelay = retryInitialDelay
            self.retryMaxDelay = retryMaxDelay
        }

        /// The defaults.
        public static let defaults = Limits()
    }

    /// How long the lead waits between asking a participant whose operator has not decided yet.
    public static let pendingPollInterval: Duration = .milliseconds(500)

    /// A study this node leads, as shown by status.
    public struct LeadingStudy: Sendable {
        /// The spec with its id (and the lead's `deadline_at`).
        public var spec: Study.Spec
        /// Current phase (`proposing`, `collecting`, `completed`, `failed` with its reason, …).
        public var state: LeadState
        /// When the lead started the study.
        public var startedAt: Date
        /// When it completed or failed; nil while it runs.
        public var endedAt: Date?
        /// Nodes the study waits for (sorted).
        public var waitingFor: [String] = []
        /// Each party's stage, by node name (the lead included).
        public var parties: [String: PartyProgress] = [:]
        /// Contributions received in the current round; nil before they are asked for.
        public var received: Int?
        /// Rounds started so far (the current round's number, from 1); nil before the first.
        public var round: Int?
    }

    /// Creates the engine of node `node`.
    /// - Parameters:
    ///   - limits: flood limits of the participant side.
    ///   - clock: the current time (injectable for tests).
    ///   - identity: the node identity that signs its secure-aggregation keys; without one the
    ///     node refuses securely aggregated studies.
    public init(
        node: String, policy: Study.Policy, local: any StudyLocalServices, peers: any StudyPeerCalls,
        metrics: NodeMetrics? = nil, logger: Logger, limits: Limits = .defaults,
        programs: Study.RoundPrograms = .standard, clock: @escaping @Sendable () -> Date = { Date() },
        identity: SecureAggregationIdentity? = nil
    ) {
        self.identity = identity
        self.node = node
        self.policy = policy
        self.local = local
        self.peers = peers
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.participant = Study.ParticipantMachine(
            node: node, maxPendingPerLead: limits.maxPendingPerLead, retention: limits.retention,
            maxRetainedEnded: limits.maxRetainedEnded, programs: programs)
        self.programs = programs
        self.rejections = AuditThrottle(window: limits.rejectionWindow, maxKeys: limits.maxTrackedLeads)
        self.limits = limits
    }

    // MARK: Participant side (called by the peer service)

    /// Restores the participant studies that this node's previous run persisted, before it
    /// serves any peer: studies resume between rounds, and one that was being contributed to
    /// fails cleanly (see ``Study/ParticipantMachine/onRestore(_:now:)``).
    /// - Throws: ``NodeError`` if the stored states cannot be read.
    public func restore() async throws {
        let entries = try await local.participantStudies()
        guard !entries.isEmpty else { return }
        await drain(participant.onRestore(entries, now: clock()), during: "restore") { directive in
            switch directive {
            case .decide(let id, let spec, _):
                return .handled(next: await self.decidePolicy(study: id, spec: spec))
            case .reply:
                return .handled(next: [])  // the lead polls while a study is undecided; its next poll gets the answer
            default:
                return .bookkeeping
            }
        } afterBookkeeping: { _ in false }
        logger.info("participant studies restored", metadata: ["count": "\(entries.count)"])
    }

    /// The result of carrying out one bookkeeping directive.
    enum Bookkeeping {
        /// Carried out (or not a bookkeeping directive: `unexpected`).
        case done
        /// Writing the study's state failed: the directives that follow it must not be carried out.
        case halt
        /// Not a bookkeeping directive, and not one the caller expects: the study was failed.
        case unexpected
    }

    /// Carries out `persist`, `forget` and `closed` directives; any other directive is one the
    /// caller (`during`) does not expect, which fails the study loudly. Outcomes are appended to
    /// `next`.
    func bookkeeping(
        _ directive: Study.ParticipantMachine.Directive, study: String, during: String,
        next: inout [Study.ParticipantMachine.Directive]
    ) async -> Bookkeeping {
        switch directive {
        case .persist(let id, let entry):
            do {
                try await local.persistParticipantStudy(id, entry: entry)
                return .done
            } catch {
                logger.error("cannot write a participant study's state; failing it", metadata: [
                    "study": "\(id)", "error": "\(error)"])
                next += participant.onAuditFailed(study: id, error: "its state could not be written to node.sqlite: \(error)")
                next += participant.onDriverFault(study: id, "its state could not be written to node.sqlite: \(error)")
                return .halt
            }
        case .forget(let id):
            do {
                try await local.persistParticipantStudy(id, entry: nil)
            } catch {
                // A stale row only brings an ended study back at the next start; it stays ended.
                logger.warning("cannot remove a forgotten study's state", metadata: ["study": "\(id)", "error": "\(error)"])
            }
            return .done
        case .closed(let id, let state):
            logger.info("study closed", metadata: ["study": "\(id)", "state": "\(state)"])
            await auditEnded(study: id, state: state)
            return .done
        case .awaitApproval(let id, _, let lead):
            logger.notice("study awaits operator approval", metadata: ["study": "\(id)", "lead": "\(lead)"])
            return .done
        default:
            logger.error("the study driver met a directive it does not expect; failing the study", metadata: [
                "study": "\(study)", "during": "\(during)", "directive": "\(directive)"])
            next += participant.onDriverFault(study: study, "unexpected directive \(directive.name) during \(during)")
            return .unexpected
        }
    }

    /// How the caller of ``drain(_:study:during:handle:afterBookkeeping:)`` takes one directive.
    enum Handling {
        /// The caller carried it out; `next` are the directives its outcome produced.
        case handled(next: [Study.ParticipantMachine.Directive])
        /// A bookkeeping directive, or one the caller does not expect:
        /// ``bookkeeping(_:study:during:next:)`` carries it out.
        case bookkeeping
    }

    /// Carries out `directives` and every directive their outcomes produce, batch by batch,
    /// until the machine has none left. Each directive goes to `handle`; those it leaves to
    /// ``bookkeeping(_:study:during:next:)`` are carried out there (for `study`, or the
    /// directive's own study when nil), and `afterBookkeeping` decides from the result whether
    /// the rest of the batch is skipped (`true`; the directives produced so far still run) or
    /// throws to stop altogether. The one loop of the participant side.
    private func drain(
        _ directives: [Study.ParticipantMachine.Directive], study: String? = nil, during: String,
        handle: (Study.ParticipantMachine.Directive) async throws -> Handling,
        afterBookkeeping: (Bookkeeping) throws -> Bool
    ) async rethrows {
        var directives = directives
        while !directives.isEmpty {
            var next: [Study.ParticipantMachine.Directive] = []
            batch: for directive in directives {
                switch try await handle(directive) {
                case .handled(let produced):
                    next += produced
                case .bookkeeping:
                    let outcome = await bookkeeping(directive, study: study ?? directive.study, during: during, next: &next)
                    if try afterBookkeeping(outcome) { break batch }
                }
            }
            directives = next
        }
    }

    /// Audits a participant study that ended without a result (failed, aborted, expired).
    /// Completed and rejected studies are recorded where they happen.
    private func auditEnded(study: String, state: Study.ParticipantMachine.State) async {
        guard let entry = participant.studies[study] else { return }
        let outcome: String
        let reason: String
        switch state {
        case .failed(let why): (outcome, reason) = ("failed", why)
        case .aborted(let why): (outcome, reason) = ("aborted", why)
        case .expired: (outcome, reason) = ("expired", "the lead's deadline passed")
        default: return
        }
        do {
            try await local.auditStudy(StudyAuditEvent(
                kind: .ended(outcome: outcome, reason: reason, rounds: entry.chargedRounds.count),
                study: study, purpose: entry.spec.purpose.rawValue, lead: entry.lead, actor: outcome == "aborted" ? entry.lead : "system"))
        } catch {
            // The study has already ended; nothing is left to stop. Say so loudly.
            logger.error("cannot record the end of a study in the audit log", metadata: [
                "study": "\(study)", "outcome": "\(outcome)", "error": "\(error)"])
        }
    }

    /// Evaluates this node's policy for a participant study and feeds the decision back.
    private func decidePolicy(study: String, spec: Study.Spec) async -> [Study.ParticipantMachine.Directive] {
        let decision: Study.Policy.Decision
        do {
            try await local.checkProposal(spec)
            do {
                let inputs = try await local.policyInputs(for: spec)
                decision = policy.decide(
                    spec, remainingPeriodEpsilon: inputs.remainingEpsilon, consentingCustomers: inputs.consentingCustomers)
            } catch {
                decision = .reject(.invalidProposal("could not evaluate the policy: \(error)"))
            }
        } catch {
            decision = .reject(.invalidProposal("\(error)"))
        }
        return participant.onPolicyDecision(study: study, decision)
    }

    /// Handles `ProposeStudy` from the authenticated peer `lead`.
    ///
    /// A new study that is accepted or queued is audited (`study.proposed`, and `study.accepted`
    /// when the policy accepts it) before the answer is given; if that audit append fails, the
    /// study is rejected instead. Rejections are audited through the per-lead throttle.
    public func onProposal(study: String, specJSON: Data, from lead: String) async -> ProposalAnswer {
        let spec: Study.Spec
        do {
            spec = try Study.Spec.load(json: specJSON)
        } catch {
            return .rejected("invalid study spec: \(error)")
        }
        guard let id = spec.id, id == study else {
            return .rejected("the spec's id (\(spec.id ?? "none")) does not match the study id \(study)")
        }
        let now = clock()
        let isNew = participant.studies[study] == nil
        var answer: ProposalAnswer?
        var recorded = false
        await drain(participant.onProposal(spec, from: lead, now: now), study: study, during: "a proposal") { directive in
            switch directive {
            case .decide(let id, let spec, _):
                return .handled(next: await self.decidePolicy(study: id, spec: spec))
            case .reply(_, _, let reply):
                if isNew, case .rejected(let rejection) = reply {
                    await self.auditRejection(study: study, spec: spec, lead: lead, reason: rejection.description, now: now)
                } else if isNew, !recorded {
                    do {
                        try await self.local.auditStudy(StudyAuditEvent(
                            kind: .proposed, study: study, purpose: spec.purpose.rawValue, lead: lead, actor: lead, spec: spec))
                        if case .accepted = reply {
                            try await self.local.auditStudy(StudyAuditEvent(
                                kind: .accepted, study: study, purpose: spec.purpose.rawValue, lead: lead,
                                actor: "policy"))
                        }
                        recorded = true
                    } catch {
                        // An unrecorded study must not go ahead: reject it instead.
                        self.logger.error("cannot record a proposed study in the audit log; rejecting it", metadata: [
                            "study": "\(study)", "lead": "\(lead)", "error": "\(error)"])
                        return .handled(next: self.participant.onAuditFailed(study: study, error: "\(error)"))
                    }
                }
                answer = Self.answer(for: reply)
                return .handled(next: [])
            default:
                return .bookkeeping
            }
        } afterBookkeeping: { outcome in
            if case .halt = outcome { return true }
            return false
        }
        return answer ?? .pending
    }

    /// Audits a rejected proposal of `lead`: in full (`study.proposed` and `study.rejected`) if it
    /// is the lead's first in the current window, otherwise only counted. A failed append is
    /// logged; the proposal stays rejected.
    private func auditRejection(study: String, spec: Study.Spec, lead: String, reason: String, now: Date) async {
        let (admission, ended) = rejections.admit(lead, now: now)
        if let ended { await auditRejectionSummaries([ended]) }
        guard admission == .record else { return }
        do {
            try await local.auditStudy(StudyAuditEvent(
                kind: .proposed, study: study, purpose: spec.purpose.rawValue, lead: lead, actor: lead, spec: spec))
            try await local.auditStudy(StudyAuditEvent(
                kind: .rejected(reason), study: study, purpose: spec.purpose.rawValue, lead: lead, actor: "policy"))
        } catch {
            logger.error("cannot record a rejected proposal in the audit log", metadata: [
                "study": "\(study)", "lead": "\(lead)", "error": "\(error)"])
        }
    }

    /// Writes one `study.rejected` entry (no study id) per summary of counted rejections.
    private func auditRejectionSummaries(_ summaries: [AuditThrottle<String>.Summary]) async {
        for summary in summaries {
            let lead = summary.key ?? "(leads beyond the tracking limit)"
            let reason = "\(summary.count) further proposals from \(lead) were rejected between "
                + "\(Self.timestamp(summary.firstSeen)) and \(Self.timestamp(summary.lastSeen)) "
                + "(count=\(summary.count); counted, not recorded one by one)"
            do {
                try await local.auditStudy(StudyAuditEvent(
                    kind: .rejected(reason), study: "", purpose: "", lead: lead, actor: "policy",
                    count: summary.count))
            } catch {
                logger.error("cannot record a summary of rejected proposals in the audit log", metadata: [
                    "lead": "\(lead)", "count": "\(summary.count)", "error": "\(error)"])
            }
        }
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Handles `RequestContribution` for `round` (with the round's payload) from the
    /// authenticated peer `lead`.
    ///
    /// Every state change is written to `node.sqlite` before it is acted on: the study is
    /// recorded as contributing before the budget is charged, and as contributed (with the
    /// message) before the message is returned. If a write fails the message is not sent.
    /// - Throws: ``NodeError`` with the refusal or failure reason.
    public func onContributionRequest(
        study: String, round: Int, payload: Study.RoundPayload = .empty, from lead: String
    ) async throws -> Study.ContributionMessage {
        try await contribution(study: study, round: round, payload: payload, from: lead, secure: false)
    }

    /// This node's noised contribution to `round` as the participant machine decides it: a
    /// plain `RequestContribution` (`secure` false) or the first stage of a secure aggregation.
    private func contribution(
        study: String, round: Int, payload: Study.RoundPayload, from lead: String, secure: Bool
    ) async throws -> Study.ContributionMessage {
        var sent: Study.ContributionMessage?
        var refusal: NodeError?
        let directives = participant.onContributionRequest(
            study: study, round: round, payload: payload, from: lead, now: clock(), secure: secure)
        await drain(directives, study: study, during: "a contribution request") { directive in
            switch directive {
            case .contribute(let id, let round, let payload, let spec, let plan, _, let charge):
                do {
                    let message = try await self.local.contribute(
                        spec: spec, plan: plan, study: id, round: round, payload: payload, charge: charge)
                    sent = message
                    self.metrics?.studyRounds.increment()
                    if charge, let epsilon = try? message.cost.epsilon(delta: spec.privacy.delta) {
                        self.metrics?.addEpsilon(epsilon, purpose: spec.purpose.rawValue)
                    }
                    return .handled(next: self.participant.onContributionSent(study: id, round: round, message: message))
                } catch {
                    refusal = NodeError(.contributionFailed, "node \(self.node) could not contribute to study \(id): \(error)")
                    return .handled(next: self.participant.onContributionFailed(study: id, round: round, error: "\(error)"))
                }
            case .resend(_, _, let message):
                sent = message
                return .handled(next: [])
            case .reply(_, _, let reply):
                switch reply {
                case .contributionRefused(let reason), .contributionFailed(let reason):
                    refusal = refusal ?? NodeError(.contributionRefused, reason)
                default:
                    refusal = NodeError(.contributionRefused, "unexpected state for study \(study)")
                }
                return .handled(next: [])
            default:
                return .bookkeeping
            }
        } afterBookkeeping: { outcome in
            switch outcome {
            case .done: return false
            case .halt, .unexpected:
                sent = nil
                refusal = NodeError(.contributionFailed,
                    "node \(self.node) could not record its state for study \(study); nothing was sent")
                return true
            }
        }
        if let refusal { throw refusal }
        guard let sent else {
            throw NodeError(.contributionRefused, "study \(study) round \(round + 1) is already being contributed or has ended")
        }
        return sent
    }

    // MARK: Secure aggregation, participant side

    /// Handles `AdvertiseKeys` (stage 1) from the authenticated peer `lead`: checks that the
    /// aggregation is the one the spec agreed (its parties and threshold), computes this node's
    /// noised contribution to `round` through the participant machine (charging the whole study
    /// in round 0, as a plain contribution would), and returns fresh round keys signed with this
    /// node's identity key. One aggregation per round: a second request for a round is refused.
    /// - Throws: ``NodeError`` with the refusal or failure reason.
    public func onAdvertiseKeys(
        study: String, round: Int, payload: Study.RoundPayload, parties: [String], threshold: Int, from lead: String
    ) async throws -> SignedKeyAdvertisement {
        guard let identity else {
            throw NodeError(.refused, "node \(node) has no identity key loaded for secure aggregation")
        }
        guard let entry = participant.studies[study], entry.lead == lead else {
            throw NodeError(.contributionRefused, "\(lead) leads no study \(study) on \(node)")
        }
        guard case .secure(_, let t) = entry.spec.aggregation else {
            throw NodeError(.contributionRefused, "study \(study) does not use secure aggregation")
        }
        let agreed = ([lead] + entry.spec.participants).sorted()
        guard parties.sorted() == agreed, threshold == t else {
            throw NodeError(.contributionRefused,
                "the aggregation asked for (parties \(parties.sorted().joined(separator: ", ")), t = \(threshold)) is not the one study \(study) agreed (parties \(agreed.joined(separator: ", ")), t = \(t))")
        }
        if let current = secureRounds[study], current.round >= round {
            throw NodeError(.contributionRefused, "study \(study) round \(round + 1): keys were already advertised; one aggregation per round")
        }
        let message = try await contribution(study: study, round: round, payload: payload, from: lead, secure: true)
        var client: SecureAggregation.Client
        let table = CertifiedKeyTable()
        table.insert(identity.signingPublicKey, for: node)
        do {
            let configuration = try SecureAggregationLeadRound.configuration(
                study: study, round: round, parties: parties, threshold: threshold, length: message.values.count)
            client = try SecureAggregation.Client(
                configuration: configuration, party: node, input: message.values.map { Int64(bitPattern: $0) },
                signer: identity.signer, verifier: table)
        } catch {
            throw NodeError(.contributionFailed, "node \(node) cannot mask its contribution to study \(study): \(error)")
        }
        var rng = SystemRandomNumberGenerator()
        let directives = client.start(using: &rng)
        guard case .send(.advertisement(let advertisement))? = directives.first else {
            throw NodeError(.contributionFailed, "node \(node) could not create its round keys: \(directives)")
        }
        secureRounds[study] = ParticipantSecureRound(round: round, lead: lead, client: client, table: table, message: message)
        return SignedKeyAdvertisement(advertisement: advertisement, certificate: identity.certificateDER)
    }

    /// Handles `ShareKeys` (stage 2): verifies every advertised certificate against the
    /// consortium's trust (so the lead cannot substitute keys), then returns this node's
    /// encrypted shares for the other parties.
    public func onShareKeys(
        study: String, round: Int, advertisements: [SignedKeyAdvertisement], from lead: String
    ) async throws -> SecureAggregation.SharePackage {
        var state = try takeSecureRound(study: study, round: round, from: lead)
        guard let identity else { throw NodeError(.refused, "node \(node) has no identity key loaded") }
        let others = advertisements.filter { $0.advertisement.sender != node }
        for (party, key) in try await identity.verifiedKeys(of: others) { state.table.insert(key, for: party) }
        let roster = SecureAggregation.KeyRoster(
            study: study, round: UInt64(round), advertisements: advertisements.map(\.advertisement))
        var rng = SystemRandomNumberGenerator()
        let directives = state.client.onKeyRoster(roster, using: &rng)
        guard case .send(.sharePackage(let package))? = directives.first else {
            throw NodeError(.contributionRefused, "node \(node) refuses the key roster of study \(study): \(Self.explain(directives))")
        }
        secureRounds[study] = state
        return package
    }

    /// Handles `SubmitMaskedInput` (stage 3): returns this node's masked contribution with its
    /// cost and noise flag.
    public func onMaskedInputRequest(
        _ delivery: SecureAggregation.ShareDelivery, from lead: String
    ) async throws -> Study.ContributionMessage {
        var state = try takeSecureRound(study: delivery.study, round: Int(clamping: delivery.round), from: lead)
        let directives = state.client.onShareDelivery(delivery)
        guard case .send(.maskedInput(let masked))? = directives.first else {
            throw NodeError(.contributionRefused, "node \(node) refuses the share delivery of study \(delivery.study): \(Self.explain(directives))")
        }
        secureRounds[delivery.study] = state
        var message = state.message
        message.values = masked.values
        return message
    }

    /// Handles `Unmask` (stage 4): records the aggregation in the audit log, then reveals this
    /// node's shares (the protocol refuses both kinds of share for one party, and a survivor
    /// set smaller than t).
    public func onUnmaskRequest(
        _ request: SecureAggregation.UnmaskRequest, from lead: String
    ) async throws -> SecureAggregation.UnmaskResponse {
        var state = try takeSecureRound(study: request.study, round: Int(clamping: request.round), from: lead)
        let directives = state.client.onUnmaskRequest(request)
        guard case .send(.unmaskResponse(let response))? = directives.first else {
            throw NodeError(.contributionRefused, "node \(node) refuses the unmask request of study \(request.study): \(Self.explain(directives))")
        }
        let spec = participant.studies[request.study]?.spec
        do {
            try await local.auditStudy(StudyAuditEvent(
                kind: .aggregated(
                    round: state.round, parties: state.client.configuration.parties, survivors: request.survivors,
                    dropouts: request.dropped),
                study: request.study, purpose: spec?.purpose.rawValue ?? "", lead: lead, actor: node))
        } catch {
            throw NodeError(.auditFailed, "node \(node) could not record the aggregation of study \(request.study) in its audit log; no share was revealed: \(error)")
        }
        secureRounds[request.study] = state
        return response
    }

    /// Takes the study's aggregation state out (so that a concurrent duplicate finds none),
    /// checking lead and round.
    private func takeSecureRound(study: String, round: Int, from lead: String) throws -> ParticipantSecureRound {
        guard let state = secureRounds[study], state.lead == lead, state.round == round else {
            throw NodeError(.contributionRefused, "node \(node) has no secure aggregation of study \(study) round \(round + 1) with \(lead) in progress")
        }
        secureRounds[study] = nil
        return state
    }

    private static func explain(_ directives: [SecureAggregation.Client.Directive]) -> String {
        directives.map { directive -> String in
            switch directive {
            case .refused(let refusal): return refusal.description
            case .failed(let error): return error.description
            case .send: return "unexpected message"
            case .finished: return "already finished"
            }
        }.joined(separator: "; ")
    }

    /// Handles `PublishResult` from the authenticated peer `lead`: verifies the digest, stores
    /// and audits the result.
    public func onPublishedResult(study: String, resultJSON: Data, digest: Data, from lead: String) async throws {
        guard Data(SHA256.hash(data: resultJSON)) == digest else {
            throw NodeError(.invalidMessage, "the published result of study \(study) does not match its SHA-256 digest")
        }
        let result: Study.Result
        do {
            result = try Study.Result.decode(json: resultJSON)
        } catch {
            throw NodeError(.invalidMessage, "the published result of study \(study) is not valid: \(error)")
        }
        guard result.study == study else {
            throw NodeError(.invalidMessage, "published result names study \(result.study), not \(study)")
        }
        let directives = participant.onResult(result, from: lead)
        guard !directives.isEmpty else {
            throw NodeError(.contributionRefused, "node \(node) did not expect a result for study \(study) from \(lead)")
        }
        try await drain(directives, study: study, during: "a published result") { directive in
            guard case .storeResult(_, let result) = directive else { return .bookkeeping }
            try await self.local.storeResult(result, json: resultJSON, digest: digest, role: .participant)
            return .handled(next: [])
        } afterBookkeeping: { outcome in
            if case .halt = outcome {
                throw NodeError(.contributionFailed, "node \(self.node) could not record the result of study \(study)")
            }
            return false
        }
    }

    /// Handles `AbortStudy` from the authenticated peer `lead`: the study ends here (audited as
    /// `study.ended`, outcome `aborted`).
    /// - Returns: whether this node knew the study from that lead and ended it now.
    public func onAbort(study: String, reason: String, from lead: String) async throws -> Bool {
        let directives = participant.onAbort(study: study, reason: reason, from: lead)
        try await drain(directives, study: study, during: "an abort", handle: { _ in .bookkeeping }, afterBookkeeping: { outcome in
            if case .halt = outcome {
                throw NodeError(.contributionFailed, "node \(self.node) could not record the end of study \(study)")
            }
            return false
        })
        return !directives.isEmpty
    }

    /// The operator approves (`true`) or rejects a queued study.
    /// - Returns: the study's state afterwards.
    ///
    /// Studies whose lead's deadline has passed are expired first (as ``tick()`` would), so an
    /// expired study is refused with that reason, never approved.
    public func decide(study: String, approve: Bool, reason: String) async throws -> String {
        let now = clock()
        await carryOutTick(now: now)
        guard let entry = participant.studies[study] else {
            if leading[study] != nil {
                throw NodeError(.refused, "node \(node) leads study \(study); only its participants approve or reject it")
            }
            throw NodeError(.unknownStudy, "node \(node) has no study \(study)")
        }
        if entry.state == .expired {
            throw NodeError(.refused,
                "study \(study) expired at \(StudyDetail.timestamp(entry.deadline)): the lead's deadline passed before it was decided; it can no longer be \(approve ? "approved" : "rejected")")
        }
        guard entry.state == .awaitingApproval else {
            let (name, why) = Self.stateName(entry.state)
            throw NodeError(.refused,
                "study \(study) is not waiting for approval (state: \(name)\(why.map { ": " + $0 } ?? ""))")
        }
        // On record before it takes effect: if the audit append fails, the study stays queued.
        try await local.auditStudy(StudyAuditEvent(
            kind: approve ? .accepted : .rejected("rejected by the operator: \(reason)"), study: study,
            purpose: entry.spec.purpose.rawValue, lead: entry.lead, actor: "operator"))
        let directives = approve ? participant.onApproval(study: study) : participant.onRejection(study: study, reason: reason)
        try await drain(directives, study: study, during: "an operator decision") { directive in
            // The lead polls with ProposeStudy while a study awaits approval; its next poll gets
            // this answer from the machine's state.
            if case .reply = directive { return .handled(next: []) }
            return .bookkeeping
        } afterBookkeeping: { outcome in
            if case .halt = outcome {
                throw NodeError(.contributionFailed, "node \(self.node) could not record its decision on study \(study)")
            }
            return false
        }
        return approve ? "accepted" : "rejected: \(reason)"
    }

    /// Expires participant studies whose deadline has passed, forgets ended ones past their
    /// retention, and audits the summaries of rejection windows that are over. Call about once a
    /// second.
    public func tick() async {
        let now = clock()
        await carryOutTick(now: now)
        for (id, study) in leading {
            if let ended = study.endedAt, now.timeIntervalSince(ended) >= limits.retention { leading[id] = nil }
        }
        await auditRejectionSummaries(rejections.due(now: now))
    }

    /// Expires and forgets participant studies (``Study/ParticipantMachine/onTick(now:)``),
    /// carrying out the resulting writes.
    private func carryOutTick(now: Date) async {
        await drain(
            participant.onTick(now: now), during: "the periodic tick", handle: { _ in .bookkeeping },
            afterBookkeeping: { _ in false })
    }

    /// Audits every pending summary of counted rejections (at shutdown).
    public func flushAudit() async {
        await auditRejectionSummaries(rejections.drain())
    }

    /// Studies known to this node, for status and listing.
    ///
    /// Ended studies leave the list once ``Limits/retention`` has passed (participant studies
    /// also only after their deadline plus grace; see ``Study/ParticipantMachine``).
    public func studies() -> [StudySummary] {
        let now = clock()
        var out = participant.studies.map { id, entry in
            let (name, why) = Self.stateName(entry.state)
            return StudySummary(
                id: id, role: .participant, lead: entry.lead, purpose: entry.spec.purpose.rawValue,
                kind: entry.spec.kind.rawValue, state: why.map { "\(name): \($0)" } ?? name,
                epsilon: entry.spec.privacy.epsilon, ageSeconds: Self.seconds(from: entry.receivedAt, to: now),
                deadline: StudyDetail.timestamp(entry.deadline))
        }
        out += leading.map { id, study in
            StudySummary(
                id: id, role: .lead, lead: node, purpose: study.spec.purpose.rawValue,
                kind: study.spec.kind.rawValue, state: study.state.description, epsilon: study.spec.privacy.epsilon,
                ageSeconds: Self.seconds(from: study.startedAt, to: Date()),
                deadline: study.spec.deadlineAt.map(StudyDetail.timestamp))
        }
        return out.sorted { $0.id < $1.id }
    }

    /// Whole seconds from `start` to `end`, at least 0.
    private static func seconds(from start: Date, to end: Date) -> Int {
        let interval = end.timeIntervalSince(start)
        guard interval.isFinite, interval > 0 else { return 0 }
        return Int(min(interval, Double(Int32.max)))
    }

    /// A participant state's name (as in ``StudyDetail/state``) and its reason, if any.
    static func stateName(_ state: Study.ParticipantMachine.State) -> (String, String?) {
        switch state {
        case .deciding: return ("deciding", nil)
        case .awaitingApproval: return ("awaitingApproval", nil)
        case .accepted: return ("accepted", nil)
        case .contributing: return ("contributing", nil)
        case .contributed: return ("contributed", nil)
        case .completed: return ("completed", nil)
        case .rejected(let rejection): return ("rejected", rejection.description)
        case .failed(let error): return ("failed", error)
        case .aborted(let reason): return ("aborted", reason)
        case .expired: return ("expired", "the lead's deadline passed")
        }
    }

    /// Everything about study `study` that this node knows (see ``StudyDetail``), or nil when
    /// it knows no such study (it may have aged out; its released result stays in the store).
    /// The budget preview is computed now from this node's ledger and consent metadata.
    public func detail(study: String) async -> StudyDetail? {
        let now = clock()
        if let entry = participant.studies[study] {
            let (name, why) = Self.stateName(entry.state)
            let spec = entry.spec
            var waiting: [String] = []
            var waitingReason: String?
            var mine = PartyProgress(node: node, stage: "unknown")
            var leadStage = PartyProgress(node: entry.lead, stage: "leading")
            switch entry.state {
            case .deciding:
                waiting = [node]
                waitingReason = "this node's policy check"
                mine.stage = "proposed"
            case .awaitingApproval:
                waiting = ["operator@\(node)"]
                waitingReason = "this node's operator: `cohort study approve \(study)` or `cohort study reject \(study)` before \(StudyDetail.timestamp(entry.deadline))"
                mine.stage = "awaiting_approval"
            case .accepted:
                waiting = [entry.lead]
                waitingReason = "the lead \(entry.lead) to ask for this node's contribution"
                mine.stage = "accepted"
            case .contributing:
                waiting = [node]
                waitingReason = "this node's contribution, being computed"
                mine.stage = "contributing"
            case .contributed:
                waiting = [entry.lead]
                waitingReason = "the lead \(entry.lead) to publish the result"
                mine.stage = "contributed"
            case .completed:
                mine.stage = "completed"
                leadStage.stage = "completed"
            case .rejected(let rejection):
                mine.stage = "rejected"
                mine.error = rejection.description
            case .failed(let error):
                mine.stage = "failed"
                mine.error = error
            case .aborted(let reason):
                mine.stage = "failed"
                leadStage.error = reason
            case .expired:
                mine.stage = "expired"
            }
            var round: StudyDetail.Round?
            if !entry.chargedRounds.isEmpty {
                round = StudyDetail.Round(
                    number: (entry.chargedRounds.max() ?? 0) + 1, of: spec.rounds, received: 0,
                    expected: spec.participants.count + 1)
            }
            // The other parties' stages are known only to the lead: ask it (bounded), and show
            // its view of everyone but this node, whose own stage is authoritative here.
            var progress = [leadStage, mine]
            if let report = await askLead(entry.lead, study: study) {
                var others = report.parties.filter { $0.node != node }
                if let i = others.firstIndex(where: { $0.node == entry.lead }), !entry.state.isTerminal {
                    others[i].stage = leadStage.stage == "leading" ? report.state : leadStage.stage
                }
                progress = others + [mine]
                if round == nil, let number = report.round {
                    round = StudyDetail.Round(number: number, of: spec.rounds, received: 0, expected: spec.participants.count + 1)
                }
            }
            return StudyDetail(
                id: study, role: .participant, lead: entry.lead, parties: [entry.lead] + spec.participants, spec: spec,
                state: name, reason: why, since: StudyDetail.timestamp(entry.receivedAt),
                ageSeconds: Self.seconds(from: entry.receivedAt, to: now),
                deadline: StudyDetail.timestamp(entry.deadline),
                secondsToDeadline: Self.signedSeconds(from: now, to: entry.deadline), waitingFor: waiting,
                waitingReason: waitingReason, round: round, progress: progress,
                budget: try? await local.budgetPreview(for: spec, study: study))
        }
        guard let lead = leading[study] else { return nil }
        // The lead's times are wall-clock times (its deadline timer runs on them).
        let wall = Date()
        let spec = lead.spec
        let parties = [node] + spec.participants
        let waitingReason: String?
        switch lead.state.name {
        case .proposing: waitingReason = "answers to the proposal from \(lead.waitingFor.joined(separator: ", "))"
        case .contributing: waitingReason = "this node's own contribution, being computed"
        case .collecting: waitingReason = "contributions from \(lead.waitingFor.joined(separator: ", "))"
        default: waitingReason = nil
        }
        return StudyDetail(
            id: study, role: .lead, lead: node, parties: parties, spec: spec, state: lead.state.name.rawValue,
            reason: lead.state.reason,
            since: StudyDetail.timestamp(lead.startedAt), ageSeconds: Self.seconds(from: lead.startedAt, to: wall),
            deadline: spec.deadlineAt.map(StudyDetail.timestamp),
            secondsToDeadline: spec.deadlineAt.map { Self.signedSeconds(from: wall, to: $0) },
            waitingFor: waitingReason == nil ? [] : lead.waitingFor, waitingReason: waitingReason,
            round: lead.received.map {
                StudyDetail.Round(number: lead.round ?? 1, of: spec.rounds, received: $0, expected: parties.count)
            },
            progress: parties.map { lead.parties[$0] ?? PartyProgress(node: $0, stage: "unknown") },
            budget: try? await local.budgetPreview(for: spec, study: study))
    }

    /// Whole seconds from `start` to `end` (negative when `end` is earlier), rounded towards
    /// the future so that a deadline not yet reached never shows 0.
    private static func signedSeconds(from start: Date, to end: Date) -> Int {
        let interval = end.timeIntervalSince(start).rounded(.up)
        guard interval.isFinite else { return 0 }
        return Int(max(min(interval, Double(Int32.max)), Double(Int32.min)))
    }

    /// The lead's view of study `study` for its participant `peer` (`StudyProgress`).
    /// - Throws: ``NodeError/Code/unknownStudy`` when this node leads no such study (or it aged
    ///   out), ``NodeError/Code/refused`` when `peer` does not take part in it.
    public func leadProgress(study: String, for peer: String) throws -> LeadProgress {
        guard let record = leading[study] else {
            throw NodeError(.unknownStudy, "node \(node) leads no study \(study)")
        }
        guard record.spec.participants.contains(peer) else {
            throw NodeError(.refused, "\(peer) does not take part in study \(study)")
        }
        let parties = [node] + record.spec.participants
        return LeadProgress(
            state: record.state.name.rawValue, round: record.round,
            parties: parties.map { record.parties[$0] ?? PartyProgress(node: $0, stage: "unknown") })
    }

    /// Asks `lead` for its view of `study`, waiting at most 2 s; nil when it does not answer.
    private func askLead(_ lead: String, study: String) async -> LeadProgress? {
        let peers = self.peers
        return try? await withTimeout(.seconds(2)) { try await peers.progress(from: lead, study: study) }
    }

    // MARK: Lead side

    /// Proposes `spec` with this node as lead and runs it to a terminal state.
    ///
    /// Failures known before anything is sent (a participant missing from this node's
    /// configuration, this node's own policy refusing the study, an invalid spec) end the study
    /// at once. A participant that cannot be reached is retried with exponential backoff
    /// (``Limits/retryInitialDelay`` doubling up to ``Limits/retryMaxDelay``) until the
    /// deadline; ``detail(study:)`` shows each party's stage, attempts and last error while it
    /// runs. The spec sent to participants carries the lead's absolute deadline (`deadline_at`),
    /// and references to this node's published results resolved
    /// (``StudyLocalServices/resolveProposal(_:)``: an evaluation's `learning.model_study`
    /// becomes the model itself), checked like a participant checks them.
    /// - Returns: the published result, or the failure.
    public func lead(_ written: Study.Spec) async -> LeadOutcome {
        let startedAt = Date()
        let spec: Study.Spec
        let proposed: Study.Spec
        do {
            proposed = try await local.resolveProposal(written)
            try await local.checkProposal(proposed)
        } catch {
            return .failed(study: written.id ?? "-", reason: "\(error)")
        }
        do {
            let withID = try proposed.id == nil
                ? proposed.withID(Self.newStudyID(purpose: proposed.purpose.rawValue)) : proposed
            spec = try withID.withDeadline(at: startedAt.addingTimeInterval(TimeInterval(withID.deadlineSeconds)))
        } catch {
            return .failed(study: proposed.id ?? "-", reason: "\(error)")
        }
        let study = spec.id ?? "-"
        if leading[study] != nil || participant.studies[study] != nil {
            return .failed(study: study, reason: "study id \(study) is already in use on \(node)")
        }
        let unknown = spec.participants.filter { !peers.isConfigured($0) }
        guard unknown.isEmpty else {
            return .failed(study: study, reason:
                "\(unknown.count == 1 ? "participant" : "participants") \(unknown.joined(separator: ", ")) "
                + "\(unknown.count == 1 ? "is" : "are") not in this node's configuration (network.peers in cohort.yaml); nothing was proposed")
        }
        var machine: Study.LeadMachine
        do {
            machine = try Study.LeadMachine(spec: spec, lead: node, programs: programs)
        } catch {
            return .failed(study: study, reason: "\(error)")
        }
        var record = LeadingStudy(spec: spec, state: LeadState(.proposing), startedAt: startedAt)
        record.parties[node] = PartyProgress(node: node, stage: "accepted")
        for peer in spec.participants { record.parties[peer] = PartyProgress(node: peer, stage: "proposed") }
        leading[study] = record
        metrics?.studiesRunning.increment(by: 1)
        defer {
            metrics?.studiesRunning.decrement(by: 1)
            leading[study]?.endedAt = clock()
        }
        // Every decision is on record before it takes effect: a failed audit append fails the
        // study before anything is proposed to anyone.
        do {
            try await local.auditStudy(StudyAuditEvent(
                kind: .proposed, study: study, purpose: spec.purpose.rawValue, lead: node, actor: "operator", spec: spec))
        } catch {
            leading[study]?.state = .failed("the proposal could not be audited")
            return .failed(study: study, reason: "the proposal could not be written to this node's audit log: \(error)")
        }

        let (events, continuation) = AsyncStream<LeadEvent>.makeStream()
        let outcome: LeadOutcome = await withTaskGroup(of: Void.self) { group in
            let initial = machine.onStart(now: Date())
            if let deadline = machine.deadline {
                group.addTask {
                    let wait = max(0, deadline.timeIntervalSinceNow)
                    try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1))
                    continuation.yield(.deadline)
                }
            }
            var outcome: LeadOutcome?
            self.refresh(study: study, machine: machine)
            outcome = self.perform(initial, machine: &machine, group: &group, continuation: continuation)
            if outcome == nil {
                for await event in events {
                    var directives: [Study.LeadMachine.Directive] = []
                    switch event {
                    case .decision(let peer, let accepted, let reason):
                        let attempts = self.leading[study]?.parties[peer]?.attempts ?? 0
                        self.leading[study]?.parties[peer] = PartyProgress(
                            node: peer, stage: accepted ? "accepted" : "rejected", attempts: attempts, error: reason)
                        directives = machine.onDecision(from: peer, accepted: accepted, reason: reason)
                    case .contribution(let peer, let message):
                        directives = machine.onContribution(from: peer, message, now: Date())
                    case .secureRound(let report):
                        directives = machine.onSecureRound(report, now: Date())
                    case .secureRoundFailed(let round, let reason):
                        directives = machine.onSecureRoundFailed(round: round, reason: reason)
                    case .failure(let peer, let error):
                        self.leading[study]?.parties[peer] = PartyProgress(node: peer, stage: "failed", error: error)
                        directives = machine.onPeerFailure(peer, error: error)
                    case .progress(let line):
                        self.leading[study]?.parties[line.node] = line
                    case .ownPolicy(let decision):
                        if case .reject(let rejection) = decision {
                            self.leading[study]?.parties[self.node] = PartyProgress(
                                node: self.node, stage: "rejected", error: rejection.description)
                        }
                        directives = machine.onOwnPolicyDecision(decision)
                    case .deadline:
                        directives = machine.onDeadline(now: Date().addingTimeInterval(0.001))
                    }
                    self.refresh(study: study, machine: machine)
                    if let done = self.perform(directives, machine: &machine, group: &group, continuation: continuation) {
                        outcome = done
                    }
                    if machine.isTerminal { break }
                }
            }
            group.cancelAll()
            continuation.finish()
            return outcome ?? .failed(study: study, reason: "the study ended without a result")
        }
        if let abort = aborts.removeValue(forKey: study) {
            await sendAborts(study: study, to: abort.participants, reason: abort.reason)
        }
        switch outcome {
        case .completed(let result, let json, let digest):
            do {
                try await local.storeResult(result, json: json, digest: digest, role: .lead)
            } catch {
                leading[study]?.state = .failed("\(error)")
                return .failed(study: study, reason: "could not store the result: \(error)")
            }
            leading[study]?.state = LeadState(.completed)
            for peer in spec.participants {
                do {
                    try await peers.publish(to: peer, study: study, resultJSON: json, digest: digest)
                    leading[study]?.parties[peer]?.stage = "completed"
                } catch {
                    logger.warning("could not publish the result to a participant",
                                   metadata: ["study": "\(study)", "peer": "\(peer)", "error": "\(error)"])
                }
            }
            leading[study]?.parties[node]?.stage = "completed"
            return outcome
        case .failed(_, var reason):
            // Say why the awaited nodes did not answer (unreachable, still awaiting approval).
            let notes = (leading[study]?.waitingFor ?? []).compactMap { peer -> String? in
                guard let line = leading[study]?.parties[peer] else { return nil }
                switch line.stage {
                case "unreachable":
                    return "\(peer) could not be reached (\(line.attempts) attempts; last error: \(line.error ?? "unknown"))"
                case "awaiting_approval":
                    return "\(peer)'s operator had not approved the study"
                default:
                    return nil
                }
            }
            if !notes.isEmpty { reason += "; " + notes.joined(separator: "; ") }
            leading[study]?.state = .failed(reason)
            do {
                try await local.auditStudy(StudyAuditEvent(
                    kind: .ended(outcome: "failed", reason: reason, rounds: leading[study]?.round),
                    study: study, purpose: spec.purpose.rawValue, lead: node, actor: "system"))
            } catch {
                logger.error("cannot record the failure of a study in the audit log", metadata: [
                    "study": "\(study)", "error": "\(error)"])
            }
            return .failed(study: study, reason: reason)
        }
    }

    /// Copies the machine's phase, awaited nodes and round progress into the study's record.
    private func refresh(study: String, machine: Study.LeadMachine) {
        guard var record = leading[study] else { return }
        record.state = Self.describe(machine.phase)
        if let current = machine.currentRound { record.round = current + 1 }
        // A terminal machine awaits nobody; the record keeps whom it last waited for, to say
        // why in the failure.
        if !machine.isTerminal { record.waitingFor = machine.waitingFor }
        switch machine.phase {
        case .contributingOwn:
            record.parties[node]?.stage = "contributing"
            record.received = 0
        case .collecting:
            record.received = machine.contributed.count
            for peer in machine.spec.participants + [node] {
                let done = machine.contributed.contains(peer)
                if done || record.parties[peer]?.stage == "accepted" {
                    record.parties[peer]?.stage = done ? "contributed" : "contributing"
                }
            }
        case .published:
            record.received = machine.contributed.count
            for peer in machine.contributed { record.parties[peer]?.stage = "contributed" }
        default:
            break
        }
        leading[study] = record
    }

    enum LeadEvent: Sendable {
        case ownPolicy(Study.Policy.Decision)
        case decision(String, Bool, String?)
        case contribution(String, Study.ContributionMessage)
        case secureRound(Study.SecureRound)
        case secureRoundFailed(Int, String)
        case failure(String, String)
        case progress(PartyProgress)
        case deadline
    }

    /// Starts the directives' work as child tasks; returns an outcome for terminal directives.
    /// A directive that does not fit the machine's phase is a defect: the study fails loudly
    /// (``Study/LeadMachine/onDriverFault(_:)``) and its participants are told.
    func perform(
        _ directives: [Study.LeadMachine.Directive], machine: inout Study.LeadMachine,
        group: inout TaskGroup<Void>, continuation: AsyncStream<LeadEvent>.Continuation
    ) -> LeadOutcome? {
        var outcome: LeadOutcome?
        let deadline = machine.deadline ?? Date().addingTimeInterval(60)
        for directive in directives {
            switch directive {
            case .propose(let peer, let spec):
                let peers = self.peers
                let retry = (initial: limits.retryInitialDelay, maximum: limits.retryMaxDelay)
                let study = machine.study
                group.addTask {
                    await Self.propose(
                        spec, to: peer, study: study, peers: peers, deadline: deadline, retry: retry,
                        continuation: continuation)
                }
            case .checkOwnPolicy(let study, let spec):
                guard case .checkingOwnPolicy = machine.phase else {
                    outcome = fault(directive, machine: &machine, group: &group, continuation: continuation) ?? outcome
                    continue
                }
                let local = self.local
                let policy = self.policy
                let node = self.node
                group.addTask {
                    // The lead takes part with its own data: its own policy must allow the study,
                    // and the decision is on record before it takes effect.
                    let decision: Study.Policy.Decision
                    do {
                        let inputs = try await local.policyInputs(for: spec)
                        decision = policy.decide(
                            spec, remainingPeriodEpsilon: inputs.remainingEpsilon,
                            consentingCustomers: inputs.consentingCustomers)
                    } catch {
                        continuation.yield(.failure(node, "could not evaluate this node's policy: \(error)"))
                        return
                    }
                    do {
                        switch decision {
                        case .reject(let rejection):
                            try await local.auditStudy(StudyAuditEvent(
                                kind: .rejected(rejection.description), study: study, purpose: spec.purpose.rawValue,
                                lead: node, actor: "policy"))
                        case .accept, .queue:
                            try await local.auditStudy(StudyAuditEvent(
                                kind: .accepted, study: study, purpose: spec.purpose.rawValue, lead: node, actor: "operator"))
                        }
                    } catch {
                        continuation.yield(.failure(node, "this node's decision could not be written to its audit log: \(error)"))
                        return
                    }
                    continuation.yield(.ownPolicy(decision))
                }
            case .computeOwnContribution(let study, let round, let payload, let plan, let charge):
                guard machine.phase == .contributingOwn(round: round) else {
                    outcome = fault(directive, machine: &machine, group: &group, continuation: continuation) ?? outcome
                    continue
                }
                let local = self.local
                let node = self.node
                let spec = machine.spec
                group.addTask {
                    do {
                        let message = try await local.contribute(
                            spec: spec, plan: plan, study: study, round: round, payload: payload, charge: charge)
                        continuation.yield(.contribution(node, message))
                    } catch {
                        continuation.yield(.failure(node, "\(error)"))
                    }
                }
                metrics?.studyRounds.increment()
            case .requestContribution(let peer, let study, let round, let payload):
                guard machine.phase == .collecting(round: round) else {
                    outcome = fault(directive, machine: &machine, group: &group, continuation: continuation) ?? outcome
                    continue
                }
                let peers = self.peers
                group.addTask {
                    do {
                        let message = try await peers.requestContribution(from: peer, study: study, round: round, payload: payload)
                        continuation.yield(.contribution(peer, message))
                    } catch is CancellationError {
                        return
                    } catch {
                        continuation.yield(.failure(peer, "\(error)"))
                    }
                }
            case .aggregateSecurely(let study, let round, let payload, let own, let parties, let threshold):
                guard machine.phase == .collecting(round: round) else {
                    outcome = fault(directive, machine: &machine, group: &group, continuation: continuation) ?? outcome
                    continue
                }
                let peers = self.peers
                let identity = self.identity
                let node = self.node
                let local = self.local
                let purpose = machine.spec.purpose.rawValue
                let stageTimeout = Duration.milliseconds(Int(min(30, max(1, deadline.timeIntervalSinceNow)) * 1000))
                group.addTask {
                    // The aggregation is on record before its sum is used: written when the lead
                    // asks for the unmasking, beside the participants' own records.
                    let result = await SecureAggregationLeadRound.run(
                        study: study, round: round, own: own, parties: parties, threshold: threshold, lead: node,
                        payload: payload, identity: identity, peers: peers, stageTimeout: stageTimeout
                    ) { survivors, dropouts in
                        try await local.auditStudy(StudyAuditEvent(
                            kind: .aggregated(round: round, parties: parties, survivors: survivors, dropouts: dropouts),
                            study: study, purpose: purpose, lead: node, actor: node))
                    }
                    switch result {
                    case .success(let done):
                        continuation.yield(.secureRound(done.report))
                    case .failure(let failure):
                        continuation.yield(.secureRoundFailed(round, failure.description))
                    }
                }
            case .publish(let result, _):
                guard case .published = machine.phase else {
                    outcome = fault(directive, machine: &machine, group: &group, continuation: continuation) ?? outcome
                    continue
                }
                do {
                    let json = try result.canonicalJSON()
                    outcome = .completed(result, json: json, digest: Data(SHA256.hash(data: json)))
                } catch {
                    outcome = .failed(study: machine.study, reason: "could not encode the result: \(error)")
                }
            case .abort(let peers, let study, let reason):
                logger.warning("study abandoned; telling the participants", metadata: [
                    "study": "\(study)", "participants": "\(peers)", "reason": "\(reason)"])
                aborts[study] = (peers, reason.description)
            case .fail(let failure):
                outcome = .failed(study: machine.study, reason: failure.description)
            }
        }
        return outcome
    }

    /// Fails the study because the driver met `directive` in a phase that does not expect it.
    private func fault(
        _ directive: Study.LeadMachine.Directive, machine: inout Study.LeadMachine,
        group: inout TaskGroup<Void>, continuation: AsyncStream<LeadEvent>.Continuation
    ) -> LeadOutcome? {
        logger.error("the study driver met a directive it does not expect; failing the study", metadata: [
            "study": "\(machine.study)", "phase": "\(machine.phase)", "directive": "\(directive)"])
        let directives = machine.onDriverFault("unexpected directive \(Self.name(of: directive)) in phase \(Self.describe(machine.phase))")
        return perform(directives, machine: &machine, group: &group, continuation: continuation)
    }

    static func name(of directive: Study.LeadMachine.Directive) -> String {
        switch directive {
        case .checkOwnPolicy: return "checkOwnPolicy"
        case .propose: return "propose"
        case .computeOwnContribution: return "computeOwnContribution"
        case .requestContribution: return "requestContribution"
        case .aggregateSecurely: return "aggregateSecurely"
        case .publish: return "publish"
        case .abort: return "abort"
        case .fail: return "fail"
        }
    }

    /// Sends `AbortStudy` to each participant, at most `seconds` each, in parallel; failures
    /// are logged (the participant's deadline ends the study there anyway).
    private func sendAborts(study: String, to participants: [String], reason: String, seconds: Double = 5) async {
        let peers = self.peers
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            for peer in participants {
                group.addTask {
                    do {
                        do {
                            _ = try await withTimeout(.milliseconds(Int(seconds * 1000))) {
                                try await peers.abort(to: peer, study: study, reason: reason)
                            }
                        } catch is TimeoutError {
                            throw NodeError(.peerUnavailable, "no answer within \(seconds) s")
                        }
                    } catch {
                        logger.warning("could not tell a participant that the study was abandoned", metadata: [
                            "study": "\(study)", "peer": "\(peer)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Proposes `spec` to `peer` until it decides or the deadline passes: asks again every
    /// ``pendingPollInterval`` while its operator has not decided, and retries with exponential
    /// backoff while it cannot be reached (``NodeError/Code/peerUnavailable``), reporting each
    /// attempt as progress. Any other error fails the participant at once.
    private static func propose(
        _ spec: Study.Spec, to peer: String, study: String, peers: any StudyPeerCalls, deadline: Date,
        retry: (initial: TimeInterval, maximum: TimeInterval), continuation: AsyncStream<LeadEvent>.Continuation
    ) async {
        let json: Data
        do {
            json = try spec.canonicalJSON()
        } catch {
            continuation.yield(.failure(peer, "\(error)"))
            return
        }
        var delay = max(0.001, retry.initial)
        var attempts = 0
        var pendingReported = false
        while !Task.isCancelled {
            attempts += 1
            do {
                switch try await peers.propose(to: peer, study: study, specJSON: json) {
                case .accepted:
                    continuation.yield(.decision(peer, true, nil))
                    return
                case .rejected(let reason):
                    continuation.yield(.decision(peer, false, reason))
                    return
                case .pending:
                    if !pendingReported {
                        pendingReported = true
                        continuation.yield(.progress(PartyProgress(node: peer, stage: "awaiting_approval", attempts: attempts)))
                    }
                    delay = max(0.001, retry.initial)
                    guard Date() < deadline else { return }
                    try await Task.sleep(for: pendingPollInterval)
                }
            } catch is CancellationError {
                return
            } catch let error as NodeError where error.code == .peerUnavailable {
                pendingReported = false
                let next = Date().addingTimeInterval(delay)
                guard next < deadline else {
                    continuation.yield(.progress(PartyProgress(
                        node: peer, stage: "unreachable", attempts: attempts, error: error.message)))
                    return  // the deadline ends the study and names the reason
                }
                continuation.yield(.progress(PartyProgress(
                    node: peer, stage: "unreachable", attempts: attempts, error: error.message,
                    nextAttempt: StudyDetail.timestamp(next))))
                do {
                    try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                } catch {
                    return
                }
                delay = min(delay * 2, max(retry.initial, retry.maximum))
            } catch {
                continuation.yield(.failure(peer, "\(error)"))
                return
            }
        }
    }

    /// The state status shows for a lead machine's `phase`.
    static func describe(_ phase: Study.LeadMachine.Phase) -> LeadState {
        switch phase {
        case .idle: return LeadState(.idle)
        case .checkingOwnPolicy: return LeadState(.proposing)
        case .proposing: return LeadState(.proposing)
        case .contributingOwn: return LeadState(.contributing)
        case .collecting: return LeadState(.collecting)
        case .published: return LeadState(.completed)
        case .failed(let failure): return .failed(failure.description)
        }
    }

    private static func answer(for reply: Study.ParticipantMachine.Reply) -> ProposalAnswer {
        switch reply {
        case .accepted: return .accepted
        case .pending: return .pending
        case .rejected(let rejection): return .rejected(rejection.description)
        case .contributionRefused(let reason), .contributionFailed(let reason): return .rejected(reason)
        }
    }

    /// A fresh study identifier: purpose, UTC date and 8 random hex digits.
    public static func newStudyID(purpose: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let suffix = String(UInt32.random(in: .min ... .max, using: &rng), radix: 16)
        let day = ISO8601DateFormatter().string(from: Date()).prefix(10).replacingOccurrences(of: "-", with: "")
        return "\(purpose)-\(day)-\(String(repeating: "0", count: max(0, 8 - suffix.count)))\(suffix)"
    }
}

/// How a study this node led ended.
public enum LeadOutcome: Sendable {
    /// Published: the result, its canonical JSON and the SHA-256 digest of that JSON.
    case completed(Study.Result, json: Data, digest: Data)
    /// Failed, with the reason.
    case failed(study: String, reason: String)
}

/// One line of a node's study list.
public struct StudySummary: Sendable, Codable, Hashable {
    /// Study identifier.
    public var id: String
    /// This node's role.
    public var role: StudyRole
    /// The lead node.
    public var lead: String
    /// Purpose.
    public var purpose: String
    /// Study kind (`histogram`, `mean`).
    public var kind: String
    /// State description (`awaitingApproval`, `rejected: <reason>`, `collecting`, …).
    public var state: String
    /// ε charged on each node.
    public var epsilon: Double
    /// Seconds since this node received (participant) or started (lead) the study.
    public var ageSeconds: Int
    /// The lead's deadline, RFC 3339 UTC, when known.
    public var deadline: String?

    /// Creates a summary line.
    public init(
        id: String, role: StudyRole, lead: String, purpose: String, kind: String, state: String, epsilon: Double,
        ageSeconds: Int, deadline: String?
    ) {
        self.id = id
        self.role = role
        self.lead = lead
        self.purpose = purpose
        self.kind = kind
        self.state = state
        self.epsilon = epsilon
        self.ageSeconds = ageSeconds
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey {
        case id, role, lead, purpose, kind, state, epsilon, deadline
        case ageSeconds = "age_seconds"
    }
}
