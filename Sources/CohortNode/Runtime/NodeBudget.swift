public import CohortCore
public import CohortPrivacy
public import CohortStore
public import Foundation

/// The node's privacy ledger: its policy (from `cohort.yaml`) applied to the spends stored in
/// `node.sqlite`.
public enum NodeBudget {
    /// The ledger policy of a purpose, or nil when the config does not allow the purpose.
    public static func policy(_ purpose: Purpose, config: NodeConfig) throws -> Privacy.Ledger.PurposePolicy? {
        guard let p = config.policy(for: purpose) else { return nil }
        return try Privacy.Ledger.PurposePolicy(
            epsilonPerPeriod: p.epsilonPerPeriod, periodDays: p.periodDays, epsilonPerStudy: p.epsilonPerStudy,
            delta: config.privacy.delta)
    }

    /// The stored spends of a purpose as ledger entries, oldest first.
    public static func history(_ purpose: Purpose, store: NodeStore) throws -> [Privacy.Ledger.Spend] {
        try store.budgetSpends(purpose: purpose.rawValue).map(spend(from:))
    }

    /// A stored spend as a ledger entry.
    public static func spend(from record: BudgetSpendRecord) throws -> Privacy.Ledger.Spend {
        try Privacy.Ledger.Spend(study: record.study, at: record.at, costJSON: record.costJSON)
    }

    /// The ledger status of a purpose at `now`, or nil when the config does not allow it.
    public static func status(
        _ purpose: Purpose, store: NodeStore, config: NodeConfig, at now: Date
    ) throws -> Privacy.Ledger.Status? {
        guard let policy = try policy(purpose, config: config) else { return nil }
        return try Privacy.Ledger.status(policy: policy, history: history(purpose, store: store), at: now)
    }

    /// One purpose's line of `cohort budget status`.
    public struct Line: Codable, Sendable, Equatable {
        /// Purpose.
        public var purpose: String
        /// Whether the node's policy allows the purpose.
        public var allowed: Bool
        /// ε cap per rolling period.
        public var capEpsilon: Double?
        /// ε cap per study.
        public var studyCapEpsilon: Double?
        /// Period length in days.
        public var periodDays: Int?
        /// δ of the ε figures.
        public var delta: Double?
        /// ε spent in the current period (composed in zCDP/RDP, then converted).
        public var spentEpsilon: Double?
        /// ε that may still be spent in the current period.
        public var remainingEpsilon: Double?
        /// Number of releases charged in the current period.
        public var releases: Int?
        /// Start of the current period (ISO 8601).
        public var periodStart: String?
        /// Composed ρ (zCDP) of the current period's spends, when every spend has one.
        public var spentRho: Double?
        /// The sum of each study's own ε in the period: what naive addition would give (the
        /// ledger composes ρ instead, so `spentEpsilon` is at most this).
        public var sumOfStudyEpsilons: Double?
        /// The current period's spends grouped by study, oldest first.
        public var studies: [StudySpend]?

        /// Creates a line (fields as documented above; nil where not applicable).
        public init(
            purpose: String, allowed: Bool, capEpsilon: Double? = nil, studyCapEpsilon: Double? = nil,
            periodDays: Int? = nil, delta: Double? = nil, spentEpsilon: Double? = nil, remainingEpsilon: Double? = nil,
            releases: Int? = nil, periodStart: String? = nil, spentRho: Double? = nil,
            sumOfStudyEpsilons: Double? = nil, studies: [StudySpend]? = nil
        ) {
            self.purpose = purpose
            self.allowed = allowed
            self.capEpsilon = capEpsilon
            self.studyCapEpsilon = studyCapEpsilon
            self.periodDays = periodDays
            self.delta = delta
            self.spentEpsilon = spentEpsilon
            self.remainingEpsilon = remainingEpsilon
            self.releases = releases
            self.periodStart = periodStart
            self.spentRho = spentRho
            self.sumOfStudyEpsilons = sumOfStudyEpsilons
            self.studies = studies
        }
    }

    /// What one study spent in the current period.
    public struct StudySpend: Codable, Sendable, Equatable {
        /// The study identifier (full).
        public var study: String
        /// Releases charged (rounds).
        public var releases: Int
        /// Composed ρ (zCDP) of the study's spends, when they have one.
        public var rho: Double?
        /// The study's own ε at the policy δ (its spends composed, converted once).
        public var epsilon: Double
        /// When its last spend was charged (ISO 8601).
        public var lastSpentAt: String

        /// Creates a study's line.
        public init(study: String, releases: Int, rho: Double?, epsilon: Double, lastSpentAt: String) {
            self.study = study
            self.releases = releases
            self.rho = rho
            self.epsilon = epsilon
            self.lastSpentAt = lastSpentAt
        }
    }

    /// The current period's spends of `purpose` grouped by study (first spend order), each
    /// composed on its own and converted to ε at `policy.delta`. O(spends × orders).
    public static func studySpends(
        _ purpose: Purpose, store: NodeStore, policy: Privacy.Ledger.PurposePolicy, at now: Date
    ) throws -> [StudySpend] {
        let windowStart = now.addingTimeInterval(-Double(policy.periodDays) * 86_400)
        let inWindow = try history(purpose, store: store).filter { $0.at > windowStart }
        var order: [String] = []
        var byStudy: [String: [Privacy.Ledger.Spend]] = [:]
        for spend in inWindow {
            if byStudy[spend.study] == nil { order.append(spend.study) }
            byStudy[spend.study, default: []].append(spend)
        }
        let iso = ISO8601DateFormatter()
        return try order.map { study in
            let spends = byStudy[study] ?? []
            let composed = try Privacy.Cost.composition(spends.map(\.cost))
            return StudySpend(
                study: study, releases: spends.count, rho: composed.rho, epsilon: try composed.epsilon(delta: policy.delta),
                lastSpentAt: iso.string(from: spends.map(\.at).max() ?? now))
        }
    }

    /// Every purpose's line at `now`.
    public static func report(store: NodeStore, config: NodeConfig, at now: Date) throws -> [Line] {
        try Purpose.allCases.map { purpose in
            guard let status = try status(purpose, store: store, config: config, at: now),
                  let p = config.policy(for: purpose) else {
                return Line(purpose: purpose.rawValue, allowed: false)
            }
            let studies = try policy(purpose, config: config).map { try studySpends(purpose, store: store, policy: $0, at: now) } ?? []
            return Line(
                purpose: purpose.rawValue, allowed: true, capEpsilon: status.capEpsilon,
                studyCapEpsilon: p.epsilonPerStudy, periodDays: p.periodDays, delta: status.delta,
                spentEpsilon: status.spentEpsilon, remainingEpsilon: status.remainingEpsilon,
                releases: status.spends, periodStart: ISO8601DateFormatter().string(from: status.windowStart),
                spentRho: status.spentRho, sumOfStudyEpsilons: studies.reduce(0) { $0 + $1.epsilon }, studies: studies)
        }
    }
}
