import CohortNet
import CohortStudy
import CohortCore
import CohortAudit
import CohortNode
import CohortScenario
import CohortStore
import CohortNetTestSupport
import CohortTestSupport
import CohortWire
import CohortProcess
import Foundation
import Testing

/// Real `cohort node run` processes on loopback: a federated study end to end, a participant
/// that dies mid-study, a study over budget, and mTLS refusals found in the audit log.
@Suite(.serialized) struct ClusterTests {
    static let asOf = "2026-06-30"

    static func spec(epsilon: Double = 1.0, deadline: Int = 30, participants: [String] = ["beta", "gamma"]) -> String {
        """
        kind: histogram
        purpose: segmentation
        as_of: \(asOf)
        dimensions: [rfm_segment]
        privacy: { epsilon: \(epsilon), delta: 1.0e-6, min_count: 0 }
        participants: [\(participants.joined(separator: ", "))]
        deadline_seconds: \(deadline)
        """
    }

    /// Three prepared nodes (alpha retail, beta telecom, gamma bank) with a fresh test PKI.
    static func makeCluster(
        _ directory: TemporaryDirectory, configure: [String: @Sendable (inout NodeConfig) -> Void] = [:]
    ) async throws -> LocalCluster {
        let pki = try PKI.TestPKI(consortium: "demo")
        let members = try [("alpha", Synthetic.Profile.retail, 400), ("beta", .telecom, 300), ("gamma", .bank, 200)].map {
            LocalCluster.Member(
                name: $0.0, profile: $0.1, customers: $0.2, material: try pki.material(for: $0.0),
                configure: configure[$0.0] ?? { _ in })
        }
        return try await LocalCluster.prepare(members: members, base: directory.url, consortium: "demo", seed: 7, asOf: asOf)
    }

    static func auditEntries(_ directory: URL) throws -> [Audit.Entry] {
        let reader = try Audit.LogReader.open(path: directory.appendingPathComponent("audit.sqlite").path)
        return try (0..<reader.size()).map { try reader.entry(at: $0).entry }
    }

    static func spends(_ directory: URL) throws -> [BudgetSpendRecord] {
        let store = try NodeStore.open(directory: directory.path)
        defer { try? store.close() }
        return try Purpose.allCases.flatMap { try store.budgetSpends(purpose: $0.rawValue) }
    }

    @Test func threeProcessStudyMatchesTheSumOfTheLocalAnswersWithinTheNoise() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-cluster")
        defer { temp.remove() }
        let cluster = try await Self.makeCluster(temp)
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        let response: Cohort_Admin_V1_AdminProposeResponseLike
        do {
            let r = try await AdminClient.withConnection(nodeDirectory: try cluster.directory("alpha").path, timeout: .seconds(60)) {
                try await $0.propose(spec: Self.spec())
            }
            response = .init(state: r.state, reason: r.reason, json: r.resultJson)
        } catch {
            for p in processes { await p.stop() }
            throw error
        }
        for p in processes { #expect(await p.stop() == 0, "\(p.name) exits cleanly on SIGTERM") }
        try #require(response.state == "completed", "study failed: \(response.reason)")

        let result = try Study.Result.decode(json: response.json)
        let truth = try Centralized.answer(spec: result.spec, nodeDirectories: cluster.names.map { try cluster.directory($0) })
        // Each node adds discrete Gaussian noise; the released SE is √(Σσᵢ²). 5 SE: p < 6e-7 per cell.
        let noiseSD = result.noiseVariance.squareRoot()
        for (cell, exact) in zip(result.cells, truth) {
            guard !cell.suppressed else {
                // Suppressed: its noisy count fell below min_count (0 here), so the cell is small.
                #expect(Double(exact.count) <= 5 * noiseSD, "\(cell.labels) suppressed but has \(exact.count) customers")
                continue
            }
            let count = try #require(cell.count)
            let se = try #require(cell.countStandardError)
            #expect(abs(count - Double(exact.count)) <= 5 * se, "\(cell.labels): \(count) vs \(exact.count) (SE \(se))")
        }
        #expect(result.participants.map(\.node).sorted() == ["alpha", "beta", "gamma"])
        // Three parties and no `secure_aggregation` key: securely aggregated (issue 13), each node
        // adding its share of the central noise, so a cell's variance is 3 shares, not 3 σ².
        #expect(result.spec.aggregation == .secure(parties: 3, threshold: 3))
        let plan = try Study.Calibration.plan(for: result.spec)
        let central = try #require(plan.distributed).centralSigmaSquared
        #expect(abs(result.noiseVariance - 3 * plan.sigmaSquared) <= 1e-6 * result.noiseVariance)
        #expect(result.noiseVariance < 2 * central, "3 shares of σ²/2 each, not 3σ² (\(result.noiseVariance) vs σ² \(central))")
        #expect(StudyComparison(title: "RFM", result: result, truth: truth).render()
            .contains("securely aggregated among 3 parties (threshold 3): the lead saw only the sum"))
        let total = truth.map(\.count).reduce(0, +)
        // No node sends its exact count; the released total is the noised cells' sum.
        #expect(abs(result.releasedCustomers - Double(total)) <= 5 * result.releasedCustomersStandardError)

