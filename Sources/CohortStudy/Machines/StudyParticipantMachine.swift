import Foundation

extension Study {
    /// A participant node's side of all studies it is asked to join, as a pure state machine.
    ///
    /// Order of events per study: `onProposal` → `.decide` (the runtime evaluates
    /// ``Policy/decide(_:remainingPeriodEpsilon:consentingCustomers:)`` from ledger and consent
    /// metadata, reading no customer rows) → `onPolicyDecision` → reply (or `.awaitApproval` and
    /// later `onApproval`/`onRejection`) → `onContributionRequest` → `.chargeBudgetAndContribute`
    /// (emitted **at most once per study and round**, and only for an accepted study asked by its
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
        public enum State: Sendable, Hashable {
            /// Waiting for the runtime's policy decision.
            case deciding
            /// Policy passed; waiting for the operator.
            case awaitingApproval
            /// Accepted; no contribution requested yet.
            case accepted
            /// The charge-and-contribute directive for `round` is being carried out.
            case contributing(round: Int)
            /// The contribution was sent; waiting for the result.
            case contributed
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
            /// Atomically charge the purpose's budget per `plan` (refuse if it would overspend),
            /// then read the consenting customers, compute ``Contribution``, noise it and send it to
            /// `lead`; finally call ``onContributionSent(study:round:)`` or
            /// ``onContributionFailed(study:round:error:)``.
            case chargeBudgetAndContribute(study: String, round: Int, spec: Spec, plan: NoisePlan, lead: String)
            /// Verify and store the published result.
            case storeResult(study: String, Result)
            /// The study reached a terminal state (for the audit log and operator output).
            case closed(study: String, State)
        }

        /// One study known to this node.
        public struct Entry: Sendable, Hashable {
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
            /// Rounds for which the charge directive has been emitted.
            public internal(set) var chargedRounds: Set<Int>
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
        /// Studies by identifier (ended ones are kept for ``retention`` to refuse reuse and duplicates).
        public private(set) var studies: [String: Entry] = [:]

        /// Creates the machine of node `node`.
        /// - Parameters:
        ///   - maxPendingPerLead: most undecided studies per lead (at least 1).
        ///   - retention: seconds an ended study stays known (at least 0).
        ///   - maxRetainedEnded: most ended studies kept (at least 0).
        public init(
            node: String, maxPendingPerLead: Int = defaultMaxPendingPerLead,
            retention: TimeInterval = defaultRetention, maxRetainedEnded: Int = defaultMaxRetainedEnded
        ) {
            self.node = node
            self.maxPendingPerLead = max(1, maxPendingPerLead)
            self.retention = retention.isFinite ? max(0, retention) : Self.defaultRetention
            self.maxRetainedEnded = max(0, maxRetainedEnded)
        }

        /// Number of `lead`'s studies waiting for a decision (`deciding` or `awaitingApproval`). O(studies).
        public func pendingCount(lead: String) -> Int {
            studies.values.reduce(0) { count, entry in
                entry.lead == lead && (entry.state == .deciding || entry.state == .awaitingApproval) ? count + 1 : count
            }
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
            if lead == node { problem = "this node cannot be its own participant" }
            else if let deadlineAt = spec.deadlineAt, now >= deadlineAt {
                problem = "the lead's deadline \(Spec.formatDeadline(deadlineAt)) has already passed"
            }
            else if !spec.participants.contains(node) { problem = "node \(node) is not a listed participant" }
            else if spec.participants.contains(lead) { problem = "the lead \(lead) must not be listed as a participant" }
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
            studies[study] = Entry(
                spec: spec, lead: lead, receivedAt: now, deadline: deadline, expiresAt: expiresAt, state: .deciding,
                chargedRounds: [])
            return [.decide(study: study, spec: spec, lead: lead)]
        }

        /// The runtime's policy decision for a study in `deciding`.
        public mutating func onPolicyDecision(study: String, _ decision: Policy.Decision) -> [Directive] {
            guard var entry = studies[study], entry.state == .deciding else { return [] }
            switch decision {
            case .accept:
                entry.state = .accepted
                studies[study] = entry
                return [.reply(to: entry.lead, study: study, .accepted)]
            case .reject(let rejection):
                entry.state = .rejected(rejection)
                studies[study] = entry
                return [.reply(to: entry.lead, study: study, .rejected(rejection)), .closed(study: study, entry.state)]
            case .queue:
                entry.state = .awaitingApproval
                studies[study] = entry
                return [
                    .reply(to: entry.lead, study: study, .pending),
                    .awaitApproval(study: study, spec: entry.spec, lead: entry.lead),
                ]
            }
        }

        /// The operator approved a queued study.
        public mutating func onApproval(study: String) -> [Directive] {
            guard var entry = studies[study], entry.state == .awaitingApproval else { return [] }
            entry.state = .accepted
            studies[study] = entry
            return [.reply(to: entry.lead, study: study, .accepted)]
        }

        /// The operator rejected a queued study.
        public mutating func onRejection(study: String, reason: String) -> [Directive] {
            guard var entry = studies[study], entry.state == .awaitingApproval else { return [] }
            let rejection = Policy.Rejection.operatorRejected(reason)
            entry.state = .rejected(rejection)
            studies[study] = entry
            return [.reply(to: entry.lead, study: study, .rejected(rejection)), .closed(study: study, entry.state)]
        }

