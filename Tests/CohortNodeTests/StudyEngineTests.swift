import CohortCore
import CohortTestSupport
import CohortNet
import CohortNetTestSupport
import CohortStudy
import CohortNode
import CohortSecureAggregation
import Foundation
import Logging
import Testing

/// Three study engines wired together in memory (no sockets): the runtime's directive handling.
@Suite struct StudyEngineTests {
    /// Node-local services with a fixed table of segment codes and zero noise.
    actor FakeLocal: StudyLocalServices {
        let codes: [UInt16]
        var remainingEpsilon: Double
        var failContribution = false
        var failAudit = false
        /// Fails only `study.aggregated` appends (secure aggregation's record).
        var failAggregatedAudit = false
        private(set) var charges: [String] = []
        private(set) var rowsRead = 0
        private(set) var results: [String: Data] = [:]
        private(set) var audits: [StudyAuditEvent] = []

        init(codes: [UInt16], remainingEpsilon: Double = 10) {
            self.codes = codes
            self.remainingEpsilon = remainingEpsilon
        }

        func setFailing() { failContribution = true }
        func setAuditFailing() { failAudit = true }
        func setAggregatedAuditFailing() { failAggregatedAudit = true }

        func policyInputs(for spec: Study.Spec) async throws -> (remainingEpsilon: Double, consentingCustomers: Int) {
            (remainingEpsilon, codes.count)
        }

        /// No published results here: nothing to resolve.
        func resolveProposal(_ spec: Study.Spec) async throws -> Study.Spec { spec }
        /// No published results here: nothing to contradict.
        func checkProposal(_ spec: Study.Spec) async throws {}

        /// The participant studies "in node.sqlite" (survives a simulated restart of the engine).
        private(set) var stored: [String: Study.ParticipantMachine.Entry] = [:]
        var failPersist = false

        func setPersistFailing() { failPersist = true }

        func contribute(
            spec: Study.Spec, plan: Study.NoisePlan, study: String, round: Int, payload: Study.RoundPayload, charge: Bool
        ) async throws -> Study.ContributionMessage {
            if failContribution { throw NodeError(.contributionFailed, "disk on fire") }
            if charge {
                guard plan.epsilon <= remainingEpsilon else { throw NodeError(.budgetExceeded, "over budget") }
                remainingEpsilon -= plan.epsilon
                charges.append(study)
            }
            rowsRead += codes.count
            let contribution = try Study.Contribution.compute(spec: spec, codes: [codes])
            var noise = ZeroNoise()
            var message = try contribution.noised(study: study, round: round, plan: plan, noise: &noise)
            let bump = UInt64(payload.bytes.first ?? 0)  // RepeatedRelease: round r adds r per cell
            message.values = message.values.map { $0 &+ bump }
            return message
        }

        func storeResult(_ result: Study.Result, json: Data, digest: Data, role: StudyRole) async throws {
            results[result.study] = json
        }

        func persistParticipantStudy(_ study: String, entry: Study.ParticipantMachine.Entry?) async throws {
            struct DiskFull: Error {}
            if failPersist { throw DiskFull() }
            stored[study] = entry
        }

        func participantStudies() async throws -> [String: Study.ParticipantMachine.Entry] { stored }

        func auditStudy(_ event: StudyAuditEvent) async throws {
            struct AuditDown: Error {}
            if failAudit { throw AuditDown() }
            if failAggregatedAudit, case .aggregated = event.kind { throw AuditDown() }
            audits.append(event)
        }
    }

