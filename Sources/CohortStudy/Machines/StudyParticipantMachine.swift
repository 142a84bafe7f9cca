public import Foundation

extension Study {
    /// A participant node's side of all studies it is asked to join, as a pure state machine.
    ///
    /// Order of events per study: `onProposal` → `.decide` (the runtime evaluates
    /// ``Policy/decide(_:remainingPeriodEpsilon:consentingCustomers:)`` from ledger and consent
    /// metadata, reading no customer rows) → `onPolicyDecision` → reply (or `.awaitApproval` and
    /// later `onApproval`/`onRejection`) → `onContributionRequest` → `.contribute`
    /// (emitted **at most once per study and round**; the budget is charged with round 0), and only for an accepted study asked by its
    /// lead before the deadline) → `onContributionSent`/`onContributionFailed` → `onResult` →
    /// `.storeResult`. `onAbort` and `onTick` end studies that the lead abandoned or that outlived
    /// their deadline. Duplicate, late and unsolicited messages produce no side effects.
    ///
    /// Deadlines: a study still undecided (`deciding`, `awaitingApproval`) expires when the
    /// lead's deadline passes (the spec's `deadline_at`, which the lead sets when it starts the
    /// study; without it, arrival plus `deadline_seconds`), so that it can no longer be approved;
    /// an accepted study expires ``graceSeconds`` later (tolerance for clock skew between nodes
    /// and for the result's delivery). A proposal whose deadline has already passed is refused.
    ///
    /// Bounded against a flooding lead: at most ``maxPendingPerLead`` studies per lead may wait
    /// for a decision (`deciding` or `awaitingApproval`); further proposals are refused without
    /// being stored. Ended studies are forgotten by ``onTick(now:)`` once ``retention`` has
    /// passed since they ended (and, except for rejected ones, their deadline plus grace), and
    /// at most ``maxRetainedEnded`` of them are kept (oldest forgotten first).
    public struct ParticipantMachine: Sendable {
        /// Extra time after a study's deadline before a participant gives up on an accepted
        /// study, seconds; also the most a lead's `deadline_at` may lie beyond arrival plus
        /// `deadline_seconds`.
        public static let graceSeconds: TimeInterval = 60
        /// Default ``maxPendingPerLead``: 16 studies.
        public static let defaultMaxPendingPerLead = 16
        /// Default ``retention``: 15 minutes, in seconds.
        public static let defaultRetention: TimeInterval = 900
        /// Default ``maxRetainedEnded``: 1,024 studies.
        public static let defaultMaxRetainedEnded = 1_024

        /// State of one study on this node.
        public enum State: Sendable, Hashable, Codable {
            /// Waiting for the runtime's policy decision.
            case deciding
            /// Policy passed; waiting for the operator.
            case awaitingApproval
            /// Accepted; no contribution requested yet.
            case accepted
            /// The contribute directive for `round` is being carried out.
            case contributing(round: Int)
            /// The contribution to `round` was sent; waiting for the next round or the result.
            case contributed(round: Int)
            /// Terminal: the result was received and stored.
            case completed
            /// Terminal: this node refused the study.
            case rejected(Policy.Rejection)
            /// Terminal: this node could not contribute (e.g. the charge was refused).
            case failed(String)
            /// Terminal: the lead abandoned the study.
            case aborted(String)
            /// Terminal: the deadline (plus grace) passed.
            case expired

            /// True for completed, rejected, failed, aborted and expired.
            public var isTerminal: Bool {
                switch self {
                case .completed, .rejected, .failed, .aborted, .expired: return true
                default: return false
                }
            }
        }

        /// An answer sent to the lead.
        public enum Reply: Sendable, Hashable {
            /// The proposal is accepted (`ProposeStudyResponse.accepted = true`).
            case accepted
            /// The proposal is refused, with the reason.
            case rejected(Policy.Rejection)
            /// The decision waits for the operator.
            case pending
            /// A contribution request is refused (study unknown, not accepted, ended, wrong round).
            case contributionRefused(String)
            /// The contribution could not be produced (e.g. budget charge refused).
            case contributionFailed(String)
        }

