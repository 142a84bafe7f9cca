import CohortNet
import CohortNetTestSupport
import CohortStudy
import CohortTestSupport
import Foundation
import Logging
import Testing
@testable import CohortNode

/// The driver (``StudyEngine``) carrying out the multi-round machines between engines wired in
/// memory: rounds, restarts between rounds from the durable participant state, `AbortStudy`
/// over the wire, storage failures, and directives it does not expect.
@Suite struct StudyEngineRoundsTests {
    typealias Engines = StudyEngineTests

    static func restartedEngine(
        _ name: String, local: Engines.FakeLocal, mesh: Engines.Mesh, rounds: Int, identity: SecureAggregationIdentity? = nil
    ) -> StudyEngine {
        StudyEngine(
            node: name, policy: Engines.policy(), local: local, peers: Engines.MeshCalls(caller: name, mesh: mesh),
            logger: Logger(label: "test.\(name).restarted"), programs: StudyFixtures.repeatedPrograms(rounds: rounds),
            identity: identity)
    }

    /// Three engines run a 6-round study; globex is restarted (a fresh engine over the same
    /// node.sqlite) before round 3 and resumes: the release is exact, and each node is charged
    /// once and reads its data once per round. Plain, and securely aggregated (the default with
    /// three parties): a restart between rounds loses nothing there either, since the round's
    /// masking keys are made when the round starts.
    @Test(arguments: [false, true])
    func aParticipantRestartedBetweenRoundsResumesAndTheStudyPublishes(secure: Bool) async throws {
        let rounds = 6
        let pki = secure ? try PKI.TestPKI(consortium: "restart") : nil
        let (mesh, locals) = try Engines.cluster(programs: StudyFixtures.repeatedPrograms(rounds: rounds), pki: pki)
        let globex = locals["globex"]!
        let identity = try pki.map { try SecureAggregationIdentity(material: try $0.material(for: "globex"), consortium: $0.consortium) }
        let restarted = ManagedFlag()
        mesh.beforeRequest = { peer, round in
            guard peer == "globex", round == 3, restarted.setOnce() else { return }
            let engine = Self.restartedEngine("globex", local: globex, mesh: mesh, rounds: rounds, identity: identity)
            try? await engine.restore()
            mesh.engines["globex"] = engine
        }
        let yaml = secure ? Engines.spec.replacingOccurrences(of: "secure_aggregation: false\n", with: "") : Engines.spec
        let spec = try Study.Spec.load(yaml: yaml)
        #expect((spec.aggregation != .plain) == secure)
        let outcome = await mesh.engines["acme"]!.lead(spec)
        guard case .completed(let result, _, _) = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        #expect(restarted.isSet)
        #expect((mesh.plainRequests == 0) == secure, "a secure study asks for no contribution in the clear")
        // Segment code → count over the three tables, plus 3 parties × (rounds − 1) per cell.
        let base: [Int: Double] = [0: 3, 1: 3, 2: 3, 3: 1, 4: 3, 10: 1]
        for (index, cell) in result.cells.enumerated() {
            #expect(cell.count == (base[index] ?? 0) + Double(3 * (rounds - 1)), "cell \(index)")
        }
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.charges == [result.study], "\(name) charged once for \(rounds) rounds")
        }
        #expect(await globex.rowsRead == 3 * rounds, "globex read its 3 customers once per round")
        #expect(await globex.stored[result.study]?.state == .completed, "the completed state is in node.sqlite")
    }

    /// A participant that stops mid-study (here: its engine is gone at round 2) fails the study;
    /// the lead tells the others over the wire (`AbortStudy`), and they record the end.
    @Test func aDropoutFailsTheStudyAndTheAbortReachesTheOthers() async throws {
        let (mesh, locals) = try Engines.cluster(programs: StudyFixtures.repeatedPrograms(rounds: 4))
        mesh.beforeRequest = { peer, round in
            if peer == "initech", round == 2 { mesh.dead.insert("initech") }
        }
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: Engines.spec))
        guard case .failed(let study, let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("initech dropped out in round 3"), "\(reason)")
        let detail = try #require(await mesh.engines["globex"]!.detail(study: study))
        #expect(detail.state == "aborted")
        let ended = await locals["globex"]!.audits.compactMap { event -> String? in
            if case .ended(let outcome, let why, let rounds) = event.kind, rounds == 3 { return "\(outcome): \(why)" }
            return nil
        }
        #expect(ended.count == 1 && ended[0].hasPrefix("aborted: initech dropped out"), "\(ended)")
        #expect(await locals["acme"]!.audits.contains { if case .ended("failed", _, _) = $0.kind { true } else { false } })
        #expect(await locals["globex"]!.results.isEmpty)
    }

    /// A participant whose node.sqlite refuses the study's state rejects the proposal: nothing
    /// is read or spent anywhere.
    @Test func aParticipantThatCannotStoreTheStudysStateRejectsIt() async throws {
        let (mesh, locals) = try Engines.cluster()
        await locals["globex"]!.setPersistFailing()
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: Engines.spec))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("globex") && reason.contains("node.sqlite"), "\(reason)")
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.charges.isEmpty, "\(name) must not spend")
            #expect(await locals[name]!.rowsRead == 0, "\(name) must not read data")
        }
    }

    /// A directive the driver does not expect where it meets it fails the study loudly instead
    /// of being skipped.
    @Test func anUnexpectedDirectiveFailsTheStudyLoudly() async throws {
        let (mesh, _) = try Engines.cluster()
        let globex = mesh.engines["globex"]!
        let spec = try Study.Spec.load(yaml: Engines.spec).withID("s-fault")
        #expect(await globex.onProposal(study: "s-fault", specJSON: try spec.canonicalJSON(), from: "acme") == .accepted)
        let result = Study.Result(
            study: "s-fault", lead: "acme", spec: spec, cells: [], participants: [], noiseVariance: 0, simulatedNoise: true,
            releasedCustomers: 0, releasedCustomersStandardError: 0, startedAt: Date(), completedAt: Date())
        var next: [Study.ParticipantMachine.Directive] = []
        let outcome = await globex.bookkeeping(
            .storeResult(study: "s-fault", result), study: "s-fault", during: "a contribution request", next: &next)
        #expect(outcome == .unexpected)
        let detail = try #require(await globex.detail(study: "s-fault"))
        #expect(detail.state == "failed")
        #expect(detail.reason?.contains("unexpected directive storeResult during a contribution request") == true)
        // The lead's next request is refused with that reason rather than served.
        await #expect(throws: NodeError.self) {
            try await globex.onContributionRequest(study: "s-fault", round: 0, from: "acme")
        }
    }

    /// Issue 17: `study status` on a participant shows every party's stage, as the lead sees it
    /// (asked over `StudyProgress`), not just its own and the lead's.
    @Test func aParticipantsStatusShowsEveryPartysStageFromTheLead() async throws {
        let (mesh, locals) = try Engines.cluster(autoApprove: ["initech": false])
        let spec = try Study.Spec.load(yaml: Engines.spec).withID("s-status")
        let acme = mesh.engines["acme"]!
        let run = Task { await acme.lead(spec) }
        var stages: [String: String] = [:]
        for _ in 0..<200 {  // bounded: up to 10 s
            if let detail = await mesh.engines["globex"]!.detail(study: "s-status") {
                stages = Dictionary(detail.progress.map { ($0.node, $0.stage) }, uniquingKeysWith: { a, _ in a })
                if stages["initech"] == "awaiting_approval" { break }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(stages["initech"] == "awaiting_approval", "globex sees initech's stage: \(stages)")
        #expect(stages["globex"] == "accepted" && stages["acme"] != nil, "\(stages)")
        // A node that does not take part is refused the lead's view.
        await #expect(throws: NodeError.self) { try await acme.leadProgress(study: "s-status", for: "umbrella") }
        _ = try await mesh.engines["initech"]!.decide(study: "s-status", approve: true, reason: "")
        guard case .completed = await run.value else {
            Issue.record("the study did not complete")
            return
        }
        #expect(await locals["initech"]!.charges == ["s-status"])
    }

    /// A persisted state that cannot be read stops the node's start with an error naming the
    /// study (rather than forgetting what it committed to).
    @Test func aCorruptStoredStateIsAnErrorNamingTheStudy() throws {
        #expect(throws: NodeError.self) {
            _ = try ParticipantStudyCoding.decode(Data("{\"spec\":1}".utf8), study: "s-bad")
        }
        do {
            _ = try ParticipantStudyCoding.decode(Data("{}".utf8), study: "s-bad")
        } catch let error as NodeError {
            #expect(error.message.contains("s-bad"))
        }
    }
}

/// A flag set at most once, across tasks.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; true only for the first caller.
    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if value { return false }
        value = true
        return true
    }

    /// Whether it was set.
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