    struct ZeroNoise: Study.NoiseSource {
        mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
            Study.NoiseReport(mechanism: "none", sigmaSquared: 0, simulated: true)
        }
    }

    /// Routes one node's peer calls to the other engines, as `caller`.
    final class Mesh: @unchecked Sendable {
        var engines: [String: StudyEngine] = [:]
        var dead: Set<String> = []
        /// Runs before a contribution request for `round` reaches `peer` (e.g. to restart it).
        var beforeRequest: (@Sendable (_ peer: String, _ round: Int) async -> Void)?
        /// Plain contribution requests sent (a securely aggregated study sends none).
        var plainRequests = 0
        /// Parties that fail secure-aggregation stage 1 (gone before advertising keys).
        var dropAtAdvertise: Set<String> = []
        /// Parties that fail stage 3 (they shared their keys, then vanished).
        var dropAtMaskedInput: Set<String> = []
    }

    struct MeshCalls: StudyPeerCalls {
        let caller: String
        let mesh: Mesh

        func engine(_ peer: String) throws -> StudyEngine {
            guard !mesh.dead.contains(peer), let engine = mesh.engines[peer] else {
                throw NodeError(.peerUnavailable, "peer \(peer) is unreachable")
            }
            return engine
        }

        func propose(to peer: String, study: String, specJSON: Data) async throws -> ProposalAnswer {
            try await engine(peer).onProposal(study: study, specJSON: specJSON, from: caller)
        }

        func requestContribution(
            from peer: String, study: String, round: Int, payload: Study.RoundPayload
        ) async throws -> Study.ContributionMessage {
            await mesh.beforeRequest?(peer, round)
            mesh.plainRequests += 1
            return try await engine(peer).onContributionRequest(study: study, round: round, payload: payload, from: caller)
        }

        func abort(to peer: String, study: String, reason: String) async throws -> Bool {
            try await engine(peer).onAbort(study: study, reason: reason, from: caller)
        }

        func advertiseKeys(
            from peer: String, study: String, round: Int, payload: Study.RoundPayload, parties: [String], threshold: Int
        ) async throws -> SignedKeyAdvertisement {
            await mesh.beforeRequest?(peer, round)
            if mesh.dropAtAdvertise.contains(peer) { throw NodeError(.peerUnavailable, "\(peer) is gone") }
            return try await engine(peer).onAdvertiseKeys(
                study: study, round: round, payload: payload, parties: parties, threshold: threshold, from: caller)
        }

        func shareKeys(
            from peer: String, study: String, round: Int, advertisements: [SignedKeyAdvertisement]
        ) async throws -> SecureAggregation.SharePackage {
            try await engine(peer).onShareKeys(study: study, round: round, advertisements: advertisements, from: caller)
        }

        func submitMaskedInput(from peer: String, delivery: SecureAggregation.ShareDelivery) async throws -> Study.ContributionMessage {
            if mesh.dropAtMaskedInput.contains(peer) { throw NodeError(.peerUnavailable, "\(peer) is gone") }
            return try await engine(peer).onMaskedInputRequest(delivery, from: caller)
        }

        func unmask(from peer: String, request: SecureAggregation.UnmaskRequest) async throws -> SecureAggregation.UnmaskResponse {
            try await engine(peer).onUnmaskRequest(request, from: caller)
        }

        func progress(from lead: String, study: String) async throws -> LeadProgress {
            try await engine(lead).leadProgress(study: study, for: caller)
        }

        func publish(to peer: String, study: String, resultJSON: Data, digest: Data) async throws {
            try await engine(peer).onPublishedResult(study: study, resultJSON: resultJSON, digest: digest, from: caller)
        }
    }

    static let spec = StudyFixtures.engineHistogramYAML

    static func policy(autoApprove: Bool = true) -> Study.Policy {
        Study.Policy(epsilonPerStudy: [.segmentation: 2.0], maxDelta: 1e-5, minConsentingCustomers: 1, autoApprove: autoApprove)
    }

    /// Three engines wired in memory; with `pki`, each has its node identity from it (so that
    /// secure aggregation can run).
    static func cluster(
        budgets: [String: Double] = [:], autoApprove: [String: Bool] = [:], programs: Study.RoundPrograms = .standard,
        pki: PKI.TestPKI? = nil
    ) throws -> (Mesh, [String: FakeLocal]) {
        let mesh = Mesh()
        var locals: [String: FakeLocal] = [:]
        let tables: [String: [UInt16]] = [
            "acme": [0, 0, 1, 2, 2, 2], "globex": [1, 1, 3], "initech": [0, 4, 4, 4, 10],
        ]
        for (name, codes) in tables {
            let local = FakeLocal(codes: codes, remainingEpsilon: budgets[name] ?? 10)
            locals[name] = local
            mesh.engines[name] = StudyEngine(
                node: name, policy: policy(autoApprove: autoApprove[name] ?? true), local: local,
                peers: MeshCalls(caller: name, mesh: mesh), logger: Logger(label: "test.\(name)"), programs: programs,
                identity: try pki.map { try SecureAggregationIdentity(material: try $0.material(for: name), consortium: $0.consortium) })
        }
        return (mesh, locals)
    }

    @Test func happyPathPublishesTheExactSumToEveryNode() async throws {
        let (mesh, locals) = try Self.cluster()
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: Self.spec))
        guard case .completed(let result, let json, _) = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        // Segment code → count over the three tables.
        let expected: [Int: Double] = [0: 3, 1: 3, 2: 3, 3: 1, 4: 3, 10: 1]
        for (index, cell) in result.cells.enumerated() {
            #expect(cell.count == expected[index] ?? 0, "cell \(index) \(cell.labels)")
        }
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.charges == [result.study], "\(name) charged once")
            #expect(await locals[name]!.results[result.study] == json, "\(name) stored the published result")
        }
        let audits = await locals["globex"]!.audits.map(\.kind)
        #expect(audits == [.proposed, .accepted])
    }

    @Test func overBudgetParticipantRefusesBeforeReadingDataAndNobodySpends() async throws {
        let (mesh, locals) = try Self.cluster(budgets: ["initech": 0.5])
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: Self.spec))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("initech"))
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.charges.isEmpty, "\(name) must not spend")
            #expect(await locals[name]!.rowsRead == 0, "\(name) must not read data")
        }
        let kinds = await locals["initech"]!.audits.map(\.kind)
        #expect(kinds.count == 2)
        if case .rejected(let why) = kinds.last { #expect(why.contains("budget")) } else { Issue.record("no rejection audited") }
    }

    /// Issue 10/11: the lead's own proposal and decision are on record before anything happens;
    /// an audit log that refuses the append stops the study before any peer hears of it.
    @Test func leadWhoseAuditLogFailsProposesNothingAndNobodySpends() async throws {
        let (mesh, locals) = try Self.cluster()
        await locals["acme"]!.setAuditFailing()
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: Self.spec))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("audit log"))
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.charges.isEmpty, "\(name) must not spend")
            #expect(await locals[name]!.rowsRead == 0, "\(name) must not read data")
        }
        #expect(await locals["globex"]!.audits.isEmpty, "no participant was proposed to")
    }

    @Test func participantThatDiesMidStudyFailsTheStudyWithItsNameAndSpendsNothing() async throws {
        let (mesh, locals) = try Self.cluster()
        await locals["initech"]!.setFailing()
        let start = ContinuousClock.now
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: Self.spec))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("initech"))
        // The deadline is 600 s: failing well before it shows the failure was not a time-out.
        #expect(ContinuousClock.now - start < .seconds(120), "must not wait for the deadline")
        #expect(await locals["initech"]!.charges.isEmpty)
        #expect(await locals["globex"]!.results.isEmpty, "no result is published for a failed study")
    }

    @Test func unreachableParticipantFailsTheStudy() async throws {
        // An unreachable participant is retried until the deadline (issue 17), so a short one.
        let (mesh, _) = try Self.cluster()
        mesh.dead.insert("globex")
        let spec = Self.spec.replacingOccurrences(of: "deadline_seconds: 600", with: "deadline_seconds: 5")
        let outcome = await mesh.engines["acme"]!.lead(try Study.Spec.load(yaml: spec))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("globex could not be reached"), "\(reason)")
    }

    @Test func manualApprovalQueuesUntilTheOperatorApproves() async throws {
        let (mesh, locals) = try Self.cluster(autoApprove: ["globex": false])
        let lead = mesh.engines["acme"]!
        let spec = try Study.Spec.load(yaml: Self.spec)
        async let outcome = lead.lead(spec)
        // Wait for globex to queue the study, then approve it.
        var queued: String?
        for _ in 0..<200 where queued == nil {
            queued = await mesh.engines["globex"]!.studies().first { $0.state == "awaitingApproval" }?.id
            if queued == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let id = try #require(queued)
        _ = try await mesh.engines["globex"]!.decide(study: id, approve: true, reason: "")
        guard case .completed(let result, _, _) = await outcome else {
            Issue.record("study did not complete after approval")
            return
        }
        #expect(result.study == id)
        #expect(await locals["globex"]!.audits.contains { $0.kind == .accepted && $0.actor == "operator" })
    }

    @Test func operatorRejectionFailsTheStudy() async throws {
        let (mesh, _) = try Self.cluster(autoApprove: ["initech": false])
        let spec = try Study.Spec.load(yaml: Self.spec)
        async let outcome = mesh.engines["acme"]!.lead(spec)
        var queued: String?
        for _ in 0..<200 where queued == nil {
            queued = await mesh.engines["initech"]!.studies().first { $0.state == "awaitingApproval" }?.id
            if queued == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        _ = try await mesh.engines["initech"]!.decide(study: try #require(queued), approve: false, reason: "not this quarter")
        guard case .failed(_, let reason) = await outcome else {
            Issue.record("expected failure")
            return
        }
        #expect(reason.contains("not this quarter"))
    }
}
