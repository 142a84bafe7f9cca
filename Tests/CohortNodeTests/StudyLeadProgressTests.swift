import CohortStudy
import Foundation
import Logging
import Testing
@testable import CohortNode

/// While a study runs the lead knows who it waits for and why; unreachable participants are
/// retried with backoff until the deadline; failures known up front end the study at once
/// (issue 17, items 1 and 2). Engines are wired in memory; deadlines are short.
@Suite struct StudyLeadProgressTests {
    typealias T = StudyEngineTests

    /// Peer calls that fail with `peerUnavailable` for the first `failures` proposals to each
    /// peer, then pass them on to the mesh; and that know only `configured` peers.
    final class FlakyCalls: StudyPeerCalls, @unchecked Sendable {
        let inner: T.MeshCalls
        let configured: Set<String>
        private let lock = NSLock()
        private var remaining: [String: Int]
        private(set) var attempts: [String: Int] = [:]

        init(inner: T.MeshCalls, failures: [String: Int], configured: Set<String>) {
            self.inner = inner
            self.remaining = failures
            self.configured = configured
        }

        func isConfigured(_ peer: String) -> Bool { configured.contains(peer) }

        func propose(to peer: String, study: String, specJSON: Data) async throws -> ProposalAnswer {
            let fail: Bool = lock.withLock {
                attempts[peer, default: 0] += 1
                guard let left = remaining[peer], left > 0 else { return false }
                remaining[peer] = left - 1
                return true
            }
            if fail { throw NodeError(.peerUnavailable, "peer \(peer) at 127.0.0.1:1: connection refused") }
            return try await inner.propose(to: peer, study: study, specJSON: specJSON)
        }

        func abort(to peer: String, study: String, reason: String) async throws -> Bool {
            try await inner.abort(to: peer, study: study, reason: reason)
        }

        func progress(from lead: String, study: String) async throws -> LeadProgress {
            try await inner.progress(from: lead, study: study)
        }

        func requestContribution(from peer: String, study: String, round: Int, payload: Study.RoundPayload) async throws -> Study.ContributionMessage {
            try await inner.requestContribution(from: peer, study: study, round: round, payload: payload)
        }

        func publish(to peer: String, study: String, resultJSON: Data, digest: Data) async throws {
            try await inner.publish(to: peer, study: study, resultJSON: resultJSON, digest: digest)
        }
    }

    static let fastRetry = StudyEngine.Limits(retryInitialDelay: 0.02, retryMaxDelay: 0.1)

    /// Replaces acme's engine with one whose peer calls are `calls`.
    static func lead(mesh: T.Mesh, calls: FlakyCalls, local: T.FakeLocal) -> StudyEngine {
        let engine = StudyEngine(
            node: "acme", policy: T.policy(), local: local, peers: calls, logger: Logger(label: "test.acme"),
            limits: fastRetry)
        mesh.engines["acme"] = engine
        return engine
    }

    static func spec(deadline: Int) throws -> Study.Spec {
        try Study.Spec.load(yaml: T.spec.replacingOccurrences(of: "deadline_seconds: 600", with: "deadline_seconds: \(deadline)"))
    }

    @Test func unreachableParticipantIsRetriedWithBackoffUntilItAnswers() async throws {
        // Before: the first connection error failed the study.
        let (mesh, locals) = try T.cluster()
        let calls = FlakyCalls(
            inner: T.MeshCalls(caller: "acme", mesh: mesh), failures: ["globex": 3], configured: ["globex", "initech"])
        let engine = Self.lead(mesh: mesh, calls: calls, local: locals["acme"]!)
        let outcome = await engine.lead(try Self.spec(deadline: 30))
        guard case .completed(let result, _, _) = outcome else {
            Issue.record("expected completion after retries, got \(outcome)")
            return
        }
        #expect(calls.attempts["globex"] == 4, "three failed attempts, then the one that got through")
        #expect(await locals["globex"]!.charges == [result.study])
    }

    @Test func unreachableParticipantFailsAtTheDeadlineNamingTheReasonAndAttempts() async throws {
        let (mesh, locals) = try T.cluster()
        let calls = FlakyCalls(
            inner: T.MeshCalls(caller: "acme", mesh: mesh), failures: ["globex": 1_000], configured: ["globex", "initech"])
        let engine = Self.lead(mesh: mesh, calls: calls, local: locals["acme"]!)
        // 5 s, not 1: the whole suite runs in parallel on two cores, and the proposal to the
        // reachable participant must arrive before the deadline.
        let outcome = await engine.lead(try Self.spec(deadline: 5))
        guard case .failed(let id, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("deadline of 5 s passed while waiting for globex"), "\(reason)")
        #expect(reason.contains("globex could not be reached"), "\(reason)")
        #expect(reason.contains("connection refused"), "\(reason)")
        #expect((calls.attempts["globex"] ?? 0) >= 3, "retried: \(calls.attempts)")
        let detail = try #require(await engine.detail(study: id))
        #expect(detail.state == "failed")
        #expect(detail.progress.first { $0.node == "globex" }?.stage == "unreachable")
        #expect(await locals["initech"]!.charges.isEmpty, "nobody spends for a study that never started")
    }

