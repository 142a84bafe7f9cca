import CohortAnalytics
import CohortAudit
import CohortCore
import CohortLearning
import CohortNet
import CohortNetTestSupport
import CohortPrivacy
import CohortStore
import CohortStudy
import CohortTestSupport
import Foundation
import Logging
import Testing
@testable import CohortNode

/// Learning studies (k-means, churn model, quantiles) between real node services — each node
/// with its own `node.sqlite`, ledger and audit recorder — and the real study engine, over the
/// in-memory mesh: known answers with noise off, consent per round, dropout, budget.
@Suite struct LearningStudyEngineTests {
    /// One node: store, audit recorder, services.
    struct Node {
        let store: NodeStore
        let recorder: NodeStudyServicesTests.Recorder
        let services: NodeStudyServices
    }

    /// Deterministic synthetic customers of node `index`: `count` customers with transactions
    /// over 2024, consent to both purposes, a churn label linked to recency.
    static func csvs(node index: Int, count: Int) -> (customers: String, transactions: String, consent: String) {
        var customers = "customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date\n"
        var transactions = "customer_id,ts,amount_minor,currency,channel,category\n"
        var consent = "customer_id,purpose,action,at,method,policy_version\n"
        var state = UInt64(0x9E37_79B9_7F4A_7C15) &* UInt64(index + 1)
        func next(_ bound: Int) -> Int {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        let regions = ["north", "south", "east", "west"]
        for i in 0..<count {
            let id = "n\(index)-c\(i)"
            let active = next(3) != 0
            let purchases = active ? 2 + next(12) : 1 + next(2)
            let lastMonth = active ? 9 + next(4) : 1 + next(5)
            let churned = !active && next(4) != 0
            customers += "\(id),2022-0\(1 + next(9))-1\(next(10)),19\(60 + next(40)),f,\(regions[next(4)]),web,\(next(11)),\(1 + next(5)),\(churned ? 1 : 0),\(churned ? "2024-11-01" : "")\n"
            for p in 0..<purchases {
                let month = max(1, lastMonth - p % lastMonth)
                let day = 1 + next(27)
                transactions += "\(id),2024-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day),\(500 + next(active ? 20_000 : 3_000)),EUR,web,grocery\n"
            }
            for purpose in ["segmentation", "model-training"] {
                consent += "\(id),\(purpose),grant,2024-01-01T00:00:00Z,web,1\n"
            }
        }
        return (customers, transactions, consent)
    }

    static func config(name: String) -> NodeConfig {
        NodeConfig(
            node: .init(name: name, consortium: "demo", mode: .simulation),
            privacy: .init(delta: 1e-6, minCustomers: 1, purposes: [
                "segmentation": .init(epsilonPerPeriod: 10, periodDays: 365, epsilonPerStudy: 2),
                "model-training": .init(epsilonPerPeriod: 10, periodDays: 365, epsilonPerStudy: 2),
            ]))
    }

    static let names = ["acme", "globex", "initech"]

    /// Three nodes with 150, 100 and 80 customers, and engines between them.
    static func cluster(temp: TemporaryDirectory, randomness: NodeStudyServices.RandomnessChoice = .noiseless)
        async throws -> (StudyEngineTests.Mesh, [String: Node])
    {
        let mesh = StudyEngineTests.Mesh()
        var nodes: [String: Node] = [:]
        let pki = try PKI.TestPKI(consortium: "demo")
        for (index, name) in names.enumerated() {
            let dir = temp.appending(name).path
            _ = try await NodeHome.initialize(directory: dir, name: name, consortium: "demo")
            let store = try NodeStore.open(directory: dir)
            let recorder = NodeStudyServicesTests.Recorder()
            let data = csvs(node: index, count: [150, 100, 80][index])
            for (kind, text) in [(ImportKind.customers, data.customers), (.transactions, data.transactions), (.consent, data.consent)] {
                let file = temp.appending("\(name)-\(kind.rawValue).csv")
                try Data(text.utf8).write(to: file)
                _ = try await store.importCSV(kind, from: file.path, audit: recorder)
            }
            let services = try NodeStudyServices(store: store, config: config(name: name), audit: recorder, randomness: randomness)
            nodes[name] = Node(store: store, recorder: recorder, services: services)
            mesh.engines[name] = StudyEngine(
                node: name, policy: Study.Policy(epsilonPerStudy: [.segmentation: 2, .modelTraining: 2], maxDelta: 1e-5,
                                                 minConsentingCustomers: 1, autoApprove: true),
                local: services, peers: StudyEngineTests.MeshCalls(caller: name, mesh: mesh),
                logger: Logger(label: "test.\(name)"),
                identity: try SecureAggregationIdentity(material: try pki.material(for: name), consortium: "demo"))
        }
        return (mesh, nodes)
    }

    /// A node's consenting customers as the learning algorithms read them.
    static func customers(_ store: NodeStore, purpose: Purpose, asOf: CalendarDate) throws -> Learning.Customers {
        try NodeStudyServices.learningCustomers(store: store, purpose: purpose, consentAt: Date(), asOf: asOf).customers
    }

    static func spec(_ kind: String, _ purpose: String, _ learning: String, epsilon: Double = 1, secure: Bool = false) throws -> Study.Spec {
        try Study.Spec.load(yaml: """
            kind: \(kind)
            purpose: \(purpose)
            as_of: 2024-12-31
            learning: \(learning)
            privacy: { epsilon: \(epsilon), delta: 1.0e-6 }
            participants: [globex, initech]
            deadline_seconds: 120
            secure_aggregation: \(secure)
            """)
    }

    /// With noise off, the study between three engines releases exactly what the in-memory
    /// simulation of the same algorithm releases on the same customers (the central
    /// computation of the protocol): payload encoding, per-round sums and the lead's steps
    /// lose nothing. With secure aggregation (issue 13) every round's unmasked sum is the same,
    /// so the release is too.
    @Test(arguments: [
        ("kmeans", "segmentation", "{ k: 3, rounds: 5, features: [log_recency, log_frequency, log_monetary] }"),
        ("logistic-regression", "model-training", "{ rounds: 4, features: [log_recency, log_frequency, log_monetary, region] , regions: [north, south, east, west] }"),
        ("quantiles", "segmentation", "{}"),
    ], [false, true])
    func noiselessStudyEqualsTheSimulationOfTheSameAlgorithm(kind: (String, String, String), secure: Bool) async throws {
        let (kind, purpose, learning) = kind
        let temp = try TemporaryDirectory(prefix: "cohort-learning")
        defer { temp.remove() }
        let (mesh, nodes) = try await Self.cluster(temp: temp)
        // ε = 2: the grid round keeps cells above its noise threshold, which is set by the
        // calibrated σ even when the noise itself is off.
        let spec = try Self.spec(kind, purpose, learning, epsilon: 2, secure: secure)
        let outcome = await mesh.engines["acme"]!.lead(spec)
        guard case .completed(let result, _, _) = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        let withID = try spec.withID(result.study)
        let algorithm = try Study.LearningAlgorithm(spec: withID)
        let parties = try Self.names.map { try Self.customers(nodes[$0]!.store, purpose: spec.purpose, asOf: spec.asOf) }
        let expected = try Self.simulate(algorithm, parties: parties)
        #expect(result.learning == expected)
        #expect(result.simulatedNoise)
        for name in Self.names {
            let recorder = nodes[name]!.recorder
            #expect(await recorder.count(.budgetSpent) == 1, "\(name) charges the whole study once")
            #expect(await recorder.count(.dataAccessed) == expected.rounds, "\(name) audits every round's access")
            #expect(try nodes[name]!.store.budgetSpends(purpose: purpose).count == 1)
        }
    }

    /// The simulation of the protocol: every party's local contribution summed, the lead's
    /// step, until the release.
    static func simulate(_ algorithm: Study.LearningAlgorithm, parties: [Learning.Customers]) throws -> Study.LearningRelease {
        var payload = try algorithm.firstPayload()
        for round in 0..<algorithm.maximumRounds {
            var sum: [Int64]?
            for customers in parties {
                var generator = Privacy.SeededGenerator(seed: 1)
                let local = try algorithm.localContribution(payload, customers: customers, using: &generator)
                sum = sum.map { zip($0, local).map { $0 &+ $1 } } ?? local
            }
            switch try algorithm.advance(payload, aggregate: sum ?? [], round: round) {
            case .nextRound(let next): payload = next
            case .finished(let model): return Study.LearningRelease(rounds: round + 1, model: model)
            }
        }
        throw StudyError(.invalidContribution, "did not finish")
    }

    /// A customer who withdraws between rounds is left out of every later round: the node
    /// re-checks consent each round against the customers it read at round 0.
    @Test func consentWithdrawnBetweenRoundsRemovesTheCustomerFromTheNextRound() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-learning")
        defer { temp.remove() }
        let (mesh, nodes) = try await Self.cluster(temp: temp)
        let globex = nodes["globex"]!
        mesh.beforeRequest = { peer, round in
            guard peer == "globex", round == 2 else { return }
            for i in 0..<5 {
                _ = try? await globex.store.recordConsent(
                    customerID: "n1-c\(i)", purpose: .modelTraining, action: .withdraw, at: Date(), audit: globex.recorder)
            }
        }
        let outcome = await mesh.engines["acme"]!.lead(try Self.spec("logistic-regression", "model-training", "{ rounds: 5 }"))
        guard case .completed = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        let rows = await globex.recorder.events.filter { $0.type == .dataAccessed }.map { event -> Int64 in
            if case .integer(let n) = event.details["rows"] { return n }
            return -1
        }
        #expect(rows.count >= 3)
        #expect(rows[0] == 100 && rows[1] == 100, "rounds before the withdrawal read everyone")
        #expect(rows.dropFirst(2).allSatisfy { $0 == 95 }, "every round after it leaves the 5 out: \(rows)")
    }