        /// What the runtime must do.
        public enum Directive: Sendable, Hashable {
            /// Evaluate the policy for this spec (ledger remaining ε, consenting-customer count) and
            /// call ``onPolicyDecision(study:_:)``. Reads no customer rows.
            case decide(study: String, spec: Spec, lead: String)
            /// Ask the operator to approve or reject (then ``onApproval(study:)`` / ``onRejection(study:reason:)``).
            case awaitApproval(study: String, spec: Spec, lead: String)
            /// Send an answer to the lead.
            case reply(to: String, study: String, Reply)
            /// When `charge` is true (round 0: emitted at most once per study), atomically charge
            /// the purpose's budget for the whole study per `plan` (refuse if it would overspend);
            /// then read the consenting customers (consent as of now), compute the contribution to
            /// `round` with the lead's `payload`, noise it and send it to `lead`; finally call
            /// ``onContributionSent(study:round:message:)`` or
            /// ``onContributionFailed(study:round:error:)``.
            case contribute(study: String, round: Int, payload: RoundPayload, spec: Spec, plan: NoisePlan, lead: String, charge: Bool)
            /// Send the lead the contribution already sent for this round again (a duplicate or
            /// retried request): no new charge, no new noise.
            case resend(to: String, study: String, ContributionMessage)
            /// Write the study's entry to durable storage before carrying out the directives that
            /// follow it (so a restarted node resumes it, or fails it cleanly).
            case persist(study: String, Entry)
            /// Remove the study's entry from durable storage (it has been forgotten).
            case forget(study: String)
            /// Verify and store the published result.
            case storeResult(study: String, Result)
            /// The study reached a terminal state (for the audit log and operator output).
            case closed(study: String, State)
        }

        /// One study known to this node.
        public struct Entry: Sendable, Hashable, Codable {
            /// The proposed spec.
            public let spec: Spec
            /// The lead that proposed it.
            public let lead: String
            /// When the proposal arrived.
            public let receivedAt: Date
            /// The lead's deadline: the spec's `deadline_at` (at most ``graceSeconds`` beyond
            /// arrival plus `deadline_seconds`), or arrival plus `deadline_seconds`. An undecided
            /// study expires then.
            public let deadline: Date
            /// ``deadline`` plus ``graceSeconds``: an accepted study expires then.
            public let expiresAt: Date
            /// Current state.
            public internal(set) var state: State
            /// Rounds for which the contribute directive has been emitted (the budget is charged
            /// with the first).
            public internal(set) var chargedRounds: Set<Int>
            /// The most rounds the study's kind may run.
            public internal(set) var maxRounds: Int = 1
            /// The contribution sent for the latest round, kept to answer a duplicate request.
            public internal(set) var lastSent: ContributionMessage? = nil
            /// When the study was seen in a terminal state (set when it ends during a proposal,
            /// otherwise by the next ``onTick(now:)``); nil while it runs.
            public internal(set) var endedAt: Date? = nil
        }

        /// This node's name.
        public let node: String
        /// Most studies of one lead that may wait for a decision at once.
        public let maxPendingPerLead: Int
        /// How long an ended study stays known (to answer duplicates and for `study list`), seconds.
        public let retention: TimeInterval
        /// Most ended studies kept at once.
        public let maxRetainedEnded: Int
        /// Chooses each study kind's rounds (for the number of rounds a study may run).
        public let programs: RoundPrograms
        /// Studies by identifier (ended ones are kept for ``retention`` to refuse reuse and duplicates).
        public private(set) var studies: [String: Entry] = [:]

        /// Creates the machine of node `node`.
        /// - Parameters:
        ///   - maxPendingPerLead: most undecided studies per lead (at least 1).
        ///   - retention: seconds an ended study stays known (at least 0).
        ///   - maxRetainedEnded: most ended studies kept (at least 0).
        ///   - programs: the study kinds' round programs.
        public init(
            node: String, maxPendingPerLead: Int = defaultMaxPendingPerLead,
            retention: TimeInterval = defaultRetention, maxRetainedEnded: Int = defaultMaxRetainedEnded,
            programs: RoundPrograms = .standard
        ) {
            self.node = node
            self.maxPendingPerLead = max(1, maxPendingPerLead)
            self.retention = retention.isFinite ? max(0, retention) : Self.defaultRetention
            self.maxRetainedEnded = max(0, maxRetainedEnded)
            self.programs = programs
        }

