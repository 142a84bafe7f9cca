import CohortCore
import CohortTestSupport
import CohortStudy
import Foundation
import Testing

/// Drives one lead and its participants in memory, carrying out every directive the way the
/// node runtime would (ledger charge, data read, noise, delivery), to check the protocol's
/// invariants end to end.
@Suite("Study protocol simulation")
struct StudyProtocolSimulationTests {
    enum Behaviour { case normal, silent, diesOnRequest }

    struct Participant {
        var machine: Study.ParticipantMachine
        var policy: Study.Policy
        var remainingEpsilon: Double
        var tiers: [UInt16]
        var behaviour: Behaviour = .normal
        var spentEpsilon = 0.0
        var dataReads = 0
        var stored: [Study.Result] = []
    }

    enum Event {
        case lead(Study.LeadMachine.Directive)
        case participant(String, Study.ParticipantMachine.Directive)
    }

    struct World {
        var lead: Study.LeadMachine
        var leadTiers: [UInt16]
        var leadSpent = 0.0
        var participants: [String: Participant]
        var failures: [Study.Failure] = []
        var published: [Study.Result] = []
        var now = StudyFixtures.t0

        mutating func run(_ first: [Study.LeadMachine.Directive]) throws {
            var queue = first.map(Event.lead)
            while !queue.isEmpty {
                let event = queue.removeFirst()
                switch event {
                case .lead(let d): queue += try handleLead(d)
                case .participant(let name, let d): queue += try handleParticipant(name, d)
                }
            }
        }

        mutating func handleLead(_ d: Study.LeadMachine.Directive) throws -> [Event] {
            switch d {
            case .propose(let to, let spec):
                guard var p = participants[to] else { return [] }
                if p.behaviour == .silent { return [] }
                let out = p.machine.onProposal(spec, from: lead.lead, now: now)
                participants[to] = p
                return out.map { .participant(to, $0) }
            case .checkOwnPolicy:
                return lead.onOwnPolicyDecision(.accept).map(Event.lead)
            case .computeOwnContribution(let study, let round, _, let plan, _):
                leadSpent += plan.epsilon
                let c = try Study.Contribution.compute(spec: lead.spec, codes: [leadTiers])
                var noise = StudyZeroNoise()
                let m = try c.noised(study: study, round: round, plan: plan, noise: &noise)
                return lead.onContribution(from: lead.lead, m, now: now).map(Event.lead)
            case .requestContribution(let from, let study, let round, _):
                guard var p = participants[from] else { return [] }
                if p.behaviour == .diesOnRequest {
                    return lead.onPeerFailure(from, error: "connection reset").map(Event.lead)
                }
                if p.behaviour == .silent { return [] }
                let out = p.machine.onContributionRequest(study: study, round: round, from: lead.lead, now: now)
                participants[from] = p
                return out.map { .participant(from, $0) }
            case .aggregateSecurely:
                Issue.record("this simulation runs plainly aggregated studies only")
                return []
            case .publish(let result, let to):
                published.append(result)
                var events: [Event] = []
                for name in to {
                    guard var p = participants[name] else { continue }
                    let out = p.machine.onResult(result, from: lead.lead)
                    participants[name] = p
                    events += out.map { .participant(name, $0) }
                }
                return events
            case .abort(let to, let study, let reason):
                var events: [Event] = []
                for name in to {
                    guard var p = participants[name] else { continue }
                    let out = p.machine.onAbort(study: study, reason: reason.description, from: lead.lead)
                    participants[name] = p
                    events += out.map { .participant(name, $0) }
                }
                return events
            case .fail(let failure):
                failures.append(failure)
                return []
            }
        }