        /// The lead asks for the contribution of `round`.
        public mutating func onContributionRequest(study: String, round: Int, from peer: String, now: Date) -> [Directive] {
            guard var entry = studies[study] else {
                return [.reply(to: peer, study: study, .contributionRefused("unknown study \(study)"))]
            }
            guard peer == entry.lead else {
                return [.reply(to: peer, study: study, .contributionRefused("\(peer) is not the lead of study \(study)"))]
            }
            if entry.chargedRounds.contains(round) { return [] }  // duplicate: already charged and sent or in flight
            guard (0..<entry.spec.rounds).contains(round) else {
                return [.reply(to: peer, study: study, .contributionRefused("round \(round) does not exist"))]
            }
            guard now < entry.expiresAt || entry.state.isTerminal else {
                entry.state = .expired
                studies[study] = entry
                return [
                    .reply(to: peer, study: study, .contributionRefused("the study's deadline has passed")),
                    .closed(study: study, .expired),
                ]
            }
            guard entry.state == .accepted else {
                return [.reply(to: peer, study: study, .contributionRefused("study \(study) is not accepted by \(node)"))]
            }
            let plan: NoisePlan
            do {
                plan = try Calibration.plan(for: entry.spec)
            } catch {
                entry.state = .failed("\(error)")
                studies[study] = entry
                return [.reply(to: peer, study: study, .contributionFailed("\(error)")), .closed(study: study, entry.state)]
            }
            entry.chargedRounds.insert(round)
            entry.state = .contributing(round: round)
            studies[study] = entry
            return [.chargeBudgetAndContribute(study: study, round: round, spec: entry.spec, plan: plan, lead: entry.lead)]
        }

        /// The runtime charged the budget and sent the contribution of `round`.
        public mutating func onContributionSent(study: String, round: Int) -> [Directive] {
            guard var entry = studies[study], entry.state == .contributing(round: round) else { return [] }
            entry.state = .contributed
            studies[study] = entry
            return []
        }

        /// The runtime could not charge or compute the contribution of `round`.
        public mutating func onContributionFailed(study: String, round: Int, error: String) -> [Directive] {
            guard var entry = studies[study], entry.state == .contributing(round: round) else { return [] }
            entry.state = .failed(error)
            studies[study] = entry
            return [.reply(to: entry.lead, study: study, .contributionFailed(error)), .closed(study: study, entry.state)]
        }

        /// The lead published the result. Accepted only from the lead, after this node
        /// contributed, for the same study and spec; otherwise ignored.
        public mutating func onResult(_ result: Result, from peer: String) -> [Directive] {
            guard var entry = studies[result.study], entry.state == .contributed, peer == entry.lead,
                  result.lead == entry.lead, result.spec == entry.spec else { return [] }
            entry.state = .completed
            studies[result.study] = entry
            return [.storeResult(study: result.study, result), .closed(study: result.study, .completed)]
        }

        /// The lead abandoned the study.
        public mutating func onAbort(study: String, reason: String, from peer: String) -> [Directive] {
            guard var entry = studies[study], peer == entry.lead, !entry.state.isTerminal else { return [] }
            entry.state = .aborted(reason)
            studies[study] = entry
            return [.closed(study: study, entry.state)]
        }

        /// Ends the undecided study `study` because the audit entry that records its proposal or
        /// acceptance could not be written: an unrecorded study must not go ahead.
        public mutating func onAuditFailed(study: String, error: String) -> [Directive] {
            guard var entry = studies[study], !entry.state.isTerminal, entry.chargedRounds.isEmpty else { return [] }
            let rejection = Policy.Rejection.invalidProposal("node \(node) could not record the study in its audit log: \(error)")
            entry.state = .rejected(rejection)
            studies[study] = entry
            return [.reply(to: entry.lead, study: study, .rejected(rejection)), .closed(study: study, entry.state)]
        }

        /// Periodic timer: expires every undecided study whose lead's deadline has passed and
        /// every other non-terminal study whose deadline plus grace has passed, except one whose
        /// charge-and-contribute directive is still being carried out; then forgets ended
        /// studies past their retention (see the type's summary). O(n log n) in the number of
        /// studies.
        public mutating func onTick(now: Date) -> [Directive] {
            var directives: [Directive] = []
            for study in studies.keys.sorted() {
                guard var entry = studies[study], !entry.state.isTerminal else { continue }
                let undecided = entry.state == .deciding || entry.state == .awaitingApproval
                guard now >= (undecided ? entry.deadline : entry.expiresAt) else { continue }
                if case .contributing = entry.state { continue }
                entry.state = .expired
                studies[study] = entry
                directives.append(.closed(study: study, .expired))
            }
            forgetEnded(now: now)
            return directives
        }

        private mutating func forgetEnded(now: Date) {
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
                } else {
                    ended.append((id, at))
                }
            }
            if ended.count > maxRetainedEnded {
                ended.sort { $0.at != $1.at ? $0.at < $1.at : $0.id < $1.id }
                for old in ended.prefix(ended.count - maxRetainedEnded) { studies[old.id] = nil }
            }
        }
    }
}
