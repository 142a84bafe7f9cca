import Foundation

extension Study {
    /// The lead's side of one study, as a pure state machine (no I/O, no clock).
    ///
    /// Protocol: `onStart` proposes the spec to every participant; when all have accepted, the
    /// lead first computes (and charges) its own contribution, then requests the participants'
    /// contributions — so no participant spends budget for a study the lead cannot pay for.
    /// When every contribution has arrived the result is aggregated and published. Any rejection,
    /// participant failure, invalid contribution or the deadline fails the study with a
    /// ``Failure``; the participants are told through ``Directive/abort(to:study:reason:)``.
    /// Late, duplicate and unsolicited messages are ignored. After `.published` or `.failed`
    /// every event returns no directives. The runtime must deliver `onDeadline` at or after
    /// ``deadline``; that always ends the study.
    public struct LeadMachine: Sendable {
        /// Where the study is.
        public enum Phase: Sendable, Hashable {
            /// Created, not started.
            case idle
            /// Proposed, waiting for decisions.
            case proposing
            /// All accepted; waiting for the lead's own contribution.
            case contributingOwn
            /// Contributions requested from the participants; waiting for them.
            case collecting
            /// Terminal: the result was published.
            case published(Result)
            /// Terminal: the study failed.
            case failed(Failure)
        }

        /// What the runtime must do.
        public enum Directive: Sendable, Hashable {
            /// Send `ProposeStudy(spec)` to the participant and feed its answer to ``onDecision(from:accepted:reason:)``.
            case propose(to: String, spec: Spec)
            /// Charge the lead's own budget per `plan`, read its consenting customers, compute and
            /// noise its contribution, and feed it to ``onContribution(from:_:now:)`` with the
            /// lead's own name (or ``onPeerFailure(_:error:)`` with it on failure).
            case computeOwnContribution(study: String, round: Int, plan: NoisePlan)
            /// Send `RequestContribution(study, round)` to the participant; feed the answer to
            /// ``onContribution(from:_:now:)``.
            case requestContribution(from: String, study: String, round: Int)
            /// Store the result locally (and audit `result.released` with its digest), then send it
            /// to the listed participants.
            case publish(Result, to: [String])
            /// Tell the listed participants that the study is abandoned.
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
        /// Current phase.
        public private(set) var phase: Phase = .idle
        /// When ``onStart(now:)`` ran.
        public private(set) var startedAt: Date?
        /// The spec's `deadline_at` when the lead set it, else `startedAt + deadline_seconds`;
        /// set by ``onStart(now:)``.
        public private(set) var deadline: Date?
        private var accepted: Set<String> = []
        private var contributions: [String: ContributionMessage] = [:]

        /// Creates the machine for a spec that has an id and does not list the lead itself.
        public init(spec: Spec, lead: String) throws {
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
        }

        /// True once the study is published or failed.
        public var isTerminal: Bool {
            switch phase {
            case .published, .failed: return true
            default: return false
            }
        }

        /// Nodes whose answer or contribution the machine is waiting for, sorted.
        public var waitingFor: [String] {
            switch phase {
            case .idle, .published, .failed: return []
            case .proposing: return spec.participants.filter { !accepted.contains($0) }.sorted()
            case .contributingOwn: return [lead]
            case .collecting: return spec.participants.filter { contributions[$0] == nil }.sorted()
            }
        }

        /// Participants that have accepted the proposal, sorted.
        public var acceptedParticipants: [String] { accepted.sorted() }

        /// Nodes (the lead included) whose contribution to the current round has arrived, sorted.
        public var contributed: [String] { contributions.keys.sorted() }

        /// Starts the study at `now`: proposes it to every participant.
        public mutating func onStart(now: Date) -> [Directive] {
            guard case .idle = phase else { return [] }
            startedAt = now
            deadline = spec.deadlineAt ?? now.addingTimeInterval(TimeInterval(spec.deadlineSeconds))
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
            phase = .contributingOwn
            return [.computeOwnContribution(study: study, round: 0, plan: plan)]
        }

        /// A contribution from a participant, or the lead's own (`peer == lead`). Invalid
        /// contributions fail the study; duplicates and unsolicited ones are ignored.
        public mutating func onContribution(from peer: String, _ message: ContributionMessage, now: Date) -> [Directive] {
            switch phase {
            case .contributingOwn where peer == lead:
                if let failure = check(message, from: peer) { return fail(failure, culprit: nil) }
                contributions[peer] = message
                phase = .collecting
                return spec.participants.map { .requestContribution(from: $0, study: study, round: 0) }
            case .collecting where spec.participants.contains(peer) && contributions[peer] == nil:
                if let failure = check(message, from: peer) { return fail(failure, culprit: peer) }
                contributions[peer] = message
                guard contributions.count == spec.participants.count + 1 else { return [] }
                do {
                    let result = try Aggregation.aggregate(
                        spec: spec, lead: lead, contributions: contributions,
                        startedAt: startedAt ?? now, completedAt: now)
                    phase = .published(result)
                    return [.publish(result, to: spec.participants)]
                } catch {
                    return fail(.aggregationFailed("\(error)"), culprit: nil)
                }
            default:
                return []
            }
        }

        /// A participant (or the lead's own contribution step, `peer == lead`) failed: fails the
        /// study unless that node's contribution has already arrived.
        public mutating func onPeerFailure(_ peer: String, error: String) -> [Directive] {
            guard !isTerminal, phase != .idle, peer == lead || spec.participants.contains(peer),
                  contributions[peer] == nil else { return [] }
            return fail(.peerFailed(peer, error: error), culprit: peer == lead ? nil : peer)
        }

        /// The deadline timer fired. At or after ``deadline`` (or before the study was started)
        /// the study fails, naming the nodes still awaited; an early timer is ignored.
        public mutating func onDeadline(now: Date) -> [Directive] {
            if case .idle = phase { return fail(.notStarted, culprit: nil) }
            guard !isTerminal, let deadline, now >= deadline else { return [] }
            return fail(.deadlinePassed(seconds: spec.deadlineSeconds, waitingFor: waitingFor), culprit: nil)
        }

        private func check(_ message: ContributionMessage, from peer: String) -> Failure? {
            do {
                try Aggregation.validate(message, from: peer, spec: spec, study: study)
                return nil
            } catch let error as StudyError {
                return .invalidContribution(from: peer, message: error.message)
            } catch {
                return .invalidContribution(from: peer, message: "\(error)")
            }
        }

        private mutating func fail(_ failure: Failure, culprit: String?) -> [Directive] {
            let started: Bool
            if case .idle = phase { started = false } else { started = true }
            phase = .failed(failure)
            let notify = started ? spec.participants.filter { $0 != culprit } : []
            var directives: [Directive] = []
            if !notify.isEmpty { directives.append(.abort(to: notify, study: study, reason: failure)) }
            directives.append(.fail(failure))
            return directives
        }
    }
}