        /// Number of `lead`'s studies waiting for a decision (`deciding` or `awaitingApproval`). O(studies).
        public func pendingCount(lead: String) -> Int {
            studies.values.reduce(0) { count, entry in
                entry.lead == lead && (entry.state == .deciding || entry.state == .awaitingApproval) ? count + 1 : count
            }
        }

        /// Restores the studies a previous run of this node persisted (``Directive/persist(study:_:)``),
        /// at start-up and before any other event.
        ///
        /// A study that was being contributed to when the node stopped fails: its budget charge
        /// is on record, the contribution may or may not have reached the lead, and computing it
        /// again would spend twice; the lead learns the reason at its next request. A study still
        /// being decided by the policy is decided again. Every other study resumes where it was
        /// (an accepted or contributed one answers the lead's next round; an ended one keeps
        /// refusing reuse of its id).
        public mutating func onRestore(_ entries: [String: Entry], now: Date) -> [Directive] {
            var directives: [Directive] = []
            for (study, var entry) in entries.sorted(by: { $0.key < $1.key }) {
                switch entry.state {
                case .contributing(let round):
                    entry.state = .failed(
                        "node \(node) restarted while computing its contribution to round \(round + 1); "
                            + "its budget charge for the study stands and it will not contribute again")
                    entry.endedAt = now
                    studies[study] = entry
                    directives += [.persist(study: study, entry), .closed(study: study, entry.state)]
                case .deciding:
                    studies[study] = entry
                    directives.append(.decide(study: study, spec: entry.spec, lead: entry.lead))
                default:
                    studies[study] = entry
                }
            }
            return directives
        }

        /// A lead proposes a study.
        public mutating func onProposal(_ spec: Spec, from lead: String, now: Date) -> [Directive] {
            guard let study = spec.id else {
                return []  // nothing to answer to: the runtime rejects id-less proposals at the RPC layer
            }
            if let entry = studies[study] {
                guard entry.lead == lead, entry.spec == spec else {
                    return [.reply(to: lead, study: study, .rejected(.invalidProposal("study id \(study) is already in use")))]
                }
                switch entry.state {
                case .deciding: return []
                case .awaitingApproval: return [.reply(to: lead, study: study, .pending)]
                case .accepted, .contributing, .contributed, .completed:
                    return [.reply(to: lead, study: study, .accepted)]
                case .rejected(let rejection): return [.reply(to: lead, study: study, .rejected(rejection))]
                case .failed, .aborted, .expired:
                    return [.reply(to: lead, study: study, .rejected(.invalidProposal("study \(study) has already ended")))]
                }
            }
            let latest = now.addingTimeInterval(TimeInterval(spec.deadlineSeconds) + Self.graceSeconds)
            let deadline = min(spec.deadlineAt ?? now.addingTimeInterval(TimeInterval(spec.deadlineSeconds)), latest)
            let expiresAt = deadline.addingTimeInterval(Self.graceSeconds)
            var problem: String?
            var maxRounds = 1
            if lead == node { problem = "this node cannot be its own participant" }
            else if let deadlineAt = spec.deadlineAt, now >= deadlineAt {
                problem = "the lead's deadline \(Spec.formatDeadline(deadlineAt)) has already passed"
            }
            else if !spec.participants.contains(node) { problem = "node \(node) is not a listed participant" }
            else if spec.participants.contains(lead) { problem = "the lead \(lead) must not be listed as a participant" }
            else {
                do {
                    maxRounds = try programs.program(for: spec, lead: lead).maxRounds
                } catch {
                    problem = "this node cannot run the study: \(error)"
                }
            }
            if let problem {
                let rejection = Policy.Rejection.invalidProposal(problem)
                studies[study] = Entry(
                    spec: spec, lead: lead, receivedAt: now, deadline: deadline, expiresAt: expiresAt,
                    state: .rejected(rejection), chargedRounds: [], endedAt: now)
                return [.reply(to: lead, study: study, .rejected(rejection)), .closed(study: study, .rejected(rejection))]
            }
            let pending = pendingCount(lead: lead)
            if pending >= maxPendingPerLead {
                // Not stored: a lead cannot grow this node's memory by proposing faster than it decides.
                return [.reply(to: lead, study: study, .rejected(.invalidProposal(
                    "lead \(lead) already has \(pending) studies waiting for a decision on \(node) "
                        + "(limit \(maxPendingPerLead)); propose again once some are decided")))]
            }
            let entry = Entry(
                spec: spec, lead: lead, receivedAt: now, deadline: deadline, expiresAt: expiresAt, state: .deciding,
                chargedRounds: [], maxRounds: max(1, maxRounds))
            studies[study] = entry
            return [.persist(study: study, entry), .decide(study: study, spec: spec, lead: lead)]
        }

