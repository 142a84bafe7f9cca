public import CohortCore
public import CohortNode
public import Foundation

extension Scenario {
    /// One partner of a scenario: its node's name, data, privacy policy and approval mode.
    public struct Party: Sendable {
        /// Node name (lowercase letters, digits, `-`).
        public var name: String
        /// Where its customers come from.
        public var data: DataSource
        /// Share of customers granting each purpose (0…1), replacing the data's own consent
        /// for that purpose; purposes not listed keep the data's consent events.
        public var consentRates: [Purpose: Double]
        /// The node's privacy policy (cohort.yaml's `privacy:` section after the scenario's
        /// overrides are applied to the defaults).
        public var policy: PolicyOverride
        /// How the node decides study proposals.
        public var approval: Approval
    }

    /// Where a party's data comes from.
    public enum DataSource: Sendable {
        /// Synthetic data: a profile, a customer count and a seed.
        case synthetic(profile: Synthetic.Profile, customers: Int, seed: UInt64)
        /// CSV files in Cohort's schemas (customers and transactions required, consent optional).
        case csv(customers: URL, transactions: URL, consent: URL?)
    }

    /// How a party's node decides proposals.
    public enum Approval: String, Sendable, CaseIterable {
        /// `auto_approve: true`: studies that fit the policy are accepted at once.
        case auto
        /// The operator approves each study (the runner does it when the study is queued).
        case manual
        /// The operator rejects each study (the runner does it when the study is queued).
        case reject
    }

    /// The scenario's changes to a node's default privacy policy.
    public struct PolicyOverride: Sendable, Equatable {
        /// δ of every ε figure, when set.
        public var delta: Double?
        /// Minimum consenting customers for the node to take part, when set.
        public var minCustomers: Int?
        /// Budget per purpose, replacing the default's.
        public var purposes: [Purpose: NodeConfig.PurposePolicy]
        /// Purposes the node refuses entirely (removed from its policy).
        public var refused: Set<Purpose>

        /// No change.
        public static let none = PolicyOverride(delta: nil, minCustomers: nil, purposes: [:], refused: [])

        /// Applies the changes to `config`.
        public func apply(to config: inout NodeConfig) {
            if let delta { config.privacy.delta = delta }
            if let minCustomers { config.privacy.minCustomers = minCustomers }
            for (purpose, policy) in purposes { config.privacy.purposes[purpose.rawValue] = policy }
            for purpose in refused { config.privacy.purposes.removeValue(forKey: purpose.rawValue) }
        }
    }
}
