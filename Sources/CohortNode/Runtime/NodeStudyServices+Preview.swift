public import CohortStudy
import CohortCore
import CohortPrivacy
import CohortStore
import Foundation

extension NodeStudyServices {
    /// What `spec` would cost this node now: the study's zCDP cost (the same ρ its
    /// contribution would be charged) stated as ε at the node's policy δ, and the period's ε
    /// before and after composing it with the spends already in the window; plus the number of
    /// customers consenting to the purpose now. Reads ledger and consent metadata only, no
    /// customer rows; nothing of it leaves the node. O(spends × RDP orders + consent events).
    public func budgetPreview(for spec: Study.Spec, study: String) async throws -> StudyBudgetPreview {
        guard let purpose = Purpose(rawValue: spec.purpose.rawValue) else {
            throw NodeError(.invalidConfiguration, "unknown purpose \(spec.purpose.rawValue)")
        }
        let now = Date()
        let consenting = try store.consentingCustomers(purpose: purpose, asOf: now).count
        guard let policy = try NodeBudget.policy(purpose, config: config) else {
            return StudyBudgetPreview(purpose: purpose.rawValue, allowed: false, consentingCustomers: consenting)
        }
        let history = try NodeBudget.history(purpose, store: store)
        let status = try Privacy.Ledger.status(policy: policy, history: history, at: now)
        let plan = try Study.Calibration.plan(for: spec)
        let cost = Privacy.Cost.zcdp(.discreteGaussian, rho: plan.rho, parameters: [:])
        let windowStart = now.addingTimeInterval(-Double(policy.periodDays) * 86_400)
        let window = history.filter { $0.at > windowStart }.map(\.cost)
        let after = try Privacy.Cost.composition(window + [cost]).epsilon(delta: policy.delta)
        return StudyBudgetPreview(
            purpose: purpose.rawValue, allowed: true, policyDelta: policy.delta,
            costEpsilon: try cost.epsilon(delta: policy.delta), spentEpsilon: status.spentEpsilon,
            remainingEpsilon: status.remainingEpsilon,
            remainingAfterEpsilon: max(0, policy.epsilonPerPeriod - after), capEpsilon: policy.epsilonPerPeriod,
            studyCapEpsilon: policy.epsilonPerStudy, consentingCustomers: consenting,
            charged: history.contains { $0.study == study })
    }
}
