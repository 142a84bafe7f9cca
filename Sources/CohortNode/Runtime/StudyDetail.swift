public import CohortStudy
public import Foundation

/// Everything an operator is asked to agree to about one study, and where it stands, as seen
/// by one node that takes part (lead or participant): what `cohort study show` and
/// `cohort study status` print and what `cohort study propose` follows while it waits.
///
/// JSON keys are snake_case (stable; see the README). The consenting-customer count and the
/// budget figures are this node's own and never leave it: the detail is served only on the
/// local admin socket.
public struct StudyDetail: Sendable, Codable, Hashable {
    /// Study identifier.
    public var id: String
    /// This node's role.
    public var role: StudyRole
    /// The lead node.
    public var lead: String
    /// Every node that takes part: the lead first, then the participants in spec order.
    public var parties: [String]
    /// The whole spec, as the participants receive it.
    public var spec: Study.Spec
    /// State name: participant `deciding`, `awaitingApproval`, `accepted`, `contributing`,
    /// `contributed`, `completed`, `rejected`, `failed`, `aborted`, `expired`; lead `proposing`,
    /// `contributing`, `collecting`, `completed`, `failed`.
    public var state: String
    /// Why the study was rejected, failed, aborted or expired; nil otherwise.
    public var reason: String?
    /// When this node received (participant) or started (lead) the study, RFC 3339 UTC.
    public var since: String
    /// Seconds since ``since`` (whole seconds, ≥ 0).
    public var ageSeconds: Int
    /// The lead's deadline, RFC 3339 UTC (nil for a lead study not started yet).
    public var deadline: String?
    /// Seconds until ``deadline`` (negative once passed; nil when there is none).
    public var secondsToDeadline: Int?
    /// Nodes (or this node's operator, as `operator@<node>`) the study is waiting for, sorted.
    public var waitingFor: [String]
    /// A sentence saying what the study waits for, or nil when it has ended.
    public var waitingReason: String?
    /// Progress of the current round; nil before contributions are asked for.
    public var round: Round?
    /// Each party's stage, as far as this node knows (the lead knows all; a participant only
    /// itself and the lead).
    public var progress: [PartyProgress]
    /// What the study costs this node against its budget; nil when it could not be computed.
    public var budget: StudyBudgetPreview?

    /// Creates a detail (the engine builds them; the CLI builds one from a stored result).
    public init(
        id: String, role: StudyRole, lead: String, parties: [String], spec: Study.Spec, state: String,
        reason: String?, since: String, ageSeconds: Int, deadline: String?, secondsToDeadline: Int?,
        waitingFor: [String], waitingReason: String?, round: Round?, progress: [PartyProgress],
        budget: StudyBudgetPreview?
    ) {
        self.id = id
        self.role = role
        self.lead = lead
        self.parties = parties
        self.spec = spec
        self.state = state
        self.reason = reason
        self.since = since
        self.ageSeconds = ageSeconds
        self.deadline = deadline
        self.secondsToDeadline = secondsToDeadline
        self.waitingFor = waitingFor
        self.waitingReason = waitingReason
        self.round = round
        self.progress = progress
        self.budget = budget
    }

    /// Progress of one protocol round.
    public struct Round: Sendable, Codable, Hashable {
        /// Round number, 1-based.
        public var number: Int
        /// Rounds in the study.
        public var of: Int
        /// Contributions received so far (lead only; 0 on a participant).
        public var received: Int
        /// Contributions expected (every party).
        public var expected: Int

        /// Creates a round line.
        public init(number: Int, of: Int, received: Int, expected: Int) {
            self.number = number
            self.of = of
            self.received = received
            self.expected = expected
        }

        enum CodingKeys: String, CodingKey {
            case number, of, received, expected
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, role, lead, parties, spec, state, reason, since, progress, budget, round, deadline
        case ageSeconds = "age_seconds"
        case secondsToDeadline = "seconds_to_deadline"
        case waitingFor = "waiting_for"
        case waitingReason = "waiting_reason"
    }

