import CohortCore
import CohortTestSupport
import CohortStudy
import Foundation
import Testing

/// Issue 10, defect 13 (the pure participant machine): the pending cap per lead and the
/// retention of ended studies.
@Suite("Participant machine: pending cap and retention")
struct StudyParticipantRetentionTests {
    static let t0 = StudyFixtures.t0

    @Test("pending proposals per peer are capped in the machine: refused proposals are not stored; other leads unaffected")
    func pendingCapPerLead() throws {
        var m = Study.ParticipantMachine(node: "globex", maxPendingPerLead: 2)
        for id in ["a", "b"] {
            #expect(m.onProposal(try StudyFixtures.spec(id: id), from: "acme", now: Self.t0).visible
                    == [.decide(study: id, spec: try StudyFixtures.spec(id: id), lead: "acme")])
        }
        let third = m.onProposal(try StudyFixtures.spec(id: "c"), from: "acme", now: Self.t0)
        guard case .reply(_, "c", .rejected(let rejection))? = third.first, third.count == 1 else {
            Issue.record("the third undecided proposal was not refused: \(third)")
            return
        }
        #expect(rejection.description.contains("limit 2"))
        #expect(m.studies["c"] == nil)
        #expect(m.onProposal(try StudyFixtures.spec(id: "d"), from: "umbrella", now: Self.t0).visible.count == 1)
        #expect(m.studies["d"] != nil)
        // Queued for the operator still counts; a decision frees a place.
        _ = m.onPolicyDecision(study: "a", .queue)
        #expect(m.pendingCount(lead: "acme") == 2)
        _ = m.onPolicyDecision(study: "b", .accept)
        #expect(m.pendingCount(lead: "acme") == 1)
        #expect(m.onProposal(try StudyFixtures.spec(id: "e"), from: "acme", now: Self.t0).visible.count == 1)
        #expect(m.studies["e"] != nil)
    }

    @Test("rejected studies are forgotten after the retention; other ended studies also wait for their deadline")
    func endedStudiesAreForgotten() throws {
        var m = Study.ParticipantMachine(node: "globex", retention: 60)
        _ = m.onProposal(try StudyFixtures.spec(id: "rejected", deadline: 600), from: "acme", now: Self.t0)
        _ = m.onPolicyDecision(study: "rejected", .reject(.purposeNotAllowed(.segmentation)))
        _ = m.onProposal(try StudyFixtures.spec(id: "aborted", deadline: 600), from: "acme", now: Self.t0)
        _ = m.onPolicyDecision(study: "aborted", .accept)
        _ = m.onAbort(study: "aborted", reason: "lead gave up", from: "acme")
        _ = m.onProposal(try StudyFixtures.spec(id: "running", deadline: 600), from: "acme", now: Self.t0)
        _ = m.onPolicyDecision(study: "running", .accept)

        _ = m.onTick(now: Self.t0)  // notes when the ended studies were seen ended
        _ = m.onTick(now: Self.t0.addingTimeInterval(59))
        #expect(Set(m.studies.keys) == ["rejected", "aborted", "running"])
        _ = m.onTick(now: Self.t0.addingTimeInterval(60))
        #expect(Set(m.studies.keys) == ["aborted", "running"], "the rejected study is forgotten after 60 s")
        // The aborted study stays until its deadline plus grace has passed too (a duplicate
        // proposal must still be answered as ended); the running one expires then.
        let end = Self.t0.addingTimeInterval(600 + Study.ParticipantMachine.graceSeconds)
        _ = m.onTick(now: end)
        #expect(m.studies["aborted"] == nil)
        #expect(m.studies["running"]?.state == .expired)
        _ = m.onTick(now: end.addingTimeInterval(60))
        #expect(m.studies.isEmpty)
    }
}
