import CohortTestSupport
import CohortStudy
import CohortNode
import Foundation
import Logging
import Testing

/// Issue 10, defect 13 (study side): a lead that floods a participant with proposals must not
/// flood its audit log or its memory.
@Suite("Study engine: proposal floods")
struct StudyProposalFloodTests {
    /// Peer calls a participant-only engine never makes.
    struct NoPeers: StudyPeerCalls {
        func propose(to peer: String, study: String, specJSON: Data) async throws -> ProposalAnswer {
            throw NodeError(.peerUnavailable, "no peers in this test")
        }
        func abort(to peer: String, study: String, reason: String) async throws -> Bool { false }

        func progress(from lead: String, study: String) async throws -> LeadProgress {
            throw NodeError(.peerUnavailable, "no peers")
        }

        func requestContribution(from peer: String, study: String, round: Int, payload: Study.RoundPayload) async throws -> Study.ContributionMessage {
            throw NodeError(.peerUnavailable, "no peers in this test")
        }
        func publish(to peer: String, study: String, resultJSON: Data, digest: Data) async throws {
            throw NodeError(.peerUnavailable, "no peers in this test")
        }
    }

    /// Local services whose audit log refuses every append.
    struct UnrecordableLocal: StudyLocalServices {
        func policyInputs(for spec: Study.Spec) async throws -> (remainingEpsilon: Double, consentingCustomers: Int) {
            (10, 100)
        }
        func persistParticipantStudy(_ study: String, entry: Study.ParticipantMachine.Entry?) async throws {}
        func resolveProposal(_ spec: Study.Spec) async throws -> Study.Spec { spec }
        func checkProposal(_ spec: Study.Spec) async throws {}

        func participantStudies() async throws -> [String: Study.ParticipantMachine.Entry] { [:] }

        func contribute(spec: Study.Spec, plan: Study.NoisePlan, study: String, round: Int, payload: Study.RoundPayload, charge: Bool) async throws -> Study.ContributionMessage {
            throw NodeError(.contributionFailed, "must not be asked")
        }
        func storeResult(_ result: Study.Result, json: Data, digest: Data, role: StudyRole) async throws {}
        func auditStudy(_ event: StudyAuditEvent) async throws {
            throw NodeError(.invalidConfiguration, "the audit log is full")
        }
    }

    static func propose(_ engine: StudyEngine, id: String, from lead: String = "acme") async throws -> ProposalAnswer {
        let spec = try StudyFixtures.spec(id: id)
        return await engine.onProposal(study: id, specJSON: try spec.canonicalJSON(), from: lead)
    }

    @Test("proposal audit flood: 300 rejected proposals from one peer add a bounded number of entries and leave the study list after the retention")
    func rejectedProposalFloodIsBounded() async throws {
        let clock = ManualClock()
        let local = StudyEngineTests.FakeLocal(codes: [1, 2, 3], remainingEpsilon: 0)
        let engine = StudyEngine(
            node: "globex", policy: StudyEngineTests.policy(), local: local, peers: NoPeers(),
            logger: Logger(label: "test.flood"), limits: .init(retention: 120, rejectionWindow: 30),
            clock: clock.closure)
        let proposals = 300
        for i in 0..<proposals {
            let answer = try await Self.propose(engine, id: "flood-\(i)")
            guard case .rejected(let reason) = answer else {
                Issue.record("proposal \(i) was not rejected: \(answer)")
                return
            }
            #expect(reason.contains("budget"), "\(reason)")
        }
        let duringWindow = await local.audits
        #expect(duringWindow.count == 2, "first rejection in full (proposed, rejected), the rest counted")
        #expect(duringWindow.first?.kind == .proposed)

        clock.advance(seconds: 30)
        await engine.tick()
        let afterWindow = await local.audits
        #expect(afterWindow.count == 3)
        if case .rejected(let summary)? = afterWindow.last?.kind {
            #expect(summary.contains("count=\(proposals - 1)"), "\(summary)")
        } else {
            Issue.record("no summary entry: \(afterWindow.map(\.kind))")
        }

        clock.advance(seconds: 120)
        await engine.tick()
        #expect(await engine.studies().isEmpty, "rejected studies leave memory and the list after the retention")
        #expect(await local.audits.count == 3)
    }

    @Test("ended studies are capped in memory even within the retention")
    func retainedEndedStudiesAreCapped() async throws {
        let clock = ManualClock()
        let local = StudyEngineTests.FakeLocal(codes: [1, 2, 3], remainingEpsilon: 0)
        let engine = StudyEngine(
            node: "globex", policy: StudyEngineTests.policy(), local: local, peers: NoPeers(),
            logger: Logger(label: "test.flood"), limits: .init(maxRetainedEnded: 10), clock: clock.closure)
        for i in 0..<50 {
            _ = try await Self.propose(engine, id: "cap-\(i)")
            clock.advance(seconds: 1)
            await engine.tick()
        }
        #expect(await engine.studies().count == 10)
    }

    @Test("pending proposals per peer are capped: further proposals are refused with a reason, counted and not kept")
    func pendingProposalsPerLeadAreCapped() async throws {
        let clock = ManualClock()
        let local = StudyEngineTests.FakeLocal(codes: [1, 2, 3], remainingEpsilon: 10)
        let engine = StudyEngine(
            node: "globex", policy: StudyEngineTests.policy(autoApprove: false), local: local, peers: NoPeers(),
            logger: Logger(label: "test.pending"), clock: clock.closure)
        let cap = StudyEngine.Limits.defaults.maxPendingPerLead
        #expect(cap == 16)
        var answers: [ProposalAnswer] = []
        for i in 0..<(cap + 40) {
            answers.append(try await Self.propose(engine, id: "pending-\(i)"))
        }
        #expect(answers.prefix(cap).allSatisfy { $0 == .pending })
        let beyond = answers.dropFirst(cap)
        let reasons = beyond.compactMap { answer -> String? in
            if case .rejected(let reason) = answer { return reason }
            return nil
        }
        #expect(reasons.count == beyond.count, "proposals beyond the cap must be rejected: \(Array(beyond))")
        #expect(reasons.allSatisfy { $0.contains("limit \(cap)") }, "\(reasons.first ?? "none")")
        #expect(await engine.studies().count == cap, "refused proposals are not kept")
        // cap × study.proposed, then the first refusal in full; the other 39 are counted.
        #expect(await local.audits.count == cap + 2)

        // Another lead has its own allowance.
        #expect(try await Self.propose(engine, id: "other-lead", from: "umbrella") == .pending)
        // Deciding one frees a place for the lead.
        _ = try await engine.decide(study: "pending-0", approve: true, reason: "")
        #expect(try await Self.propose(engine, id: "pending-after-decision") == .pending)
    }

    @Test("a proposal whose audit entry cannot be written is rejected")
    func unrecordableProposalIsRejected() async throws {
        let engine = StudyEngine(
            node: "globex", policy: StudyEngineTests.policy(), local: UnrecordableLocal(), peers: NoPeers(),
            logger: Logger(label: "test.unrecordable"))
        let answer = try await Self.propose(engine, id: "unrecorded")
        guard case .rejected(let reason) = answer else {
            Issue.record("an unrecorded proposal was answered \(answer)")
            return
        }
        #expect(reason.contains("audit log"), "\(reason)")
        #expect(await engine.studies().first?.state.hasPrefix("rejected") == true)
    }
}