        /// The runtime's policy decision for a study in `deciding`.
        public mutating func onPolicyDecision(study: String, _ decision: Policy.Decision) -> [Directive] {
            guard var entry = studies[study], entry.state == .deciding else { return [] }
            switch decision {
            case .accept:
                entry.state = .accepted
                studies[study] = entry
                return [.persist(study: study, entry), .reply(to: entry.lead, study: study, .accepted)]
            case .reject(let rejection):
                entry.state = .rejected(rejection)
                studies[study] = entry
                return [
                    .persist(study: study, entry), .reply(to: entry.lead, study: study, .rejected(rejection)),
                    .closed(study: study, entry.state),
                ]
            case .queue:
                entry.state = .awaitingApproval
                studies[study] = entry
                return [
                    .persist(study: study, entry),
                    .reply(to: entry.lead, study: study, .pending),
                    .awaitApproval(study: study, spec: entry.spec, lead: entry.lead),
                ]
            }
        }

        /// The operator approved a queued study. The lead learns it at its next poll.
        public mutating func onApproval(study: String) -> [Directive] {
            guard var entry = studies[study], entry.state == .awaitingApproval else { return [] }
            entry.state = .accepted
            studies[study] = entry
            return [.persist(study: study, entry), .reply(to: entry.lead, study: study, .accepted)]
        }

        /// The operator rejected a queued study. The lead learns it at its next poll.
        public mutating func onRejection(study: String, reason: String) -> [Directive] {
            guard var entry = studies[study], entry.state == .awaitingApproval else { return [] }
            let rejection = Policy.Rejection.operatorRejected(reason)
            entry.state = .rejected(rejection)
            studies[study] = entry
            return [
                .persist(study: study, entry), .reply(to: entry.lead, study: study, .rejected(rejection)),
                .closed(study: study, entry.state),
            ]
        }

