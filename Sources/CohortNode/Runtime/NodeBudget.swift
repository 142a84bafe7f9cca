import CohortPrivacy
import CohortStore
import Foundation

/// The node's privacy ledger: its policy (from `cohort.yaml`) applied to the spends stored in
/// `node.sqlite`.
public enum NodeBudget {
    /// The ledger policy of a purpose, or nil when the config does not allow the purpose.
    public static func policy(_ purpose: ConsentPurpose, config: NodeConfig) throws -> Privacy.Ledger.PurposePolicy? {
        guard let p = config.policy(for: purpose) else { return nil }
        return try Privacy.Ledger.PurposePolicy(
            epsilonPerPeriod: p.epsilonPerPeriod, periodDays: p.periodDays, epsilonPerStudy: p.epsilonPerStudy,
            delta: config.privacy.delta)
    }

    /// The stored spends of a purpose as ledger entries, oldest first.
    public static func history(_ purpose: ConsentPurpose, store: NodeStore) throws -> [Privacy.Ledger.Spend] {
        try store.budgetSpends(purpose: purpose.rawValue).map(spend(from:))
    }

    /// A stored spend as a ledger entry.
    public static func spend(from record: BudgetSpendRecord) throws -> Privacy.Ledger.Spend {
        try Privacy.Ledger.Spend(study: record.study, at: record.at, costJSON: record.costJSON)
    }

    /// The ledger status of a purpose at `now`, or nil when the config does not allow it.
    public static func status(
        _ purpose: ConsentPurpose, store: NodeStore, config: NodeConfig, at now: Date
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
    }

    /// Every purpose's line at `now`.
    public static func report(store: NodeStore, config: NodeConfig, at now: Date) throws -> [Line] {
        try ConsentPurpose.allCases.map { purpose in
            guard let status = try status(purpose, store: store, config: config, at: now),
                  let p = config.policy(for: purpose) else {
                return Line(purpose: purpose.rawValue, allowed: false)
            }
            return Line(
                purpose: purpose.rawValue, allowed: true, capEpsilon: status.capEpsilon,
                studyCapEpsilon: p.epsilonPerStudy, periodDays: p.periodDays, delta: status.delta,
                spentEpsilon: status.spentEpsilon, remainingEpsilon: status.remainingEpsilon,
                releases: status.spends, periodStart: ISO8601DateFormatter().string(from: status.windowStart))
        }
    }
}
