import CohortCore
import CohortTestSupport
import CohortStudy
import Foundation
import Testing

@Suite("Study participant state machine")
struct StudyParticipantMachineTests {
    static let t0 = StudyFixtures.t0

    static func charges(_ directives: [Study.ParticipantMachine.Directive]) -> Int {
        directives.filter {
            if case .contribute = $0 { return true }
            return false
        }.count
    }

    static func accepted() throws -> (Study.ParticipantMachine, Study.Spec) {
        var m = Study.ParticipantMachine(node: "globex")
        let spec = try StudyFixtures.spec()
        #expect(m.onProposal(spec, from: "acme", now: Self.t0).visible == [.decide(study: "s1", spec: spec, lead: "acme")])
        #expect(m.onPolicyDecision(study: "s1", .accept).visible == [.reply(to: "acme", study: "s1", .accepted)])
        return (m, spec)
    }

    @Test func budgetRefusedBeforeAnyDataAccess() throws {
        var m = Study.ParticipantMachine(node: "globex")
        let spec = try StudyFixtures.spec(epsilon: 1)
        var all: [Study.ParticipantMachine.Directive] = []
        // The only thing a proposal triggers is the policy decision (ledger + consent metadata).
        let first = m.onProposal(spec, from: "acme", now: Self.t0)
        #expect(first.visible == [.decide(study: "s1", spec: spec, lead: "acme")])
        all += first
        let policy = Study.Policy(epsilonPerStudy: [.segmentation: 2], maxDelta: 1e-5, minConsentingCustomers: 10, autoApprove: true)
        let decision = policy.decide(spec, remainingPeriodEpsilon: 0.4, consentingCustomers: 1000)
        let rejection = Study.Policy.Rejection.insufficientBudget(requested: 1, remaining: 0.4)
        #expect(decision == .reject(rejection))
        let second = m.onPolicyDecision(study: "s1", decision)
        #expect(second.visible == [.reply(to: "acme", study: "s1", .rejected(rejection)), .closed(study: "s1", .rejected(rejection))])
        all += second
        all += m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)
        #expect(Self.charges(all) == 0)
        #expect(m.studies["s1"]?.chargedRounds.isEmpty == true)
    }

    @Test func chargeIsEmittedOncePerStudyAndRound() throws {
        var (m, spec) = try Self.accepted()
        let plan = try Study.Calibration.plan(for: spec)
        let request = m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)
        #expect(request.visible == [.contribute(study: "s1", round: 0, payload: .empty, spec: spec, plan: plan, lead: "acme", charge: true)])
        var later: [Study.ParticipantMachine.Directive] = []
        later += m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)  // retry while in flight
        later += m.onContributionSent(study: "s1", round: 0, message: StudyFixtures.message(round: 0))
        later += m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)  // retry after sending
        later += m.onProposal(spec, from: "acme", now: Self.t0)  // re-proposal
        #expect(Self.charges(later) == 0)
        #expect(later.visible == [
            .resend(to: "acme", study: "s1", StudyFixtures.message(round: 0)),  // the same message again
            .reply(to: "acme", study: "s1", .accepted),
        ])
        #expect(m.studies["s1"]?.state == .contributed(round: 0))
    }

    @Test func neverSentMeansNothingCharged() throws {
        var (m, _) = try Self.accepted()
        var all = m.onAbort(study: "s1", reason: "participant initech rejected the study", from: "acme")
        #expect(all.visible == [.closed(study: "s1", .aborted("participant initech rejected the study"))])
        all += m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)
        all += m.onTick(now: Self.t0.addingTimeInterval(10_000))
        #expect(Self.charges(all) == 0)
        #expect(m.studies["s1"]?.chargedRounds.isEmpty == true)
    }

    @Test func manualApproval() throws {
        var m = Study.ParticipantMachine(node: "globex")
        let spec = try StudyFixtures.spec()
        _ = m.onProposal(spec, from: "acme", now: Self.t0)
        #expect(m.onPolicyDecision(study: "s1", .queue).visible == [
            .reply(to: "acme", study: "s1", .pending), .awaitApproval(study: "s1", spec: spec, lead: "acme"),
        ])
        // Not accepted yet: a request is refused and charges nothing.
        let early = m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)
        #expect(Self.charges(early) == 0)
        #expect(m.onProposal(spec, from: "acme", now: Self.t0).visible == [.reply(to: "acme", study: "s1", .pending)])
        #expect(m.onApproval(study: "s1").visible == [.reply(to: "acme", study: "s1", .accepted)])
        #expect(m.onApproval(study: "s1").visible == [])
        #expect(m.onRejection(study: "s1", reason: "too late").visible == [])

        var n = Study.ParticipantMachine(node: "globex")
        _ = n.onProposal(spec, from: "acme", now: Self.t0)
        _ = n.onPolicyDecision(study: "s1", .queue)
        let rejection = Study.Policy.Rejection.operatorRejected("not this quarter")
        #expect(n.onRejection(study: "s1", reason: "not this quarter").visible == [
            .reply(to: "acme", study: "s1", .rejected(rejection)), .closed(study: "s1", .rejected(rejection)),
        ])
    }

    @Test func invalidProposalsAreRejected() throws {
        var m = Study.ParticipantMachine(node: "hooli")
        let spec = try StudyFixtures.spec()  // participants globex, initech
        let out = m.onProposal(spec, from: "acme", now: Self.t0)
        guard case .reply(to: "acme", study: "s1", .rejected(.invalidProposal))? = out.first else {
            Issue.record("expected rejection, got \(out)")
            return
        }
        var g = Study.ParticipantMachine(node: "globex")
        _ = g.onProposal(spec, from: "acme", now: Self.t0)
        // Same id, other spec or other lead: refused, the original study is untouched.
        let other = try StudyFixtures.spec(epsilon: 0.5)
        guard case .reply(_, _, .rejected(.invalidProposal))? = g.onProposal(other, from: "acme", now: Self.t0).first else {
            Issue.record("reused id accepted")
            return
        }
        guard case .reply(to: "initech", _, .rejected(.invalidProposal))? = g.onProposal(spec, from: "initech", now: Self.t0).first else {
            Issue.record("other lead accepted")
            return
        }
        #expect(g.studies["s1"]?.state == .deciding)
        #expect(g.studies["s1"]?.lead == "acme")
        // Lead listed as participant.
        var h = Study.ParticipantMachine(node: "globex")
        let leadListed = try StudyFixtures.spec(participants: ["globex", "acme"])
        guard case .reply(_, _, .rejected(.invalidProposal))? = h.onProposal(leadListed, from: "acme", now: Self.t0).first else {
            Issue.record("lead listed accepted")
            return
        }
        // No id: nothing to answer.
        var i = Study.ParticipantMachine(node: "globex")
        #expect(i.onProposal(try StudyFixtures.spec(id: nil), from: "acme", now: Self.t0) == [])
    }

    @Test func requestsFromStrangersOrForBadRoundsAreRefused() throws {
        var (m, _) = try Self.accepted()
        var out = m.onContributionRequest(study: "s1", round: 0, from: "initech", now: Self.t0)
        out += m.onContributionRequest(study: "s1", round: 1, from: "acme", now: Self.t0)
        out += m.onContributionRequest(study: "nope", round: 0, from: "acme", now: Self.t0)
        #expect(Self.charges(out) == 0)
        #expect(out.count == 3)
        for directive in out {
            guard case .reply(_, _, .contributionRefused) = directive else {
                Issue.record("expected refusal, got \(directive)")
                continue
            }
        }
        #expect(m.studies["s1"]?.state == .accepted)
    }

    @Test func deadlineExpiresStudiesWithoutCharging() throws {
        var (m, _) = try Self.accepted()
        let expiry = Self.t0.addingTimeInterval(600 + Study.ParticipantMachine.graceSeconds)
        #expect(m.onTick(now: expiry.addingTimeInterval(-1)).visible == [])
        let late = m.onContributionRequest(study: "s1", round: 0, from: "acme", now: expiry)
        #expect(Self.charges(late) == 0)
        #expect(late.last == .closed(study: "s1", .expired))
        #expect(m.onTick(now: expiry.addingTimeInterval(100)).visible == [])

        var (n, _) = try Self.accepted()
        #expect(n.onTick(now: expiry).visible == [.closed(study: "s1", .expired)])
        #expect(Self.charges(n.onContributionRequest(study: "s1", round: 0, from: "acme", now: expiry)) == 0)
    }

    @Test func resultStoredOnceAndOnlyFromTheLead() throws {
        var (m, spec) = try Self.accepted()
        _ = m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)
        let result = Study.Result(
            study: "s1", lead: "acme", spec: spec, cells: [], participants: [], noiseVariance: 1,
            simulatedNoise: false, releasedCustomers: 0, releasedCustomersStandardError: 0,
            startedAt: Self.t0, completedAt: Self.t0)
        #expect(m.onResult(result, from: "acme").visible == [])  // not yet sent
        _ = m.onContributionSent(study: "s1", round: 0, message: StudyFixtures.message(round: 0))
        #expect(m.onResult(result, from: "initech").visible == [])  // not the lead
        var forged = result
        forged.spec = try StudyFixtures.spec(epsilon: 0.1)
        #expect(m.onResult(forged, from: "acme").visible == [])  // other spec
        #expect(m.onResult(result, from: "acme").visible == [.storeResult(study: "s1", result), .closed(study: "s1", .completed)])
        #expect(m.onResult(result, from: "acme").visible == [])  // duplicate
        #expect(m.onAbort(study: "s1", reason: "late abort", from: "acme").visible == [])
    }

    @Test func contributionFailureIsReported() throws {
        var (m, _) = try Self.accepted()
        _ = m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)
        #expect(m.onContributionFailed(study: "s1", round: 0, error: "budget refused by ledger").visible == [
            .reply(to: "acme", study: "s1", .contributionFailed("budget refused by ledger")),
            .closed(study: "s1", .failed("budget refused by ledger")),
        ])
        #expect(Self.charges(m.onContributionRequest(study: "s1", round: 0, from: "acme", now: Self.t0)) == 0)
    }
}