        /// The lead asks for the contribution of `round` (rounds run in order from 0), with the
        /// round's payload.
        ///
        /// A repeated request for the round this node last contributed to is answered with the
        /// same message (``Directive/resend(to:study:_:)``): no second charge, no new noise. A
        /// request for any other round than the next is refused. `secure` says whether the request
        /// is the first stage of a secure aggregation (`AdvertiseKeys`) or a plain
        /// `RequestContribution`; it must match the spec's ``Spec/aggregation``, so that a lead
        /// cannot obtain in the clear what the spec says is sent only masked.
        public mutating func onContributionRequest(
            study: String, round: Int, payload: RoundPayload = .empty, from peer: String, now: Date, secure: Bool = false
        ) -> [Directive] {
            guard var entry = studies[study] else {
                return [.reply(to: peer, study: study, .contributionRefused("unknown study \(study)"))]
            }
            guard peer == entry.lead else {
                return [.reply(to: peer, study: study, .contributionRefused("\(peer) is not the lead of study \(study)"))]
            }
            guard (entry.spec.aggregation != .plain) == secure else {
                return [.reply(to: peer, study: study, .contributionRefused(secure
                    ? "study \(study) does not use secure aggregation"
                    : "study \(study) uses secure aggregation: \(node) sends its contribution only masked (AdvertiseKeys), never in the clear"))]
            }
            if case .contributed(let last) = entry.state, last == round, let sent = entry.lastSent, sent.round == round {
                return [.resend(to: peer, study: study, sent)]
            }
            switch entry.state {
            case .failed(let why), .aborted(let why):
                return [.reply(to: peer, study: study, .contributionRefused("study \(study) has ended on \(node): \(why)"))]
            case .completed, .rejected, .expired:
                return [.reply(to: peer, study: study, .contributionRefused("study \(study) has ended on \(node)"))]
            default:
                break
            }
            if entry.chargedRounds.contains(round) { return [] }  // duplicate while in flight
            guard (0..<entry.maxRounds).contains(round) else {
                return [.reply(to: peer, study: study, .contributionRefused(
                    "round \(round + 1) does not exist (the study has at most \(entry.maxRounds))"))]
            }
            guard now < entry.expiresAt || entry.state.isTerminal else {
                entry.state = .expired
                entry.endedAt = now
                studies[study] = entry
                return [
                    .persist(study: study, entry),
                    .reply(to: peer, study: study, .contributionRefused("the study's deadline has passed")),
                    .closed(study: study, .expired),
                ]
            }
            let expected: Bool
            switch entry.state {
            case .accepted: expected = round == 0
            case .contributed(let last): expected = round == last + 1
            default: expected = false
            }
            guard expected else {
                if entry.state == .accepted || { if case .contributed = entry.state { return true } else { return false } }() {
                    return [.reply(to: peer, study: study, .contributionRefused(
                        "round \(round + 1) is not the next round of study \(study) on \(node) (last contributed: \(entry.lastSent.map { "round \($0.round + 1)" } ?? "none"))"))]
                }
                return [.reply(to: peer, study: study, .contributionRefused("study \(study) is not accepted by \(node)"))]
            }
            let plan: NoisePlan
            do {
                plan = try Calibration.plan(for: entry.spec)
            } catch {
                entry.state = .failed("\(error)")
                entry.endedAt = now
                studies[study] = entry
                return [
                    .persist(study: study, entry), .reply(to: peer, study: study, .contributionFailed("\(error)")),
                    .closed(study: study, entry.state),
                ]
            }
            let charge = entry.chargedRounds.isEmpty
            entry.chargedRounds.insert(round)
            entry.state = .contributing(round: round)
            studies[study] = entry
            return [
                .persist(study: study, entry),
                .contribute(study: study, round: round, payload: payload, spec: entry.spec, plan: plan, lead: entry.lead, charge: charge),
            ]
        }

        /// The runtime charged the budget (in round 0) and sent the contribution `message` of `round`.
        public mutating func onContributionSent(study: String, round: Int, message: ContributionMessage) -> [Directive] {
            guard var entry = studies[study], entry.state == .contributing(round: round) else { return [] }
            entry.state = .contributed(round: round)
            entry.lastSent = message
            studies[study] = entry
            return [.persist(study: study, entry)]
        }

        /// The runtime could not charge or compute the contribution of `round`.
        public mutating func onContributionFailed(study: String, round: Int, error: String) -> [Directive] {
            guard var entry = studies[study], entry.state == .contributing(round: round) else { return [] }
            entry.state = .failed(error)
            studies[study] = entry
            return [
                .persist(study: study, entry), .reply(to: entry.lead, study: study, .contributionFailed(error)),
                .closed(study: study, entry.state),
            ]
        }

        /// The lead published the result. Accepted only from the lead, after this node
        /// contributed, for the same study and spec; otherwise ignored.
        public mutating func onResult(_ result: Result, from peer: String) -> [Directive] {
            guard var entry = studies[result.study], case .contributed = entry.state, peer == entry.lead,
                  result.lead == entry.lead, result.spec == entry.spec else { return [] }
            entry.state = .completed
            entry.lastSent = nil
            studies[result.study] = entry
            return [
                .persist(study: result.study, entry), .storeResult(study: result.study, result),
                .closed(study: result.study, .completed),
            ]
        }

        /// The lead abandoned the study (`AbortStudy`). Only the study's lead can abort it.
        public mutating func onAbort(study: String, reason: String, from peer: String) -> [Directive] {
            guard var entry = studies[study], peer == entry.lead, !entry.state.isTerminal else { return [] }
            entry.state = .aborted(reason)
            entry.lastSent = nil
            studies[study] = entry
            return [.persist(study: study, entry), .closed(study: study, entry.state)]
        }

