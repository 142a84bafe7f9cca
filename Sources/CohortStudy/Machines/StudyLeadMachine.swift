import CohortCore
public import Foundation

extension Study {
    /// The lead's side of one study, as a pure state machine (no I/O, no clock).
    ///
    /// Protocol: `onStart` asks for the lead's own policy decision (the lead takes part with its
    /// own data, so its policy must allow the study); on acceptance the spec is proposed to every
    /// participant. When all have accepted, the rounds run: in each round the lead first computes
    /// (and, in round 0, charges for the whole study) its own contribution, then requests the
    /// participants' contributions with the round's ``RoundPayload`` — so no participant spends
    /// budget for a study the lead cannot pay for. When every contribution of a round has
    /// arrived, the study kind's ``RoundProgram`` decides: another round, or the result, which
    /// is published. Any rejection, participant failure (a dropout), invalid contribution, a
    /// program failure or the deadline fails the study with a ``Failure``; the participants are
    /// told through ``Directive/abort(to:study:reason:)``. Late, duplicate, replayed and
    /// unsolicited messages are ignored (a contribution counts only for the current round, from
    /// a party that has not yet sent one for it). After `.published` or `.failed` every event
    /// returns no directives. The runtime must deliver `onDeadline` at or after ``deadline``;
    /// that always ends the study.
    public struct LeadMachine: Sendable {
        /// Where the study is.
        public enum Phase: Sendable, Hashable {
            /// Created, not started.
            case idle
            /// Waiting for the lead's own policy decision.
            case checkingOwnPolicy
            /// Proposed, waiting for decisions.
            case proposing
            /// All accepted; waiting for the lead's own contribution to `round`.
            case contributingOwn(round: Int)
            /// Contributions to `round` requested from the participants; waiting for them.
            case collecting(round: Int)
            /// Terminal: the result was published.
            case published(Result)
            /// Terminal: the study failed.
            case failed(Failure)
        }

        /// What the runtime must do.
        public enum Directive: Sendable, Hashable {
            /// Evaluate this node's own policy for the spec (ledger and consent metadata only; no
            /// customer row), record the decision, and feed it to ``onOwnPolicyDecision(_:)``.
            case checkOwnPolicy(study: String, spec: Spec)
            /// Send `ProposeStudy(spec)` to the participant and feed its answer to ``onDecision(from:accepted:reason:)``.
            case propose(to: String, spec: Spec)
            /// Compute the lead's own contribution to `round` with `payload` — charging the
            /// budget of the whole study per `plan` first when `charge` is true (round 0) — and
            /// feed it to ``onContribution(from:_:now:)`` with the lead's own name (or
            /// ``onPeerFailure(_:error:)`` with it on failure).
            case computeOwnContribution(study: String, round: Int, payload: RoundPayload, plan: NoisePlan, charge: Bool)
            /// Send `RequestContribution(study, round, payload)` to the participant; feed the
            /// answer to ``onContribution(from:_:now:)`` (or ``onPeerFailure(_:error:)``).
            case requestContribution(from: String, study: String, round: Int, payload: RoundPayload)
            /// A securely aggregated study (``Spec/aggregation``): run one secure aggregation for
            /// `round` among `parties` (the lead included, whose noised contribution is `own`)
            /// with threshold `threshold`, the participants computing theirs with `payload`;
            /// feed the unmasked sum to ``onSecureRound(_:now:)`` or the reason it could not be
            /// computed to ``onSecureRoundFailed(round:reason:)``.
            case aggregateSecurely(study: String, round: Int, payload: RoundPayload, own: ContributionMessage, parties: [String], threshold: Int)
            /// Store the result locally (and audit `result.released` with its digest), then send it
            /// to the listed participants.
            case publish(Result, to: [String])
            /// Tell the listed participants (`AbortStudy`) that the study is abandoned.
            case abort(to: [String], study: String, reason: Failure)
            /// Record the failure (audit, operator output). Terminal.
            case fail(Failure)
        }

        /// The spec (with its id).
        public let spec: Spec
        /// The study identifier.
        public let study: String
        /// This (lead) node's name.
        public let lead: String
        /// The lead's noise plan (identical for every node).
        public let plan: NoisePlan
        /// The study kind's rounds.
        public let program: any RoundProgram
        /// Current phase.
        public private(set) var phase: Phase = .idle
        /// When ``onStart(now:)`` ran.
        public private(set) var startedAt: Date?
        /// The spec's `deadline_at` when the lead set it, else `startedAt + deadline_seconds`;
        /// set by ``onStart(now:)``.
        public private(set) var deadline: Date?
        /// The current round's payload.
        public private(set) var payload: RoundPayload = .empty
        /// Rounds completed so far.
        public private(set) var completedRounds = 0
        private var accepted: Set<String> = []
        private var contributions: [String: ContributionMessage] = [:]

