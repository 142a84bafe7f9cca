import CohortPrivacy
import Foundation
import Testing

@Suite("Budget ledger")
struct LedgerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func day(_ d: Double) -> Date { t0.addingTimeInterval(d * 86_400) }

    func gaussian(rho: Double) -> Privacy.Cost { .zcdp(.discreteGaussian, rho: rho) }

    @Test("grants until the period cap, then refuses with the remaining budget")
    func periodCap() throws {
        let policy = try Privacy.Ledger.PurposePolicy(epsilonPerPeriod: 4, periodDays: 30, epsilonPerStudy: 100, delta: 1e-6)
        var history: [Privacy.Ledger.Spend] = []
        var granted = 0
        for i in 0 ..< 100 {
            let request = Privacy.Ledger.Spend(study: "s\(i)", at: day(Double(i) * 0.1), cost: gaussian(rho: 0.02))
            switch Privacy.Ledger.decide(policy: policy, history: history, request: request) {
            case .granted(let spend):
                history.append(spend)
                granted += 1
            case .refused(let refusal):
                #expect(refusal.reason == .periodCapExceeded)
                #expect(refusal.remaining.period < 4 && refusal.remaining.period >= 0)
                #expect(refusal.message.contains("cap"))
                let composed = try Privacy.Cost.composition(history.map(\.cost)).epsilon(delta: 1e-6)
                #expect(composed <= 4)
                // Composition is not naive: the granted spends' ε's add up to far more than the cap.
                let naive = try history.reduce(0.0) { $0 + (try $1.cost.epsilon(delta: 1e-6)) }
                #expect(naive > 4 * 2)
                #expect(granted > 10)
                return
            }
        }
        Issue.record("never refused")
    }

    @Test("per-study cap is enforced across periods")
    func studyCap() throws {
        let policy = try Privacy.Ledger.PurposePolicy(epsilonPerPeriod: 100, periodDays: 30, epsilonPerStudy: 1, delta: 1e-6)
        let cost = Privacy.Cost.pure(.discreteLaplace, epsilon: 0.4)
        let old = [Privacy.Ledger.Spend(study: "A", at: day(-300), cost: cost), Privacy.Ledger.Spend(study: "A", at: day(-200), cost: cost)]
        let a = Privacy.Ledger.decide(policy: policy, history: old, request: .init(study: "A", at: day(0), cost: cost))
        guard case .refused(let r) = a else {
            Issue.record("study cap not enforced")
            return
        }
        #expect(r.reason == .studyCapExceeded)
        #expect(abs(r.remaining.study - 0.2) < 1e-9)
        let b = Privacy.Ledger.decide(policy: policy, history: old, request: .init(study: "B", at: day(0), cost: cost))
        #expect(b.grantedSpend != nil)
    }

    @Test("pure-ε spends that exactly fill the cap are granted; one more is refused")
    func exactFill() throws {
        let policy = try Privacy.Ledger.PurposePolicy(epsilonPerPeriod: 4, periodDays: 30, epsilonPerStudy: 1, delta: 1e-6)
        var rng = Privacy.SeededRandomness(seed: 4)
        let release = try Privacy.DiscreteLaplace.addNoise(to: [1, 2, 3], epsilon: 0.5, l1Sensitivity: 2, using: &rng)
        var history: [Privacy.Ledger.Spend] = []
        for i in 0 ..< 3 {
            let decision = Privacy.Ledger.decide(policy: policy, history: history, request: .init(study: "A", at: day(Double(i)), cost: release.cost))
            if i < 2 {
                history.append(try #require(decision.grantedSpend))
            } else {
                #expect(decision.grantedSpend == nil)
            }
        }
    }

    @Test("the rolling window forgets spends older than the period")
    func rollingWindow() throws {
        let policy = try Privacy.Ledger.PurposePolicy(epsilonPerPeriod: 1, periodDays: 30, epsilonPerStudy: 10, delta: 1e-6)
        let cost = Privacy.Cost.pure(.discreteLaplace, epsilon: 0.8)
        let history = [Privacy.Ledger.Spend(study: "A", at: day(0), cost: cost)]
        let tooSoon = Privacy.Ledger.decide(policy: policy, history: history, request: .init(study: "B", at: day(29.9), cost: cost))
        #expect(tooSoon.grantedSpend == nil)
        let later = Privacy.Ledger.decide(policy: policy, history: history, request: .init(study: "B", at: day(30.01), cost: cost))
        #expect(later.grantedSpend != nil)
        let status = try Privacy.Ledger.status(policy: policy, history: history, at: day(10))
        #expect(status.spends == 1 && abs(status.spentEpsilon - 0.8) < 1e-12 && abs(status.remainingEpsilon - 0.2) < 1e-12)
        let after = try Privacy.Ledger.status(policy: policy, history: history, at: day(31))
        #expect(after.spends == 0 && after.spentEpsilon == 0 && after.remainingEpsilon == 1)
    }

    @Test("a spend round-trips through its JSON form for the store")
    func spendCodable() throws {
        let spend = Privacy.Ledger.Spend(study: "s", at: t0, cost: gaussian(rho: 0.1))
        let json = try spend.cost.jsonString()
        let back = Privacy.Ledger.Spend(study: "s", at: t0, cost: try Privacy.Cost(jsonString: json))
        #expect(back == spend)
        let columns = try spend.columns(delta: 1e-6)
        #expect(columns.mechanism == "discrete-gaussian" && columns.rho == 0.1 && columns.delta == 1e-6)
        #expect(try Privacy.Ledger.Spend(study: "s", at: t0, costJSON: columns.costJSON) == spend)
        #expect(throws: PrivacyError.self) { try Privacy.Ledger.Spend(study: "s", at: self.t0, costJSON: "{") }
        #expect(abs(try back.epsilon(delta: 1e-6) - (try Privacy.ZCDP.epsilon(rho: 0.1, delta: 1e-6))) < 1e-12)
    }

    @Test("invalid policies are rejected; decide refuses rather than crashes", arguments: [
        (0.0, 30, 1.0, 1e-6), (-1.0, 30, 1.0, 1e-6), (1.0, 0, 1.0, 1e-6), (1.0, 30, 1.0, 0.0), (1.0, 30, 1.0, 1.0), (Double.nan, 30, 1.0, 1e-6), (1.0, 30, .infinity, 1e-6),
    ])
    func invalidPolicy(eps: Double, days: Int, perStudy: Double, delta: Double) {
        #expect(throws: PrivacyError.self) {
            try Privacy.Ledger.PurposePolicy(epsilonPerPeriod: eps, periodDays: days, epsilonPerStudy: perStudy, delta: delta)
        }
    }
}