    /// A participant that drops out mid-training fails the study: nothing is released or
    /// stored anywhere, and every node's spend stays on record (its noised rounds left).
    @Test func aParticipantDroppingMidTrainingFailsTheStudyWithNothingReleased() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-learning")
        defer { temp.remove() }
        // Noise off: the seeded noise depends on the (random) study id, and on these few
        // customers a noised training count could end the study before the drop.
        let (mesh, nodes) = try await Self.cluster(temp: temp, randomness: .noiseless)
        mesh.beforeRequest = { peer, round in
            if peer == "initech", round == 1 { mesh.dead.insert("initech") }
        }
        let outcome = await mesh.engines["acme"]!.lead(try Self.spec("logistic-regression", "model-training", "{ rounds: 5 }"))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("initech"), "\(reason)")
        for name in Self.names {
            #expect(try nodes[name]!.store.studyResults().isEmpty, "\(name) stored no result")
            #expect(await nodes[name]!.recorder.count(.resultReleased) == 0)
            #expect(try nodes[name]!.store.budgetSpends(purpose: "model-training").count == 1, "\(name)'s spend stays recorded")
        }
    }

    /// A histogram study that names a published quantiles study scores RFM on every node
    /// against the cut points that study released (each node reads its own stored copy), so
    /// the released segment counts equal the central count with those cuts.
    @Test func rfmCutPointsFromAQuantilesStudyScoreEveryNodeAlike() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-learning")
        defer { temp.remove() }
        let (mesh, nodes) = try await Self.cluster(temp: temp)
        let acme = mesh.engines["acme"]!
        guard case .completed(let quantiles, _, _) = await acme.lead(try Self.spec("quantiles", "segmentation", "{}", epsilon: 2)) else {
            Issue.record("the quantiles study failed")
            return
        }
        guard case .quantiles(let released)? = quantiles.learning?.model else {
            Issue.record("no quantiles released")
            return
        }
        let cuts = try released.rfmCutPoints()
        let histogram = try Study.Spec.load(yaml: """
            kind: histogram
            purpose: segmentation
            as_of: 2024-12-31
            dimensions: [rfm_segment]
            rfm_cut_points: { study: \(quantiles.study) }
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            participants: [globex, initech]
            deadline_seconds: 120
            """)
        guard case .completed(let result, _, _) = await acme.lead(histogram) else {
            Issue.record("the histogram study failed")
            return
        }
        var expected = [Double](repeating: 0, count: result.cells.count)
        var ownQuintiles = [Double](repeating: 0, count: result.cells.count)
        for name in Self.names {
            let (table, transactions) = try nodes[name]!.store.loadAnalyticsTables(
                purpose: .segmentation, consentAt: Date(), transactionsUpTo: NodeStudyServices.endOfDay(histogram.asOf))
            let asOf = Int32(histogram.asOf.daysSinceEpoch)
            let shared = try Analytics.Features.compute(customers: table, transactions: transactions, asOf: asOf,
                                                        options: .init(rfm: .cutPoints(cuts)))
            for segment in shared.segment { expected[Int(segment)] += 1 }
            let own = try Analytics.Features.compute(customers: table, transactions: transactions, asOf: asOf)
            for segment in own.segment { ownQuintiles[Int(segment)] += 1 }
        }
        #expect(result.cells.map { $0.count ?? -1 } == expected)
        #expect(expected != ownQuintiles, "the shared cuts change the segments (else the test proves nothing)")
    }

    /// A spec naming a study this node never stored is refused at contribution with the reason.
    @Test func rfmCutPointsOfAnUnknownStudyFailTheStudyWithTheReason() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-learning")
        defer { temp.remove() }
        let (mesh, _) = try await Self.cluster(temp: temp)
        let histogram = try Study.Spec.load(yaml: """
            kind: histogram
            purpose: segmentation
            as_of: 2024-12-31
            dimensions: [rfm_segment]
            rfm_cut_points: { study: never-ran }
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            participants: [globex, initech]
            deadline_seconds: 120
            """)
        guard case .failed(_, let reason) = await mesh.engines["acme"]!.lead(histogram) else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("never-ran"), "\(reason)")
    }
}
