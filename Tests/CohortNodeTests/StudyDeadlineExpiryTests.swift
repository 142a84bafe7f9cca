import CohortTestSupport
import CohortStudy
import Foundation
import Logging
import Testing
@testable import CohortNode

/// Studies expire on participants when the lead's deadline passes; approving an expired
/// study is refused with that reason (issue 17, item 3). Clocks are injected: no sleeping.
@Suite struct StudyDeadlineExpiryTests {
    /// A clock the test moves by hand.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current: Date
        init(_ start: Date) { current = start }
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func spec(deadlineAt: Date?, deadline: Int = 30) throws -> Study.Spec {
        let base = try Study.Spec.load(yaml: """
            id: s-expiry
            kind: histogram
            purpose: segmentation
            as_of: 2026-06-30
            dimensions: [rfm_segment]
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            participants: [globex]
            deadline_seconds: \(deadline)
            """)
        return try deadlineAt.map { try base.withDeadline(at: $0) } ?? base
    }

    static func participant(clock: ManualClock) -> (StudyEngine, StudyEngineTests.FakeLocal) {
        let local = StudyEngineTests.FakeLocal(codes: [0, 1, 2])
        let engine = StudyEngine(
            node: "globex", policy: StudyEngineTests.policy(autoApprove: false), local: local,
            peers: StudyEngineTests.MeshCalls(caller: "globex", mesh: StudyEngineTests.Mesh()),
            logger: Logger(label: "test.globex"), clock: { clock.now })
        return (engine, local)
    }

    @Test func approvingAfterTheLeadsDeadlineIsRefusedAsExpired() async throws {
        // Before: the participant kept the study for deadline + 60 s grace and approving it
        // 5 s after the lead's deadline answered "accepted".
        let clock = ManualClock(Self.start)
        let (engine, local) = Self.participant(clock: clock)
        let spec = try Self.spec(deadlineAt: Self.start.addingTimeInterval(30))
        let answer = await engine.onProposal(study: "s-expiry", specJSON: try spec.canonicalJSON(), from: "acme")
        #expect(answer == .pending)
        clock.advance(35)
        await #expect {
            _ = try await engine.decide(study: "s-expiry", approve: true, reason: "")
        } throws: { error in
            guard let error = error as? NodeError else { return false }
            return error.code == .refused && error.message.contains("expired")
                && error.message.contains("the lead's deadline passed")
        }
        #expect(await engine.studies().first?.state.hasPrefix("expired") == true)
        #expect(!(await local.audits.contains { $0.kind == .accepted }), "nothing was accepted")
        // The lead's late contribution request is refused too.
        await #expect(throws: NodeError.self) {
            _ = try await engine.onContributionRequest(study: "s-expiry", round: 0, from: "acme")
        }
    }

    @Test func approvingBeforeTheDeadlineStillWorks() async throws {
        let clock = ManualClock(Self.start)
        let (engine, _) = Self.participant(clock: clock)
        let spec = try Self.spec(deadlineAt: Self.start.addingTimeInterval(30))
        _ = await engine.onProposal(study: "s-expiry", specJSON: try spec.canonicalJSON(), from: "acme")
        clock.advance(29)
        #expect(try await engine.decide(study: "s-expiry", approve: true, reason: "") == "accepted")
    }

    @Test func tickExpiresAnUndecidedStudyAtTheLeadsDeadlineButAnAcceptedOneOnlyAfterTheGrace() throws {
        var machine = Study.ParticipantMachine(node: "globex")
        let queued = try Self.spec(deadlineAt: Self.start.addingTimeInterval(30))
        _ = machine.onProposal(queued, from: "acme", now: Self.start)
        _ = machine.onPolicyDecision(study: "s-expiry", .queue)
        #expect(machine.onTick(now: Self.start.addingTimeInterval(29.9)).visible.isEmpty)
        #expect(machine.onTick(now: Self.start.addingTimeInterval(30)).visible == [.closed(study: "s-expiry", .expired)])

        var accepting = Study.ParticipantMachine(node: "globex")
        _ = accepting.onProposal(queued, from: "acme", now: Self.start)
        _ = accepting.onPolicyDecision(study: "s-expiry", .accept)
        #expect(accepting.onTick(now: Self.start.addingTimeInterval(31)).visible.isEmpty, "accepted: grace for clock skew")
        #expect(accepting.onTick(now: Self.start.addingTimeInterval(30 + Study.ParticipantMachine.graceSeconds)).visible.count == 1)
    }

    @Test func withoutDeadlineAtTheDeadlineIsArrivalPlusDeadlineSeconds() throws {
        var machine = Study.ParticipantMachine(node: "globex")
        _ = machine.onProposal(try Self.spec(deadlineAt: nil), from: "acme", now: Self.start)
        #expect(machine.studies["s-expiry"]?.deadline == Self.start.addingTimeInterval(30))
    }

    @Test func aDeadlineFarBeyondDeadlineSecondsIsCapped() throws {
        var machine = Study.ParticipantMachine(node: "globex")
        _ = machine.onProposal(try Self.spec(deadlineAt: Self.start.addingTimeInterval(86_400)), from: "acme", now: Self.start)
        #expect(machine.studies["s-expiry"]?.deadline == Self.start.addingTimeInterval(30 + Study.ParticipantMachine.graceSeconds))
    }

    @Test func aProposalWhoseDeadlineHasPassedIsRejected() throws {
        var machine = Study.ParticipantMachine(node: "globex")
        let directives = machine.onProposal(
            try Self.spec(deadlineAt: Self.start.addingTimeInterval(-1)), from: "acme", now: Self.start)
        guard case .reply(_, _, .rejected(let rejection))? = directives.first else {
            Issue.record("expected a rejection, got \(directives)")
            return
        }
        #expect(rejection.description.contains("has already passed"))
    }

    @Test func deadlineAtRoundTripsThroughTheSpecsJSONAndYAML() throws {
        let spec = try Self.spec(deadlineAt: Date(timeIntervalSince1970: 1_800_000_000.2))
        #expect(spec.deadlineAtUnixSeconds == 1_800_000_001, "rounded up to a whole second")
        let json = try spec.canonicalJSON()
        #expect(String(decoding: json, as: UTF8.self).contains("\"deadline_at\":\"2027-01-15T08:00:01Z\""))
        #expect(try Study.Spec.load(json: json) == spec)
        #expect(try Study.Spec.load(yaml: try spec.yaml()) == spec)
        #expect(throws: StudyError.self) {
            _ = try Study.Spec.load(yaml: try Study.Spec.load(json: json).yaml()
                .replacingOccurrences(of: "2027-01-15T08:00:01Z", with: "tomorrow"))
        }
    }

    @Test func theLeadSendsItsAbsoluteDeadlineToParticipants() async throws {
        let (mesh, _) = try StudyEngineTests.cluster()
        let before = Date()
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: StudyEngineTests.spec))
        guard case .completed(let result, _, _) = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        let deadlineAt = try #require(result.spec.deadlineAt)
        #expect(deadlineAt >= before.addingTimeInterval(600) && deadlineAt <= Date().addingTimeInterval(601))
    }
}