    /// The encoder of the detail's JSON: sorted keys, pretty-printed.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// RFC 3339 UTC text of `date`, whole seconds.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// One party's stage in a study, as known to the node that reports it.
public struct PartyProgress: Sendable, Codable, Hashable {
    /// Node name.
    public var node: String
    /// `proposed`, `awaiting_approval`, `accepted`, `rejected`, `unreachable`, `contributing`,
    /// `contributed`, `failed`, `completed`, or `unknown`.
    public var stage: String
    /// Calls made to the party so far for the current stage (retries included; 0 when none).
    public var attempts: Int
    /// The last error or refusal reason, if any.
    public var error: String?
    /// When the next attempt is due (RFC 3339 UTC), while retrying an unreachable party.
    public var nextAttempt: String?

    /// Creates a party line.
    public init(node: String, stage: String, attempts: Int = 0, error: String? = nil, nextAttempt: String? = nil) {
        self.node = node
        self.stage = stage
        self.attempts = attempts
        self.error = error
        self.nextAttempt = nextAttempt
    }

    enum CodingKeys: String, CodingKey {
        case node, stage, attempts, error
        case nextAttempt = "next_attempt"
    }
}

/// What a study would cost this node: the study's ε expressed at this node's policy δ,
/// composed (zCDP) with the spends of the current period. Local only.
public struct StudyBudgetPreview: Sendable, Codable, Hashable {
    /// The study's purpose.
    public var purpose: String
    /// Whether this node's policy allows the purpose at all.
    public var allowed: Bool
    /// The δ at which this node states ε (its policy's δ); nil when not allowed.
    public var policyDelta: Double?
    /// The study's cost on this node: ε at ``policyDelta`` (nil when not allowed).
    public var costEpsilon: Double?
    /// ε spent in the current period before this study (composed).
    public var spentEpsilon: Double?
    /// ε remaining in the current period now.
    public var remainingEpsilon: Double?
    /// ε that would remain after this study (composed with the period's spends; ≥ 0).
    public var remainingAfterEpsilon: Double?
    /// The period cap.
    public var capEpsilon: Double?
    /// The per-study cap.
    public var studyCapEpsilon: Double?
    /// Customers consenting to the purpose now: the ones a contribution would use. Exact and
    /// local: it is never sent to another node.
    public var consentingCustomers: Int
    /// Whether this node has already been charged for the study.
    public var charged: Bool

    /// Creates a preview.
    public init(
        purpose: String, allowed: Bool, policyDelta: Double? = nil, costEpsilon: Double? = nil,
        spentEpsilon: Double? = nil, remainingEpsilon: Double? = nil, remainingAfterEpsilon: Double? = nil,
        capEpsilon: Double? = nil, studyCapEpsilon: Double? = nil, consentingCustomers: Int, charged: Bool = false
    ) {
        self.purpose = purpose
        self.allowed = allowed
        self.policyDelta = policyDelta
        self.costEpsilon = costEpsilon
        self.spentEpsilon = spentEpsilon
        self.remainingEpsilon = remainingEpsilon
        self.remainingAfterEpsilon = remainingAfterEpsilon
        self.capEpsilon = capEpsilon
        self.studyCapEpsilon = studyCapEpsilon
        self.consentingCustomers = consentingCustomers
        self.charged = charged
    }

    enum CodingKeys: String, CodingKey {
        case purpose, allowed, charged
        case policyDelta = "policy_delta"
        case costEpsilon = "cost_epsilon"
        case spentEpsilon = "spent_epsilon"
        case remainingEpsilon = "remaining_epsilon"
        case remainingAfterEpsilon = "remaining_after_epsilon"
        case capEpsilon = "cap_epsilon"
        case studyCapEpsilon = "study_cap_epsilon"
        case consentingCustomers = "consenting_customers"
    }
}
