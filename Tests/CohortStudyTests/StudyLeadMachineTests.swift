import CohortTestSupport
import CohortStudy
import CohortPrivacy
import Foundation
import Testing

@Suite("Study lead state machine")
struct StudyLeadMachineTests {
    static let t0 = StudyFixtures.t0

    static func machine(minCount: Int = 0) throws -> Study.LeadMachine {
        try Study.LeadMachine(spec: StudyFixtures.spec(dimensions: [.valueTier], minCount: minCount), lead: "acme")
    }

    static func message(_ values: [Int64], plan: Study.NoisePlan, study: String = "s1") throws -> Study.ContributionMessage {
        Study.ContributionMessage(
            study: study, round: 0, values: values.map { UInt64(bitPattern: $0) },
            cost: try plan.cost(), simulated: false)
    }

    @Test func happyPath() throws {
        var lead = try Self.machine()
        #expect(lead.startAccepted(now: Self.t0) == [
            .propose(to: "globex", spec: lead.spec), .propose(to: "initech", spec: lead.spec),
        ])
        #expect(lead.deadline == Self.t0.addingTimeInterval(600))
        #expect(lead.onDecision(from: "globex", accepted: true, reason: nil) == [])
        #expect(lead.waitingFor == ["initech"])
        #expect(lead.onDecision(from: "initech", accepted: true, reason: nil) == [
            .computeOwnContribution(study: "s1", round: 0, payload: .empty, plan: lead.plan, charge: 0 == 0),
        ])
        // Participants are asked only after the lead's own contribution is in.
        #expect(lead.onContribution(from: "acme", try Self.message([5, 6, 7], plan: lead.plan), now: Self.t0) == [
            .requestContribution(from: "globex", study: "s1", round: 0, payload: .empty),
            .requestContribution(from: "initech", study: "s1", round: 0, payload: .empty),
        ])
        #expect(lead.onContribution(from: "globex", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0) == [])
        #expect(!lead.isTerminal)  // results only when all contributions arrived
        let done = Self.t0.addingTimeInterval(30)
        let directives = lead.onContribution(from: "initech", try Self.message([10, 0, -1], plan: lead.plan), now: done)
        guard case .published(let result) = lead.phase, directives == [.publish(result, to: ["globex", "initech"])] else {
            Issue.record("not published: \(directives)")
            return
        }
        #expect(result.cells.map(\.count) == [16, 7, 7])
        #expect(result.participants.map(\.node) == ["acme", "globex", "initech"])
        #expect(result.startedAt == Self.t0 && result.completedAt == done)
        #expect(abs((result.cells[0].countStandardError ?? 0) - (3 * lead.plan.sigmaSquared).squareRoot()) < 1e-9)
        // Terminal: everything else is ignored.
        #expect(lead.onPeerFailure("globex", error: "gone") == [])
        #expect(lead.onDeadline(now: Self.t0.addingTimeInterval(10_000)) == [])
    }

    @Test func rejectionFailsAndAbortsOthers() throws {
        var lead = try Self.machine()
        _ = lead.startAccepted(now: Self.t0)
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        let failure = Study.Failure.rejected(by: "initech", reason: "ε 1.0 exceeds the remaining period budget 0.2")
        #expect(lead.onDecision(from: "initech", accepted: false, reason: "ε 1.0 exceeds the remaining period budget 0.2") == [
            .abort(to: ["globex"], study: "s1", reason: failure), .fail(failure),
        ])
        #expect(lead.phase == .failed(failure))
        #expect(failure.description == "participant initech rejected the study: ε 1.0 exceeds the remaining period budget 0.2")
        #expect(lead.onDecision(from: "initech", accepted: true, reason: nil) == [])
    }

    @Test func dropoutMidStudyFailsWithReason() throws {
        var lead = try Self.machine()
        _ = lead.startAccepted(now: Self.t0)
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        _ = lead.onDecision(from: "initech", accepted: true, reason: nil)
        _ = lead.onContribution(from: "acme", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0)
        _ = lead.onContribution(from: "initech", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0)
        // initech already contributed: its later failure does not matter.
        #expect(lead.onPeerFailure("initech", error: "connection reset") == [])
        let failure = Study.Failure.peerFailed("globex", error: "connection refused")
        #expect(lead.onPeerFailure("globex", error: "connection refused") == [
            .abort(to: ["initech"], study: "s1", reason: failure), .fail(failure),
        ])
        #expect(lead.onContribution(from: "globex", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0) == [])
    }

    @Test func ownChargeRefusedFailsBeforeAnyParticipantSpends() throws {
        var lead = try Self.machine()
        _ = lead.startAccepted(now: Self.t0)
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        _ = lead.onDecision(from: "initech", accepted: true, reason: nil)
        let directives = lead.onPeerFailure("acme", error: "budget refused")
        #expect(directives == [
            .abort(to: ["globex", "initech"], study: "s1", reason: .peerFailed("acme", error: "budget refused")),
            .fail(.peerFailed("acme", error: "budget refused")),
        ])
        // No contribution was ever requested from a participant.
    }

    @Test func deadlineAlwaysEndsTheStudy() throws {
        var lead = try Self.machine()
        #expect(lead.startAccepted(now: Self.t0).count == 2)
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        #expect(lead.onDeadline(now: Self.t0.addingTimeInterval(599)) == [])  // early timer ignored
        let failure = Study.Failure.deadlinePassed(seconds: 600, waitingFor: ["initech"])
        #expect(lead.onDeadline(now: Self.t0.addingTimeInterval(600)) == [
            .abort(to: ["globex", "initech"], study: "s1", reason: failure), .fail(failure),
        ])
        #expect(lead.isTerminal)

        var collecting = try Self.machine()
        _ = collecting.startAccepted(now: Self.t0)
        _ = collecting.onDecision(from: "globex", accepted: true, reason: nil)
        _ = collecting.onDecision(from: "initech", accepted: true, reason: nil)
        _ = collecting.onContribution(from: "acme", try Self.message([1, 1, 1], plan: collecting.plan), now: Self.t0)
        _ = collecting.onContribution(from: "globex", try Self.message([1, 1, 1], plan: collecting.plan), now: Self.t0)
        let last = collecting.onDeadline(now: Self.t0.addingTimeInterval(700))
        #expect(last.last == .fail(.deadlinePassed(seconds: 600, waitingFor: ["initech"])))

        var idle = try Self.machine()
        #expect(idle.onDeadline(now: Self.t0) == [.fail(.notStarted)])
        #expect(idle.startAccepted(now: Self.t0) == [])
    }

    @Test func duplicateLateAndUnsolicitedMessagesAreIgnored() throws {
        var lead = try Self.machine()
        let plan = lead.plan
        #expect(lead.onDecision(from: "globex", accepted: true, reason: nil) == [])  // before start
        _ = lead.startAccepted(now: Self.t0)
        #expect(lead.startAccepted(now: Self.t0) == [])  // second start
        #expect(lead.onDecision(from: "mallory", accepted: false, reason: "x") == [])  // not a participant
        #expect(lead.onPeerFailure("mallory", error: "x") == [])
        #expect(lead.onContribution(from: "globex", try Self.message([1, 1, 1], plan: plan), now: Self.t0) == [])  // unsolicited
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        #expect(lead.onDecision(from: "globex", accepted: false, reason: "changed my mind") == [])  // duplicate
        _ = lead.onDecision(from: "initech", accepted: true, reason: nil)
        #expect(lead.onContribution(from: "globex", try Self.message([1, 1, 1], plan: plan), now: Self.t0) == [])  // before own
        _ = lead.onContribution(from: "acme", try Self.message([1, 1, 1], plan: plan), now: Self.t0)
        #expect(lead.onContribution(from: "acme", try Self.message([9, 9, 9], plan: plan), now: Self.t0) == [])  // duplicate own
        _ = lead.onContribution(from: "globex", try Self.message([1, 1, 1], plan: plan), now: Self.t0)
        #expect(lead.onContribution(from: "globex", try Self.message([50, 50, 50], plan: plan), now: Self.t0) == [])  // duplicate
        let final = lead.onContribution(from: "initech", try Self.message([1, 1, 1], plan: plan), now: Self.t0)
        guard case .publish(let result, _)? = final.first else {
            Issue.record("not published")
            return
        }
        #expect(result.cells.map(\.count) == [3, 3, 3])
        #expect(lead.onContribution(from: "initech", try Self.message([1, 1, 1], plan: plan), now: Self.t0) == [])  // late
    }

    @Test func invalidContributionFailsTheStudy() throws {
        var lead = try Self.machine()
        _ = lead.startAccepted(now: Self.t0)
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        _ = lead.onDecision(from: "initech", accepted: true, reason: nil)
        _ = lead.onContribution(from: "acme", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0)
        let directives = lead.onContribution(from: "globex", try Self.message([1, 1], plan: lead.plan), now: Self.t0)
        guard case .fail(let failure)? = directives.last, case .invalidContribution(from: "globex", _) = failure else {
            Issue.record("expected failure, got \(directives)")
            return
        }
        #expect(directives == [.abort(to: ["initech"], study: "s1", reason: failure), .fail(failure)])
    }

    /// A participant whose reported cost is more than the spec's ε at the spec's δ (here twice
    /// the plan's ρ) fails the study, naming the participant and what it charged; the same cost
    /// at the plan's ρ is accepted.
    @Test func aParticipantChargingMoreThanTheSpecsEpsilonIsRefused() throws {
        var lead = try Self.machine()
        _ = lead.startAccepted(now: Self.t0)
        _ = lead.onDecision(from: "globex", accepted: true, reason: nil)
        _ = lead.onDecision(from: "initech", accepted: true, reason: nil)
        _ = lead.onContribution(from: "acme", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0)
        #expect(lead.onContribution(from: "initech", try Self.message([1, 1, 1], plan: lead.plan), now: Self.t0) == [])
        var greedy = try Self.message([1, 1, 1], plan: lead.plan)
        greedy.cost = .zcdp(.discreteGaussian, rho: 2 * lead.plan.rho, parameters: greedy.cost.parameters)
        #expect(try greedy.cost.epsilon(delta: lead.spec.privacy.delta) > lead.spec.privacy.epsilon * 1.2)
        let directives = lead.onContribution(from: "globex", greedy, now: Self.t0)
        guard case .fail(let failure)? = directives.last, case .invalidContribution(from: "globex", let message) = failure else {
            Issue.record("expected the study to fail on globex's cost, got \(directives)")
            return
        }
        #expect(message.contains("cost_json") && message.contains("the study allows ε 1"), "\(message)")
        #expect(lead.isTerminal)
    }

    @Test func configurationErrors() throws {
        let noID = try StudyFixtures.spec(id: nil)
        #expect(throws: StudyError.self) { try Study.LeadMachine(spec: noID, lead: "acme") }
        let selfListed = try StudyFixtures.spec(participants: ["acme", "globex"])
        #expect(throws: StudyError.self) { try Study.LeadMachine(spec: selfListed, lead: "acme") }
    }
}