        /// Creates the machine for a spec that has an id and does not list the lead itself.
        /// - Parameter programs: chooses the study kind's ``RoundProgram``.
        public init(spec: Spec, lead: String, programs: RoundPrograms = .standard) throws {
            self.study = try spec.requireID()
            try Spec.validateNodeName(lead, key: "lead")
            guard !spec.participants.contains(lead) else {
                throw StudyError(
                    .invalidConfiguration, key: "participants",
                    "the lead '\(lead)' participates implicitly; do not list it")
            }
            self.spec = spec
            self.lead = lead
            self.plan = try Calibration.plan(for: spec)
            self.program = try programs.program(for: spec, lead: lead)
            guard program.maxRounds >= 1 else {
                throw StudyError(.invalidConfiguration, key: "rounds", "a study needs at least one round")
            }
        }

        /// True once the study is published or failed.
        public var isTerminal: Bool {
            switch phase {
            case .published, .failed: return true
            default: return false
            }
        }

        /// The round being run, nil before the first and after the end.
        public var currentRound: Int? {
            switch phase {
            case .contributingOwn(let round), .collecting(let round): return round
            default: return nil
            }
        }

        /// Nodes whose answer or contribution the machine is waiting for, sorted.
        public var waitingFor: [String] {
            switch phase {
            case .idle, .published, .failed: return []
            case .checkingOwnPolicy, .contributingOwn: return [lead]
            case .proposing: return spec.participants.filter { !accepted.contains($0) }.sorted()
            case .collecting: return spec.participants.filter { contributions[$0] == nil }.sorted()
            }
        }

        /// Participants that have accepted the proposal, sorted.
        public var acceptedParticipants: [String] { accepted.sorted() }

        /// Nodes (the lead included) whose contribution to the current round has arrived, sorted.
        public var contributed: [String] { contributions.keys.sorted() }

        /// Starts the study at `now`: asks for the lead's own policy decision.
        public mutating func onStart(now: Date) -> [Directive] {
            guard case .idle = phase else { return [] }
            startedAt = now
            deadline = spec.deadlineAt ?? now.addingTimeInterval(TimeInterval(spec.deadlineSeconds))
            phase = .checkingOwnPolicy
            return [.checkOwnPolicy(study: study, spec: spec)]
        }

        /// The lead's own policy decision: a rejection fails the study before anything is
        /// proposed; acceptance (or a decision queued for the lead's operator, who proposed the
        /// study) proposes it to every participant.
        public mutating func onOwnPolicyDecision(_ decision: Policy.Decision) -> [Directive] {
            guard case .checkingOwnPolicy = phase else { return [] }
            if case .reject(let rejection) = decision {
                return fail(.ownPolicyRejected(rejection.description), culprit: nil)
            }
            phase = .proposing
            return spec.participants.map { .propose(to: $0, spec: spec) }
        }

        /// A participant's answer to the proposal. A rejection fails the study; duplicate or
        /// unsolicited answers are ignored.
        public mutating func onDecision(from peer: String, accepted isAccepted: Bool, reason: String?) -> [Directive] {
            guard case .proposing = phase, spec.participants.contains(peer), !accepted.contains(peer) else {
                return []
            }
            guard isAccepted else {
                return fail(.rejected(by: peer, reason: reason ?? "no reason given"), culprit: peer)
            }
            accepted.insert(peer)
            guard accepted.count == spec.participants.count else { return [] }
            do {
                payload = try program.firstRound()
            } catch {
                return fail(.roundFailed(round: 0, "\(error)"), culprit: nil)
            }
            return beginRound(0)
        }

        /// A contribution from a participant, or the lead's own (`peer == lead`). Invalid
        /// contributions fail the study; duplicates, replays of an earlier round and
        /// unsolicited ones are ignored.
        public mutating func onContribution(from peer: String, _ message: ContributionMessage, now: Date) -> [Directive] {
            switch phase {
            case .contributingOwn(let round) where peer == lead:
                guard message.round == round else { return [] }
                if let failure = check(message, from: peer, round: round) { return fail(failure, culprit: nil) }
                contributions[peer] = message
                phase = .collecting(round: round)
                if case .secure(_, let threshold) = spec.aggregation {
                    return [.aggregateSecurely(
                        study: study, round: round, payload: payload, own: message,
                        parties: ([lead] + spec.participants).sorted(), threshold: threshold)]
                }
                return spec.participants.map {
                    .requestContribution(from: $0, study: study, round: round, payload: payload)
                }
            case .collecting(let round) where spec.aggregation == .plain && spec.participants.contains(peer) && contributions[peer] == nil:
                guard message.round == round else { return [] }  // late reply to an earlier round
                if let failure = check(message, from: peer, round: round) { return fail(failure, culprit: peer) }
                contributions[peer] = message
                guard contributions.count == spec.participants.count + 1 else { return [] }
                do {
                    let total = try Aggregation.sum(contributions.keys.sorted().compactMap { contributions[$0]?.values }, length: message.values.count)
                    return endRound(round, sum: total, now: now)
                } catch {
                    return fail(.aggregationFailed("\(error)"), culprit: nil)
                }
            default:
                return []
            }
        }