        /// Ends the undecided study `study` because the audit entry that records its proposal or
        /// acceptance could not be written: an unrecorded study must not go ahead.
        public mutating func onAuditFailed(study: String, error: String) -> [Directive] {
            guard var entry = studies[study], !entry.state.isTerminal, entry.chargedRounds.isEmpty else { return [] }
            let rejection = Policy.Rejection.invalidProposal("node \(node) could not record the study in its audit log: \(error)")
            entry.state = .rejected(rejection)
            studies[study] = entry
            return [
                .persist(study: study, entry), .reply(to: entry.lead, study: study, .rejected(rejection)),
                .closed(study: study, entry.state),
            ]
        }

        /// The driver could not carry out a directive for `study` as the protocol requires (it
        /// met one it does not expect, or could not persist the study's state): the study fails
        /// loudly, and the lead learns it at its next request.
        public mutating func onDriverFault(study: String, _ description: String) -> [Directive] {
            guard var entry = studies[study], !entry.state.isTerminal else { return [] }
            entry.state = .failed("internal error in the study driver of \(node): \(description)")
            studies[study] = entry
            return [.persist(study: study, entry), .closed(study: study, entry.state)]
        }

        /// Periodic timer: expires every undecided study whose lead's deadline has passed and
        /// every other non-terminal study whose deadline plus grace has passed, except one whose
        /// contribute directive is still being carried out; then forgets ended studies past
        /// their retention (see the type's summary). O(n log n) in the number of studies.
        public mutating func onTick(now: Date) -> [Directive] {
            var directives: [Directive] = []
            for study in studies.keys.sorted() {
                guard var entry = studies[study], !entry.state.isTerminal else { continue }
                let undecided = entry.state == .deciding || entry.state == .awaitingApproval
                guard now >= (undecided ? entry.deadline : entry.expiresAt) else { continue }
                if case .contributing = entry.state { continue }
                entry.state = .expired
                entry.lastSent = nil
                studies[study] = entry
                directives += [.persist(study: study, entry), .closed(study: study, .expired)]
            }
            directives += forgetEnded(now: now).map { .forget(study: $0) }
            return directives
        }

        private mutating func forgetEnded(now: Date) -> [String] {
            var forgotten: [String] = []
            var ended: [(id: String, at: Date)] = []
            for (id, entry) in studies where entry.state.isTerminal {
                let at: Date
                if let endedAt = entry.endedAt {
                    at = endedAt
                } else {
                    at = now
                    studies[id]?.endedAt = now
                }
                let rejected: Bool
                if case .rejected = entry.state { rejected = true } else { rejected = false }
                if now.timeIntervalSince(at) >= retention, rejected || now >= entry.expiresAt {
                    studies[id] = nil
                    forgotten.append(id)
                } else {
                    ended.append((id, at))
                }
            }
            if ended.count > maxRetainedEnded {
                ended.sort { $0.at != $1.at ? $0.at < $1.at : $0.id < $1.id }
                for old in ended.prefix(ended.count - maxRetainedEnded) {
                    studies[old.id] = nil
                    forgotten.append(old.id)
                }
            }
            return forgotten.sorted()
        }
    }
}

extension Study.ParticipantMachine.Directive {
    /// The study the directive is about.
    public var study: String {
        switch self {
        case .decide(let study, _, _), .awaitApproval(let study, _, _), .reply(_, let study, _),
             .contribute(let study, _, _, _, _, _, _), .resend(_, let study, _), .persist(let study, _),
             .forget(let study), .storeResult(let study, _), .closed(let study, _):
            return study
        }
    }

    /// The directive's name, for logs and failure reasons (`contribute`, `persist`, …).
    public var name: String {
        switch self {
        case .decide: return "decide"
        case .awaitApproval: return "awaitApproval"
        case .reply: return "reply"
        case .contribute: return "contribute"
        case .resend: return "resend"
        case .persist: return "persist"
        case .forget: return "forget"
        case .storeResult: return "storeResult"
        case .closed: return "closed"
        }
    }
}