    @Test func participantMissingFromTheConfigurationFailsAtOnceAndNothingIsProposed() async throws {
        let (mesh, locals) = try T.cluster()
        let calls = FlakyCalls(inner: T.MeshCalls(caller: "acme", mesh: mesh), failures: [:], configured: ["globex"])
        let engine = Self.lead(mesh: mesh, calls: calls, local: locals["acme"]!)
        let outcome = await engine.lead(try Self.spec(deadline: 600))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("participant initech is not in this node's configuration"), "\(reason)")
        #expect(calls.attempts.isEmpty, "no participant was called")
        #expect(await locals["acme"]!.audits.isEmpty, "nothing was proposed, so nothing is on record")
    }

    @Test func leadsOwnPolicyRefusalIsReportedAtOnce() async throws {
        let (mesh, locals) = try T.cluster(budgets: ["acme": 0.5])
        let calls = FlakyCalls(inner: T.MeshCalls(caller: "acme", mesh: mesh), failures: [:], configured: ["globex", "initech"])
        let engine = Self.lead(mesh: mesh, calls: calls, local: locals["acme"]!)
        let outcome = await engine.lead(try Self.spec(deadline: 600))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("this node's own policy refuses the study"), "\(reason)")
        #expect(calls.attempts.isEmpty)
    }

    @Test func whileAParticipantAwaitsApprovalBothSidesShowWhoTheStudyWaitsFor() async throws {
        let (mesh, locals) = try T.cluster(autoApprove: ["globex": false])
        let lead = mesh.engines["acme"]!
        let globex = mesh.engines["globex"]!
        let spec = try Self.spec(deadline: 60)
        async let outcome = lead.lead(spec)
        var queued: String?
        for _ in 0..<200 where queued == nil {
            queued = await globex.studies().first { $0.state == "awaitingApproval" }?.id
            if queued == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let id = try #require(queued)
        var leadDetail: StudyDetail?
        for _ in 0..<200 {
            leadDetail = await lead.detail(study: id)
            if leadDetail?.progress.contains(where: { $0.stage == "awaiting_approval" }) == true { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let l = try #require(leadDetail)
        #expect(l.role == .lead && l.state == "proposing")
        #expect(l.waitingFor == ["globex"])
        #expect(l.progress.map(\.node) == ["acme", "globex", "initech"])
        #expect(l.progress.map(\.stage) == ["accepted", "awaiting_approval", "accepted"])
        #expect(l.deadline != nil && (l.secondsToDeadline ?? 0) > 0)

        let p = try #require(await globex.detail(study: id))
        #expect(p.role == .participant && p.state == "awaitingApproval" && p.lead == "acme")
        #expect(p.parties == ["acme", "globex", "initech"])
        #expect(p.waitingFor == ["operator@globex"])
        #expect(p.budget?.consentingCustomers == 3, "globex's own consenting customers (local only)")
        #expect(p.budget?.costEpsilon == 1.0)
        #expect(p.spec.deadlineAt != nil, "the participant knows the lead's absolute deadline")
        let summary = try #require(await globex.studies().first)
        #expect(summary.epsilon == 1.0 && summary.lead == "acme")

        _ = try await globex.decide(study: id, approve: true, reason: "")
        guard case .completed = await outcome else {
            Issue.record("study did not complete after approval")
            return
        }
        let done = try #require(await lead.detail(study: id))
        #expect(done.state == "completed" && done.waitingFor.isEmpty)
        #expect(done.round == StudyDetail.Round(number: 1, of: 1, received: 3, expected: 3))
        #expect(await locals["globex"]!.charges == [id])
    }

    @Test func endedLeadStudiesAgeOutOfTheListAfterTheRetention() async throws {
        let clock = StudyDeadlineExpiryTests.ManualClock(Date())
        let (mesh, locals) = try T.cluster()
        let engine = StudyEngine(
            node: "acme", policy: T.policy(), local: locals["acme"]!, peers: T.MeshCalls(caller: "acme", mesh: mesh),
            logger: Logger(label: "test.acme"), limits: StudyEngine.Limits(retention: 60), clock: { clock.now })
        mesh.engines["acme"] = engine
        guard case .completed(let result, _, _) = await engine.lead(try Self.spec(deadline: 30)) else {
            Issue.record("study failed")
            return
        }
        await engine.tick()
        #expect(await engine.studies().map(\.id) == [result.study], "kept during the retention")
        clock.advance(61)
        await engine.tick()
        #expect(await engine.studies().isEmpty, "ended lead studies age out; before, they stayed forever")
    }
}