        for name in cluster.names {
            let dir = try cluster.directory(name)
            let spent = try Self.spends(dir)
            #expect(spent.map(\.study) == [result.study], "\(name) recorded exactly one spend")
            #expect(abs((spent.first?.epsilon ?? 0) - 1.0) < 1e-6)
            let types = try Self.auditEntries(dir).filter { $0.study == result.study }.map(\.type)
            for expected: Audit.EventType in [.studyProposed, .studyAccepted, .dataAccessed, .budgetSpent, .resultReleased] {
                #expect(types.contains(expected), "\(name)'s audit log has \(expected.rawValue)")
            }
            let reader = try Audit.LogReader.open(path: dir.appendingPathComponent("audit.sqlite").path)
            guard case .intact = try reader.verify() else {
                Issue.record("\(name)'s audit log does not verify")
                continue
            }
        }
    }

    @Test func participantThatDiesMidStudyFailsTheStudyWithinItsDeadlineAndNobodySpends() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-cluster")
        defer { temp.remove() }
        let cluster = try await Self.makeCluster(temp, configure: ["gamma": { $0.studies.autoApprove = false }])
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        defer { for p in processes { p.crash() } }
        let gamma = try #require(processes.first { $0.name == "gamma" })
        let alphaDir = try cluster.directory("alpha").path
        let gammaDir = try cluster.directory("gamma").path
        let started = ContinuousClock.now
        async let outcome = AdminClient.withConnection(nodeDirectory: alphaDir, timeout: .seconds(60)) {
            try await $0.propose(spec: Self.spec(deadline: 8))
        }
        // gamma queues the study for its operator; then it dies. The lead retries the dead
        // participant until the deadline (issue 17), so the deadline is short.
        var queued = false
        for _ in 0..<200 where !queued {
            let studies = try await AdminClient.withConnection(nodeDirectory: gammaDir, timeout: .seconds(5)) { try await $0.studies() }
            queued = studies.contains { $0.state == "awaitingApproval" }
            if !queued { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(queued, "gamma never queued the study")
        gamma.crash()
        let response = try await outcome
        #expect(response.state == "failed")
        #expect(response.reason.contains("gamma could not be reached"), "the reason names the dead participant: \(response.reason)")
        #expect(ContinuousClock.now - started < .seconds(60), "fails at the study's 8 s deadline")
        for p in processes where p.name != "gamma" { await p.stop() }
        for name in ["alpha", "beta"] {
            #expect(try Self.spends(try cluster.directory(name)).isEmpty, "\(name) never sent a contribution and spent nothing")
            #expect(!(try Self.auditEntries(try cluster.directory(name)).contains { $0.type == .dataAccessed }))
        }
    }

    @Test func studyOverAParticipantsBudgetIsRefusedBeforeAnyDataIsRead() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-cluster")
        defer { temp.remove() }
        let cluster = try await Self.makeCluster(temp, configure: [
            "beta": { $0.privacy.purposes["segmentation"]?.epsilonPerStudy = 0.5 },
        ])
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        let response = try await AdminClient.withConnection(nodeDirectory: try cluster.directory("alpha").path, timeout: .seconds(60)) {
            try await $0.propose(spec: Self.spec(epsilon: 1.0))
        }
        for p in processes { await p.stop() }
        #expect(response.state == "failed")
        #expect(response.reason.contains("beta"), "\(response.reason)")
        for name in cluster.names {
            let entries = try Self.auditEntries(try cluster.directory(name)).filter { $0.study == response.studyID }
            #expect(!entries.contains { $0.type == .dataAccessed }, "\(name) read no customer data")
            #expect(try Self.spends(try cluster.directory(name)).isEmpty, "\(name) spent nothing")
        }
        let betaEntries = try Self.auditEntries(try cluster.directory("beta")).filter { $0.study == response.studyID }
        #expect(betaEntries.contains { $0.type == .studyRejected })
    }

    @Test func mTLSRefusalsOfARunningNodeAreAudited() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-cluster")
        defer { temp.remove() }
        let pki = try PKI.TestPKI(consortium: "demo")
        let foreign = try PKI.TestPKI(consortium: "demo", caName: "Mallory CA")
        let revokedBeta = try pki.material(for: "beta")
        let fingerprint = try PKI.fingerprint(of: revokedBeta.credentials.certificate)
        var alpha = try pki.material(for: "alpha")
        alpha.revocations = PKI.RevocationList([fingerprint])
        let cluster = try await LocalCluster.prepare(
            members: [
                LocalCluster.Member(name: "alpha", profile: .retail, customers: 200, material: alpha),
                LocalCluster.Member(name: "beta", profile: .telecom, customers: 200, material: try pki.material(for: "beta")),
                LocalCluster.Member(name: "gamma", profile: .bank, customers: 200, material: try pki.material(for: "gamma")),
            ],
            base: temp.url, consortium: "demo", seed: 3, asOf: Self.asOf)
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable(), nodes: ["alpha"])
        let alphaDir = try cluster.directory("alpha")
        let port = try NodeRunInfo.read(from: alphaDir).peerPort
        let attempts: [(String, PKI.NodeTLSMaterial, PeerRefusal.Code)] = [
            ("expired", try pki.material(for: "gamma", validity: .expired), .expired),
            ("not yet valid", try pki.material(for: "gamma", validity: .notYetValid), .notYetValid),
            ("unknown CA", try foreign.material(for: "gamma", extraTrust: [pki.authority]), .unknownAuthority),
            ("revoked", revokedBeta, .revoked),
            ("not a configured peer", try pki.material(for: "mallory"), .unknownPeer),
        ]
        for (label, material, _) in attempts {
            await #expect(throws: (any Error).self, "\(label) must be refused") {
                try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: material) { client in
                    var hello = Cohort_Peer_V1_HelloRequest()
                    hello.protocolVersion = 1
                    return try await client.hello(hello).node
                }
            }
        }
        // A good peer gets through.
        let name = try await PeerClient.withConnection(
            to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "gamma")
        ) { client in
            var hello = Cohort_Peer_V1_HelloRequest()
            hello.protocolVersion = 1
            return try await client.hello(hello).node
        }
        #expect(name == "alpha")
        // A plain TLS client without a certificate (openssl s_client), when openssl is installed.
        let openssl = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let openssl {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["10", openssl, "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-alpn", "h2"]
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try await ProcessLauncher.launch(process)
            try input.fileHandleForWriting.write(contentsOf: Data("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
            try? await Task.sleep(for: .milliseconds(500))
            try? input.fileHandleForWriting.close()
            _ = await ChildProcess.waitForExit(process)
            #expect(process.terminationStatus != 124, "openssl s_client did not finish within 10 s")
        }
        for p in processes { await p.stop() }
        let refused = try Self.auditEntries(alphaDir).filter { $0.type == .peerRefused }
        for (label, _, code) in attempts {
            #expect(refused.contains { $0.details["code"] == .string(code.rawValue) }, "\(label) (\(code.rawValue)) is in the audit log")
        }
        #expect(try Self.auditEntries(alphaDir).contains { $0.type == .peerConnected && $0.actor == "gamma" })
        if openssl != nil {
            #expect(refused.contains { $0.details["code"] == .string(PeerRefusal.Code.noCertificate.rawValue) },
                    "a client without a certificate is refused and audited")
        }
    }
}

