import Crypto
import Foundation
import Logging

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

        /// Creates limits (defaults: 16 pending per lead, 15 min retention, 1,024 ended studies,
        /// 60 s rejection windows, 256 leads).
        public init(
            maxPendingPerLead: Int = Study.ParticipantMachine.defaultMaxPendingPerLead,
            retention: TimeInterval = Study.ParticipantMachine.defaultRetention,
            maxRetainedEnded: Int = Study.ParticipantMachine.defaultMaxRetainedEnded,
            rejectionWindow: TimeInterval = 60,
            maxTrackedLeads: Int = 256
        ) {
            self.maxPendingPerLead = maxPendingPerLead
            self.retention = retention
            self.maxRetainedEnded = maxRetainedEnded
            self.rejectionWindow = rejectionWindow
            self.maxTrackedLeads = maxTrackedLeads
        }

        /// The defaults.
        public static let defaults = Limits()
    }

    /// How long the lead waits between asking a participant whose operator has not decided yet.
    public static let pendingPollInterval: Duration = .milliseconds(500)

    /// A study this node leads, as shown by status.
    public struct LeadingStudy: Sendable {
        /// The spec with its id.
        public var spec: Study.Spec
        /// Current phase description (`proposing`, `collecting`, `completed`, `failed: …`).
        public var state: String
    }

    /// Creates the engine of node `node`.
    /// - Parameters:
    ///   - limits: flood limits of the participant side.
    ///   - clock: the current time (injectable for tests).
    public init(
        node: String, policy: Study.Policy, local: any StudyLocalServices, peers: any StudyPeerCalls,
        metrics: NodeMetrics? = nil, logger: Logger, limits: Limits = .defaults,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.node = node
        self.policy = policy
        self.local = local
        self.peers = peers
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.participant = Study.ParticipantMachine(
            node: node, maxPendingPerLead: limits.maxPendingPerLead, retention: limits.retention,
            maxRetainedEnded: limits.maxRetainedEnded)
        self.rejections = AuditThrottle(window: limits.rejectionWindow, maxKeys: limits.maxTrackedLeads)
    }

    // MARK: Participant side (called by the peer service)

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
        var directives = participant.onProposal(spec, from: lead, now: now)
        while !directives.isEmpty {
            var next: [Study.ParticipantMachine.Directive] = []
            for directive in directives {
                switch directive {
                case .decide(let id, let spec, _):
                    let decision: Study.Policy.Decision
                    do {
                        let inputs = try await local.policyInputs(for: spec)
                        decision = policy.decide(
                            spec, remainingPeriodEpsilon: inputs.remainingEpsilon,
                            consentingCustomers: inputs.consentingCustomers)
                    } catch {
                        decision = .reject(.invalidProposal("could not evaluate the policy: \(error)"))
                    }
                    next += participant.onPolicyDecision(study: id, decision)
                case .reply(_, _, let reply):
                    if isNew, case .rejected(let rejection) = reply {
                        await auditRejection(study: study, spec: spec, lead: lead, reason: rejection.description, now: now)
                    } else if isNew, !recorded {
                        do {
                            try await local.auditStudy(StudyAuditEvent(
                                kind: .proposed, study: study, purpose: spec.purpose.rawValue, lead: lead, actor: lead))
                            if case .accepted = reply {
                                try await local.auditStudy(StudyAuditEvent(
                                    kind: .accepted, study: study, purpose: spec.purpose.rawValue, lead: lead,
                                    actor: "policy"))
                            }
                            recorded = true
                        } catch {
                            // An unrecorded study must not go ahead: reject it instead.
                            logger.error("cannot record a proposed study in the audit log; rejecting it", metadata: [
                                "study": "\(study)", "lead": "\(lead)", "error": "\(error)"])
                            next += participant.onAuditFailed(study: study, error: "\(error)")
                            continue
                        }
                    }
                    answer = Self.answer(for: reply)
                case .closed(let id, let state):
                    logger.debug("study closed", metadata: ["study": "\(id)", "state": "\(state)"])
                case .awaitApproval(let id, _, let lead):
                    logger.notice("study awaits operator approval", metadata: ["study": "\(id)", "lead": "\(lead)"])
                case .chargeBudgetAndContribute, .storeResult:
                    break
                }
            }
            directives = next
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
                kind: .proposed, study: study, purpose: spec.purpose.rawValue, lead: lead, actor: lead))
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

    /// Handles `RequestContribution` from the authenticated peer `lead`.
    /// - Throws: ``NodeError`` with the refusal or failure reason.
    public func onContributionRequest(study: String, round: Int, from lead: String) async throws -> Study.ContributionMessage {
        for directive in participant.onContributionRequest(study: study, round: round, from: lead, now: clock()) {
            switch directive {
            case .chargeBudgetAndContribute(let id, let round, let spec, let plan, _):
                do {
                    let message = try await local.chargeAndContribute(spec: spec, plan: plan, study: id, round: round)
                    _ = participant.onContributionSent(study: id, round: round)
                    metrics?.studyRounds.increment()
                    metrics?.addEpsilon(message.cost.epsilon, purpose: spec.purpose.rawValue)
                    return message
                } catch {
                    _ = participant.onContributionFailed(study: id, round: round, error: "\(error)")
                    throw NodeError(.contributionFailed, "node \(node) could not contribute to study \(id): \(error)")
                }
            case .reply(_, _, let reply):
                switch reply {
                case .contributionRefused(let reason), .contributionFailed(let reason):
                    throw NodeError(.contributionRefused, reason)
                default:
                    throw NodeError(.contributionRefused, "unexpected state for study \(study)")
                }
            default:
                continue
            }
        }
        throw NodeError(.contributionRefused, "study \(study) round \(round) was already contributed or is in progress")
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
        for case .storeResult(_, let result) in directives {
            try await local.storeResult(result, json: resultJSON, digest: digest, role: .participant)
        }
    }

    /// The operator approves (`true`) or rejects a queued study.
    /// - Returns: the study's state afterwards.
    public func decide(study: String, approve: Bool, reason: String) async throws -> String {
        guard let entry = participant.studies[study] else {
            throw NodeError(.unknownStudy, "node \(node) has no study \(study)")
        }
        guard entry.state == .awaitingApproval else {
            throw NodeError(.unknownStudy, "study \(study) is not waiting for approval (state: \(entry.state))")
        }
        _ = approve ? participant.onApproval(study: study) : participant.onRejection(study: study, reason: reason)
        try await local.auditStudy(StudyAuditEvent(
            kind: approve ? .accepted : .rejected("rejected by the operator: \(reason)"), study: study,
            purpose: entry.spec.purpose.rawValue, lead: entry.lead, actor: "operator"))
        return approve ? "accepted" : "rejected: \(reason)"
    }

    /// Expires participant studies whose deadline has passed, forgets ended ones past their
    /// retention, and audits the summaries of rejection windows that are over. Call about once a
    /// second.
    public func tick() async {
        let now = clock()
        for case .closed(let id, let state) in participant.onTick(now: now) {
            logger.info("study closed", metadata: ["study": "\(id)", "state": "\(state)"])
        }
        await auditRejectionSummaries(rejections.due(now: now))
    }

    /// Audits every pending summary of counted rejections (at shutdown).
    public func flushAudit() async {
        await auditRejectionSummaries(rejections.drain())
    }

    /// Studies known to this node, for status and listing.
    public func studies() -> [StudySummary] {
        var out = participant.studies.map { id, entry in
            StudySummary(id: id, role: .participant, lead: entry.lead, purpose: entry.spec.purpose.rawValue,
                         kind: entry.spec.kind.rawValue, state: "\(entry.state)")
        }
        out += leading.map { id, study in
            StudySummary(id: id, role: .lead, lead: node, purpose: study.spec.purpose.rawValue,
                         kind: study.spec.kind.rawValue, state: study.state)
        }
        return out.sorted { $0.id < $1.id }
    }

    // MARK: Lead side

    /// Proposes `spec` with this node as lead and runs it to a terminal state.
    /// - Returns: the published result, or the failure.
    public func lead(_ proposed: Study.Spec) async -> LeadOutcome {
        let spec: Study.Spec
        do {
            spec = try proposed.id == nil
                ? proposed.withID(Self.newStudyID(purpose: proposed.purpose.rawValue)) : proposed
        } catch {
            return .failed(study: proposed.id ?? "-", reason: "\(error)")
        }
        let study = spec.id ?? "-"
        if leading[study] != nil || participant.studies[study] != nil {
            return .failed(study: study, reason: "study id \(study) is already in use on \(node)")
        }
        var machine: Study.LeadMachine
        do {
            machine = try Study.LeadMachine(spec: spec, lead: node)
        } catch {
            return .failed(study: study, reason: "\(error)")
        }
        leading[study] = LeadingStudy(spec: spec, state: "proposing")
        metrics?.studiesRunning.increment(by: 1)
        defer { metrics?.studiesRunning.decrement(by: 1) }
        // Every decision is on record before it takes effect: a failed audit append fails the
        // study before anything is proposed to anyone.
        do {
            try await local.auditStudy(StudyAuditEvent(
                kind: .proposed, study: study, purpose: spec.purpose.rawValue, lead: node, actor: "operator"))
        } catch {
            leading[study]?.state = "failed: the proposal could not be audited"
            return .failed(study: study, reason: "the proposal could not be written to this node's audit log: \(error)")
        }

        // The lead takes part with its own data: its own policy must allow the study.
        let decision: Study.Policy.Decision
        do {
            let inputs = try await local.policyInputs(for: spec)
            decision = policy.decide(
                spec, remainingPeriodEpsilon: inputs.remainingEpsilon, consentingCustomers: inputs.consentingCustomers)
        } catch {
            leading[study]?.state = "failed"
            return .failed(study: study, reason: "could not evaluate this node's policy: \(error)")
        }
        do {
            switch decision {
            case .reject(let rejection):
                leading[study]?.state = "failed: \(rejection.description)"
                try await local.auditStudy(StudyAuditEvent(
                    kind: .rejected(rejection.description), study: study, purpose: spec.purpose.rawValue,
                    lead: node, actor: "policy"))
                return .failed(study: study, reason: "this node's own policy refuses the study: \(rejection.description)")
            case .accept, .queue:
                try await local.auditStudy(StudyAuditEvent(
                    kind: .accepted, study: study, purpose: spec.purpose.rawValue, lead: node, actor: "operator"))
            }
        } catch {
            leading[study]?.state = "failed: the decision could not be audited"
            return .failed(study: study, reason: "this node's decision could not be written to its audit log: \(error)")
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
            outcome = self.perform(initial, machine: machine, group: &group, continuation: continuation)
            if outcome == nil {
                for await event in events {
                    let directives: [Study.LeadMachine.Directive]
                    switch event {
                    case .decision(let peer, let accepted, let reason):
                        directives = machine.onDecision(from: peer, accepted: accepted, reason: reason)
                    case .contribution(let peer, let message):
                        directives = machine.onContribution(from: peer, message, now: Date())
                    case .failure(let peer, let error):
                        directives = machine.onPeerFailure(peer, error: error)
                    case .deadline:
                        directives = machine.onDeadline(now: Date().addingTimeInterval(0.001))
                    }
                    self.leading[study]?.state = Self.describe(machine.phase)
                    if let done = self.perform(directives, machine: machine, group: &group, continuation: continuation) {
                        outcome = done
                    }
                    if machine.isTerminal { break }
                }
            }
            group.cancelAll()
            continuation.finish()
            return outcome ?? .failed(study: study, reason: "the study ended without a result")
        }
        switch outcome {
        case .completed(let result, let json, let digest):
            do {
                try await local.storeResult(result, json: json, digest: digest, role: .lead)
            } catch {
                leading[study]?.state = "failed: \(error)"
                return .failed(study: study, reason: "could not store the result: \(error)")
            }
            leading[study]?.state = "completed"
            for peer in spec.participants {
                do {
                    try await peers.publish(to: peer, study: study, resultJSON: json, digest: digest)
                } catch {
                    logger.warning("could not publish the result to a participant",
                                   metadata: ["study": "\(study)", "peer": "\(peer)", "error": "\(error)"])
                }
            }
            return outcome
        case .failed(_, let reason):
            leading[study]?.state = "failed: \(reason)"
            return outcome
        }
    }

    private enum LeadEvent: Sendable {
        case decision(String, Bool, String?)
        case contribution(String, Study.ContributionMessage)
        case failure(String, String)
        case deadline
    }

    /// Starts the directives' work as child tasks; returns an outcome for terminal directives.
    private func perform(
        _ directives: [Study.LeadMachine.Directive], machine: Study.LeadMachine,
        group: inout TaskGroup<Void>, continuation: AsyncStream<LeadEvent>.Continuation
    ) -> LeadOutcome? {
        var outcome: LeadOutcome?
        let deadline = machine.deadline ?? Date().addingTimeInterval(60)
        for directive in directives {
            switch directive {
            case .propose(let peer, let spec):
                let peers = self.peers
                group.addTask {
                    do {
                        let json = try spec.canonicalJSON()
                        while true {
                            switch try await peers.propose(to: peer, study: machine.study, specJSON: json) {
                            case .accepted:
                                continuation.yield(.decision(peer, true, nil)); return
                            case .rejected(let reason):
                                continuation.yield(.decision(peer, false, reason)); return
                            case .pending:
                                guard Date() < deadline else { return }
                                try await Task.sleep(for: Self.pendingPollInterval)
                            }
                        }
                    } catch is CancellationError {
                        return
                    } catch {
                        continuation.yield(.failure(peer, "\(error)"))
                    }
                }
            case .computeOwnContribution(let study, let round, let plan):
                let local = self.local
                let node = self.node
                let spec = machine.spec
                group.addTask {
                    do {
                        let message = try await local.chargeAndContribute(spec: spec, plan: plan, study: study, round: round)
                        continuation.yield(.contribution(node, message))
                    } catch {
                        continuation.yield(.failure(node, "\(error)"))
                    }
                }
                metrics?.studyRounds.increment()
            case .requestContribution(let peer, let study, let round):
                let peers = self.peers
                group.addTask {
                    do {
                        let message = try await peers.requestContribution(from: peer, study: study, round: round)
                        continuation.yield(.contribution(peer, message))
                    } catch is CancellationError {
                        return
                    } catch {
                        continuation.yield(.failure(peer, "\(error)"))
                    }
                }
            case .publish(let result, _):
                do {
                    let json = try result.canonicalJSON()
                    outcome = .completed(result, json: json, digest: Data(SHA256.hash(data: json)))
                } catch {
                    outcome = .failed(study: machine.study, reason: "could not encode the result: \(error)")
                }
            case .abort(let peers, let study, let reason):
                logger.warning("study abandoned", metadata: [
                    "study": "\(study)", "participants": "\(peers)", "reason": "\(reason)"])
            case .fail(let failure):
                outcome = .failed(study: machine.study, reason: failure.description)
            }
        }
        return outcome
    }

    private static func describe(_ phase: Study.LeadMachine.Phase) -> String {
        switch phase {
        case .idle: return "idle"
        case .proposing: return "proposing"
        case .contributingOwn: return "contributing"
        case .collecting: return "collecting"
        case .published: return "completed"
        case .failed(let failure): return "failed: \(failure.description)"
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
    /// State description.
    public var state: String
}