        /// The securely aggregated sum of `report.round` (a study with secure aggregation). Every
        /// survivor's message is checked as a plain contribution would be (study, length, cost);
        /// the lead's own must be among them. Reports for another round, or when the study is not
        /// collecting securely, are ignored.
        public mutating func onSecureRound(_ report: SecureRound, now: Date) -> [Directive] {
            guard case .collecting(let round) = phase, report.round == round, spec.aggregation != .plain else { return [] }
            guard report.messages[lead] != nil else {
                return fail(.aggregationFailed("round \(round + 1): the lead's own contribution is not among the survivors"), culprit: nil)
            }
            for node in report.messages.keys.sorted() {
                guard node == lead || spec.participants.contains(node), let message = report.messages[node] else {
                    return fail(.aggregationFailed("round \(round + 1): \(node) is not a party of the study"), culprit: nil)
                }
                if let failure = check(message, from: node, round: round) { return fail(failure, culprit: nil) }
            }
            contributions = report.messages
            return endRound(round, sum: report.sum, now: now)
        }

        /// The secure aggregation of `round` failed (too few survivors, a refused message, a
        /// decoding check): the study fails with nothing released.
        public mutating func onSecureRoundFailed(round: Int, reason: String) -> [Directive] {
            guard case .collecting(let current) = phase, current == round, spec.aggregation != .plain else { return [] }
            return fail(.aggregationFailed("round \(round + 1): \(reason)"), culprit: nil)
        }

        /// A participant (or the lead's own contribution step, `peer == lead`) failed or dropped
        /// out: fails the study unless that node's contribution to the current round has already
        /// arrived.
        public mutating func onPeerFailure(_ peer: String, error: String) -> [Directive] {
            guard !isTerminal, phase != .idle, peer == lead || spec.participants.contains(peer),
                  contributions[peer] == nil else { return [] }
            if case .checkingOwnPolicy = phase, peer != lead { return [] }
            let failure: Failure
            if let round = currentRound, program.maxRounds > 1 {
                failure = .droppedOut(peer, round: round, error: error)
            } else {
                failure = .peerFailed(peer, error: error)
            }
            return fail(failure, culprit: peer == lead ? nil : peer)
        }

        /// The driver could not carry out a directive as the protocol requires (e.g. it met one
        /// it does not expect in this phase): the study fails loudly and the participants are told.
        public mutating func onDriverFault(_ description: String) -> [Directive] {
            guard !isTerminal else { return [] }
            return fail(.driverFault(description), culprit: nil)
        }

        /// The deadline timer fired. At or after ``deadline`` (or before the study was started)
        /// the study fails, naming the nodes still awaited; an early timer is ignored.
        public mutating func onDeadline(now: Date) -> [Directive] {
            if case .idle = phase { return fail(.notStarted, culprit: nil) }
            guard !isTerminal, let deadline, now >= deadline else { return [] }
            return fail(.deadlinePassed(seconds: spec.deadlineSeconds, waitingFor: waitingFor), culprit: nil)
        }

        private mutating func beginRound(_ round: Int) -> [Directive] {
            contributions = [:]
            phase = .contributingOwn(round: round)
            return [.computeOwnContribution(study: study, round: round, payload: payload, plan: plan, charge: round == 0)]
        }

        private mutating func endRound(_ round: Int, sum: [UInt64], now: Date) -> [Directive] {
            completedRounds = round + 1
            switch program.afterRound(
                round, payload: payload, contributions: contributions, sum: sum, startedAt: startedAt ?? now, completedAt: now)
            {
            case .publish(let result):
                phase = .published(result)
                return [.publish(result, to: spec.participants)]
            case .nextRound(let next):
                guard round + 1 < program.maxRounds else {
                    return fail(.roundFailed(
                        round: round, "the study kind asked for round \(round + 2) of at most \(program.maxRounds)"),
                        culprit: nil)
                }
                payload = next
                return beginRound(round + 1)
            case .fail(let reason):
                return fail(.roundFailed(round: round, reason), culprit: nil)
            }
        }

        private func check(_ message: ContributionMessage, from peer: String, round: Int) -> Failure? {
            do {
                try program.validate(message, from: peer, round: round, payload: payload)
                return nil
            } catch let error as StudyError {
                return .invalidContribution(from: peer, message: error.message)
            } catch {
                return .invalidContribution(from: peer, message: "\(error)")
            }
        }

        private mutating func fail(_ failure: Failure, culprit: String?) -> [Directive] {
            let proposed: Bool
            switch phase {
            case .idle, .checkingOwnPolicy: proposed = false
            default: proposed = true
            }
            phase = .failed(failure)
            let notify = proposed ? spec.participants.filter { $0 != culprit } : []
            var directives: [Directive] = []
            if !notify.isEmpty { directives.append(.abort(to: notify, study: study, reason: failure)) }
            directives.append(.fail(failure))
            return directives
        }
    }
}