extension ClusterTests {
    /// Runs the built `cohort` with `arguments`; returns the exit status and the combined output.
    static func cohort(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try BuiltProducts.cohortExecutable()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try await ProcessLauncher.launch(process)
        let data = await ChildProcess.readToEnd(pipe.fileHandleForReading)
        _ = await ChildProcess.waitForExit(process)
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func consentChangesAndErasuresGoThroughTheRunningNode() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-cluster")
        defer { temp.remove() }
        let pki = try PKI.TestPKI(consortium: "demo")
        let cluster = try await LocalCluster.prepare(
            members: [LocalCluster.Member(name: "alpha", profile: .retail, customers: 200, material: try pki.material(for: "alpha"))],
            base: temp.url, consortium: "demo", seed: 5, asOf: Self.asOf)
        let dir = try cluster.directory("alpha")
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        let withdraw = try await Self.cohort(["consent", "withdraw", "--customer", "R000001", "--purpose", "segmentation", "--node", dir.path])
        let erase = try await Self.cohort(["data", "erase", "--customer", "R000002", "--node", dir.path])
        let unknown = try await Self.cohort(["data", "erase", "--customer", "NOPE", "--node", dir.path])
        for p in processes { #expect(await p.stop() == 0) }
        #expect(withdraw.status == 0, "\(withdraw.output)")
        #expect(withdraw.output.contains("through the running node"))
        #expect(erase.status == 0, "\(erase.output)")
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("NOPE"), "the error names the customer: \(unknown.output)")

        let store = try NodeStore.open(directory: dir.path)
        defer { try? store.close() }
        #expect(try store.consentState(customerID: "R000001", purpose: .segmentation, asOf: Date()) == .withdraw)
        #expect(try store.pseudonym(customerID: "R000002") == nil, "the erased customer's mapping is gone")
        let entries = try Self.auditEntries(dir)
        #expect(entries.contains { $0.type == .consentWithdrawn && $0.purpose == "segmentation" })
        #expect(entries.contains { $0.type == .subjectErased })
        let reader = try Audit.LogReader.open(path: dir.appendingPathComponent("audit.sqlite").path)
        guard case .intact = try reader.verify() else {
            Issue.record("the audit log does not verify")
            return
        }
    }
}

/// The parts of an admin proposal response the tests look at.
struct Cohort_Admin_V1_AdminProposeResponseLike {
    var state: String
    var reason: String
    var json: Data
}
