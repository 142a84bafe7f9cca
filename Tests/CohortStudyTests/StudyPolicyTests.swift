import CohortCore
import CohortTestSupport
import CohortStudy
import Testing

@Suite("Study participant policy")
struct StudyPolicyTests {
    static let policy = Study.Policy(
        epsilonPerStudy: [.segmentation: 1.0, .benchmarking: 1.0],
        maxDelta: 1e-6, minConsentingCustomers: 50, autoApprove: true)

    @Test func acceptsWithinLimits() throws {
        let spec = try StudyFixtures.spec(epsilon: 1.0)
        #expect(Self.policy.decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 500) == .accept)
        #expect(Self.policy.decide(spec, remainingPeriodEpsilon: 1.0, consentingCustomers: 50) == .accept)
    }

    @Test func queuesWithoutAutoApprove() throws {
        var manual = Self.policy
        manual.autoApprove = false
        let spec = try StudyFixtures.spec(epsilon: 0.5)
        #expect(manual.decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 500) == .queue)
        // A failing check still rejects rather than queueing.
        #expect(manual.decide(spec, remainingPeriodEpsilon: 0.1, consentingCustomers: 500)
            == .reject(.insufficientBudget(requested: 0.5, remaining: 0.1)))
    }

    @Test func rejections() throws {
        let training = try StudyFixtures.spec(epsilon: 0.5, purpose: .modelTraining)
        #expect(Self.policy.decide(training, remainingPeriodEpsilon: 4, consentingCustomers: 500)
            == .reject(.purposeNotAllowed(.modelTraining)))
        let greedy = try StudyFixtures.spec(epsilon: 2)
        #expect(Self.policy.decide(greedy, remainingPeriodEpsilon: 4, consentingCustomers: 500)
            == .reject(.epsilonAboveStudyCap(requested: 2, cap: 1)))
        let spec = try StudyFixtures.spec(epsilon: 0.8)
        #expect(Self.policy.decide(spec, remainingPeriodEpsilon: 0.5, consentingCustomers: 500)
            == .reject(.insufficientBudget(requested: 0.8, remaining: 0.5)))
        if case .reject(.insufficientBudget) = Self.policy.decide(spec, remainingPeriodEpsilon: .nan, consentingCustomers: 500) {
        } else {
            Issue.record("a NaN remaining budget must be refused")
        }
        #expect(Self.policy.decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 49)
            == .reject(.tooFewConsentingCustomers(available: 49, required: 50)))
        var strict = Self.policy
        strict.maxDelta = 1e-9
        #expect(strict.decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 500)
            == .reject(.deltaAbovePolicy(requested: 1e-6, maximum: 1e-9)))
        #expect(Study.Policy.Rejection.insufficientBudget(requested: 0.8, remaining: 0.5).description
            == "ε 0.8 exceeds the remaining period budget 0.5")
    }

    /// The rejection reason travels to the lead: it must not carry the exact number of
    /// consenting customers (a data-dependent, un-noised figure).
    @Test func tooFewCustomersRejectionDoesNotStateTheExactCount() {
        let reason = Study.Policy.Rejection.tooFewConsentingCustomers(available: 4_817, required: 5_000).description
        #expect(!reason.contains("4817") && !reason.contains("4,817") && !reason.contains("4 817"))
        #expect(reason == "fewer consenting customers than this node's minimum of 5000")
    }

    /// Issue 16: a study of amounts names their currency, and a node takes part only if it
    /// reports in that currency — amounts in different currencies are never summed.
    @Test func moneyStudiesRequireTheNodesReportingCurrency() throws {
        let spec = try StudyFixtures.spec(
            kind: .mean, mean: Study.MeanMeasure(measure: .aov, lower: 0, upper: 10_000, currency: "EUR"),
            purpose: .benchmarking)
        var policy = Study.Policy(epsilonPerStudy: [.benchmarking: 2], maxDelta: 1e-5, minConsentingCustomers: 1, autoApprove: true)
        guard case .reject(.currencyMismatch(let none)) = policy.decide(spec, remainingPeriodEpsilon: 5, consentingCustomers: 10) else {
            Issue.record("a node without a reporting currency took part")
            return
        }
        #expect(none.contains("no reporting currency"))
        policy.reportingCurrency = "GBP"
        guard case .reject(.currencyMismatch(let other)) = policy.decide(spec, remainingPeriodEpsilon: 5, consentingCustomers: 10) else {
            Issue.record("a GBP node took part in a EUR study")
            return
        }
        #expect(other.contains("in EUR") && other.contains("reports in GBP"))
        policy.reportingCurrency = "EUR"
        #expect(policy.decide(spec, remainingPeriodEpsilon: 5, consentingCustomers: 10) == .accept)
    }

    /// Budget figures in refusals read as a person writes them, not as ledger arithmetic.
    @Test(arguments: [
        (Study.Policy.Rejection.insufficientBudget(requested: 1, remaining: 0.19999999999999996), "ε 1.0 exceeds the remaining period budget 0.2"),
        (.epsilonAboveStudyCap(requested: 9, cap: 1), "ε 9.0 exceeds the per-study cap 1.0"),
        (.insufficientBudget(requested: 0.5, remaining: 0.30000000000000004), "ε 0.5 exceeds the remaining period budget 0.3"),
        (.deltaAbovePolicy(requested: 1e-5, maximum: 1e-6), "δ 1e-05 exceeds the node's maximum 1e-06"),
    ])
    func refusalsPrintBudgetFiguresWithoutFloatNoise(rejection: Study.Policy.Rejection, text: String) {
        #expect(rejection.description == text)
    }
}