        mutating func handleParticipant(_ name: String, _ d: Study.ParticipantMachine.Directive) throws -> [Event] {
            guard var p = participants[name] else { return [] }
            defer { participants[name] = p }
            switch d {
            case .decide(let study, let spec, _):
                let decision = p.policy.decide(spec, remainingPeriodEpsilon: p.remainingEpsilon, consentingCustomers: p.tiers.count)
                return p.machine.onPolicyDecision(study: study, decision).map { .participant(name, $0) }
            case .awaitApproval:
                return []
            case .reply(_, _, let reply):
                switch reply {
                case .accepted:
                    return lead.onDecision(from: name, accepted: true, reason: nil).map(Event.lead)
                case .rejected(let r):
                    return lead.onDecision(from: name, accepted: false, reason: r.description).map(Event.lead)
                case .pending:
                    return []
                case .contributionRefused(let why), .contributionFailed(let why):
                    return lead.onPeerFailure(name, error: why).map(Event.lead)
                }
            case .contribute(let study, let round, _, let spec, let plan, _, _):
                guard p.remainingEpsilon >= plan.epsilon else {
                    return p.machine.onContributionFailed(study: study, round: round, error: "budget refused")
                        .map { .participant(name, $0) }
                }
                p.remainingEpsilon -= plan.epsilon
                p.spentEpsilon += plan.epsilon
                p.dataReads += 1
                let c = try Study.Contribution.compute(spec: spec, codes: [p.tiers])
                var noise = StudyZeroNoise()
                let m = try c.noised(study: study, round: round, plan: plan, noise: &noise)
                let sent = p.machine.onContributionSent(study: study, round: round, message: m)
                return sent.map { .participant(name, $0) } + lead.onContribution(from: name, m, now: now).map(Event.lead)
            case .storeResult(_, let result):
                p.stored.append(result)
                return []
            case .closed, .persist, .forget:
                return []
            case .resend(_, _, let message):
                return lead.onContribution(from: name, message, now: now).map(Event.lead)
            }
        }
    }

    static let policy = Study.Policy(
        epsilonPerStudy: [.segmentation: 1], maxDelta: 1e-6, minConsentingCustomers: 3, autoApprove: true)

    static func world(initechBudget: Double = 4, globex: Behaviour = .normal) throws -> World {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier], epsilon: 1)
        return World(
            lead: try Study.LeadMachine(spec: spec, lead: "acme"),
            leadTiers: [0, 1, 2, 2],
            participants: [
                "globex": Participant(
                    machine: .init(node: "globex"), policy: policy, remainingEpsilon: 4,
                    tiers: [0, 0, 1, 2, 2], behaviour: globex),
                "initech": Participant(
                    machine: .init(node: "initech"), policy: policy, remainingEpsilon: initechBudget,
                    tiers: [1, 1, 1]),
            ])
    }

    @Test func happyPathPublishesExactlyOnceAndChargesEachNodeOnce() throws {
        var w = try Self.world()
        try w.run(w.lead.startAccepted(now: w.now))
        #expect(w.failures.isEmpty)
        #expect(w.published.count == 1)
        let result = try #require(w.published.first)
        #expect(result.cells.map(\.count) == [3, 5, 4])
        #expect(w.leadSpent == 1)
        for name in ["globex", "initech"] {
            let p = try #require(w.participants[name])
            #expect(p.spentEpsilon == 1)
            #expect(p.dataReads == 1)
            #expect(p.stored == [result])
            #expect(p.machine.studies["s1"]?.state == .completed)
        }
    }

    @Test func insufficientBudgetRefusesBeforeAnyoneReadsData() throws {
        var w = try Self.world(initechBudget: 0.3)
        try w.run(w.lead.startAccepted(now: w.now))
        #expect(w.failures == [.rejected(by: "initech", reason: "ε 1.0 exceeds the remaining period budget 0.3")])
        #expect(w.published.isEmpty)
        #expect(w.leadSpent == 0)
        for name in ["globex", "initech"] {
            #expect(w.participants[name]?.spentEpsilon == 0)
            #expect(w.participants[name]?.dataReads == 0)
        }
        #expect(w.participants["globex"]?.machine.studies["s1"]?.state
            == .aborted("participant initech rejected the study: ε 1.0 exceeds the remaining period budget 0.3"))
    }

    @Test func dropoutFailsTheStudyAndTheDroppedNodeSpentNothing() throws {
        var w = try Self.world(globex: .diesOnRequest)
        try w.run(w.lead.startAccepted(now: w.now))
        #expect(w.failures == [.peerFailed("globex", error: "connection reset")])
        #expect(w.published.isEmpty)
        #expect(w.participants["globex"]?.spentEpsilon == 0)
        #expect(w.participants["initech"]?.stored.isEmpty == true)
    }

    @Test func silentParticipantEndsAtTheDeadline() throws {
        var w = try Self.world(globex: .silent)
        try w.run(w.lead.startAccepted(now: w.now))
        #expect(w.failures.isEmpty && !w.lead.isTerminal)
        try w.run(w.lead.onDeadline(now: w.now.addingTimeInterval(600)))
        #expect(w.failures == [.deadlinePassed(seconds: 600, waitingFor: ["globex"])])
        #expect(w.lead.isTerminal)
        #expect(w.leadSpent == 0)
        #expect(w.participants["initech"]?.spentEpsilon == 0)
        #expect(w.participants["initech"]?.machine.studies["s1"]?.state.isTerminal == true)
    }
}
