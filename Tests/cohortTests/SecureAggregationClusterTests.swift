import CohortCore
import CohortNet
import CohortNetTestSupport
import CohortNode
import CohortScenario
import CohortTestSupport
import CohortWire
import Foundation
import Testing

/// Issue 13 between real node processes (mutual TLS over loopback): securely aggregated studies
/// go through the four stage RPCs, every advertised certificate is verified, every node audits
/// the aggregation, and a party killed mid-study is recovered from.
@Suite(.serialized) struct SecureAggregationClusterTests {
    static let asOf = "2026-06-30"

    static func makeCluster(_ directory: TemporaryDirectory, _ members: [(String, Synthetic.Profile, Int)]) async throws -> LocalCluster {
        let pki = try PKI.TestPKI(consortium: "secagg")
        // Room for a training study at ε = 4 (the default policy caps a study at a lower ε).
        let generous: @Sendable (inout NodeConfig) -> Void = { config in
            for purpose in ["segmentation", "model-training"] {
                config.privacy.purposes[purpose] = .init(epsilonPerPeriod: 100, periodDays: 365, epsilonPerStudy: 10)
            }
        }
        let list = try members.map { name, profile, customers in
            LocalCluster.Member(
                name: name, profile: profile, customers: customers, material: try pki.material(for: name), configure: generous)
        }
        return try await LocalCluster.prepare(members: list, base: directory.url, consortium: "secagg", seed: 23, asOf: asOf)
    }

    /// The JSON lines `cohort audit show --type study.aggregated --study <id> --json` prints for `node`.
    static func aggregations(_ study: String, node: URL, in directory: URL) async throws -> [[String: Any]] {
        let run = try await StudyCommandClusterTests.cohort(
            ["audit", "show", "--node", node.path, "--type", "study.aggregated", "--study", study, "--all", "--json"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        return try run.stdout.split(separator: "\n").map { try StudyCommandClusterTests.json(String($0)) }
    }

    static func details(_ entry: [String: Any]) -> [String: Any] { entry["details"] as? [String: Any] ?? [:] }

    @Test func aSecurelyAggregatedHistogramIsReleasedAndAuditedOnEveryNode() async throws {
        let directory = try TemporaryDirectory()
        let cluster = try await Self.makeCluster(directory, [("alpha", .retail, 200), ("beta", .telecom, 150), ("gamma", .bank, 100)])
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        defer { for p in processes { p.crash() } }
        let spec = """
            id: secure-histogram
            kind: histogram
            purpose: segmentation
            as_of: \(Self.asOf)
            dimensions: [rfm_segment]
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
            participants: [beta, gamma]
            deadline_seconds: 120
            secure_aggregation: true
            """
        let answer = try await AdminClient.withConnection(nodeDirectory: try cluster.directory("alpha").path, timeout: .seconds(120)) {
            try await $0.propose(spec: spec)
        }
        #expect(answer.state == "completed", "\(answer.reason)")
        for (name, role) in [("alpha", "lead"), ("beta", "participant"), ("gamma", "participant")] {
            let entries = try await Self.aggregations("secure-histogram", node: try cluster.directory(name), in: directory.url)
            #expect(entries.count == 1, "\(name): \(entries)")
            let details = Self.details(entries.first ?? [:])
            #expect(details["role"] as? String == role, "\(name)")
            #expect(details["survivors"] as? String == "alpha,beta,gamma", "\(name)")
            #expect(details["dropouts"] as? String == "", "\(name)")
        }
        for name in ["beta", "gamma"] {
            let detail = try await AdminClient.withConnection(nodeDirectory: try cluster.directory(name).path, timeout: .seconds(10)) {
                try await $0.study("secure-histogram")
            }
            #expect(detail?.state == "completed", "\(name) stored the published result")
        }
    }

    @Test func aTrainingStudyGoesOnWhenAPartyIsKilledMidStudy() async throws {
        let directory = try TemporaryDirectory()
        let cluster = try await Self.makeCluster(
            directory, [("alpha", .retail, 2_000), ("beta", .telecom, 1_500), ("gamma", .bank, 1_500), ("delta", .retail, 1_500)])
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        defer { for p in processes { p.crash() } }
        let lead = try cluster.directory("alpha").path
        let spec = """
            id: secure-training
            kind: logistic-regression
            purpose: model-training
            as_of: \(Self.asOf)
            learning: { rounds: 12 }
            privacy: { epsilon: 4.0, delta: 1.0e-6 }
            participants: [beta, gamma, delta]
            deadline_seconds: 300
            secure_aggregation: { enabled: true, dropouts: 1 }
            """
        let proposal = Task {
            try await AdminClient.withConnection(nodeDirectory: lead, timeout: .seconds(300)) { try await $0.propose(spec: spec) }
        }
        // Kill delta by pid once the lead runs round 3 or later.
        var killedAt: Int?
        for _ in 0..<600 {
            let detail = try? await AdminClient.withConnection(nodeDirectory: lead, timeout: .seconds(5)) {
                try await $0.study("secure-training")
            }
            if let number = detail?.round?.number, number >= 3 {
                processes.first { $0.name == "delta" }?.crash()
                killedAt = number
                break
            }
            if let state = detail?.state, state == "completed" || state.hasPrefix("failed") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let answer = try await proposal.value
        try #require(killedAt != nil, "delta was not killed mid-study: \(answer.state) \(answer.reason)")
        #expect(answer.state == "completed", "\(answer.reason)")
        let entries = try await Self.aggregations("secure-training", node: try cluster.directory("alpha"), in: directory.url)
        func survivors(_ entry: [String: Any]) -> Set<String> {
            Set(((Self.details(entry)["survivors"] as? String) ?? "").split(separator: ",").map(String.init))
        }
        #expect(entries.contains { survivors($0) == ["alpha", "beta", "gamma"] },
                "rounds after the kill aggregate without delta: \(entries.map(Self.details))")
        #expect(entries.contains { survivors($0) == ["alpha", "beta", "gamma", "delta"] }, "rounds before the kill include delta")
        #expect(entries.allSatisfy { survivors($0).isSuperset(of: ["alpha", "beta", "gamma"]) })
    }
}
