import CohortAudit
import CohortCore
import CohortLearning
import CohortStore
import CohortStudy
import CohortTestSupport
import Foundation
import Testing
@testable import CohortNode

/// `cohort study apply` and `data features --study` (issue 12, items 2 and 5) against real
/// released results: learning studies run between three engines (noise off), then a node's own
/// customers are scored locally — known answers, ordering, consent, refusals, audit order.
@Suite struct ModelApplicationTests {
    /// An error that ends a test with a message.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let asOf = "2024-12-31"

    /// Three nodes and the released result of one study of `kind` led by acme.
    static func released(
        _ temp: TemporaryDirectory, kind: String, purpose: String, learning: String
    ) async throws -> (nodes: [String: LearningStudyEngineTests.Node], result: Study.Result) {
        let (mesh, nodes) = try await LearningStudyEngineTests.cluster(temp: temp)
        let spec = try LearningStudyEngineTests.spec(kind, purpose, learning, epsilon: 2)
        let outcome = await mesh.engines["acme"]!.lead(spec)
        guard case .completed(let result, _, _) = outcome else { throw Failure(description: "study failed: \(outcome)") }
        return (nodes, result)
    }

    static func churnStudy(_ temp: TemporaryDirectory) async throws -> (nodes: [String: LearningStudyEngineTests.Node], result: Study.Result) {
        try await released(temp, kind: "logistic-regression", purpose: "model-training",
                           learning: "{ rounds: 4, features: [log_recency, log_frequency, log_monetary, region], regions: [north, south, east, west] }")
    }

    static func kmeansStudy(_ temp: TemporaryDirectory) async throws -> (nodes: [String: LearningStudyEngineTests.Node], result: Study.Result) {
        try await released(temp, kind: "kmeans", purpose: "segmentation",
                           learning: "{ k: 3, rounds: 5, features: [log_recency, log_frequency, log_monetary] }")
    }

    /// The `study apply` request for `study`.
    static func request(_ study: String, top: Int? = nil) -> LocalAnalysis.Request {
        LocalAnalysis.Request(command: .apply, asOf: asOf, actor: "alice", study: study, top: top)
    }

    /// Runs `request` as the CLI does offline and returns the CSV text.
    static func output(
        _ request: LocalAnalysis.Request, store: NodeStore, audit: any AuditRecording
    ) async throws -> String {
        let collected = Collected()
        try await LocalAnalysis.run(request, store: store, config: LearningStudyEngineTests.config(name: "acme"), audit: audit) {
            collected.append($0)
        }
        return collected.text
    }

    /// Output chunks gathered in order.
    final class Collected: @unchecked Sendable {
        private var data = Data()
        func append(_ chunk: Data) { data.append(chunk) }
        var text: String { String(decoding: data, as: UTF8.self) }
    }

    /// RFC 4180 fields of each line (quoted fields may hold commas and doubled quotes).
    static func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            var fields: [String] = [], field = "", quoted = false, previousQuote = false
            for ch in line {
                if quoted {
                    if ch == "\"" { quoted = false; previousQuote = true } else { field.append(ch) }
                } else if ch == "\"" {
                    if previousQuote { field.append("\"") }
                    quoted = true
                    previousQuote = false
                } else if ch == "," {
                    fields.append(field)
                    field = ""
                    previousQuote = false
                } else {
                    field.append(ch)
                    previousQuote = false
                }
            }
            fields.append(field)
            return fields
        }
    }

    static func customers(_ store: NodeStore, _ purpose: Purpose) throws -> Learning.Customers {
        try LearningStudyEngineTests.customers(store, purpose: purpose, asOf: CalendarDate(parsing: asOf, what: "as-of"))
    }

    // MARK: Known answers

    @Test func churnProbabilitiesEqualTheModelOnTheSameCustomersAndTheAccessIsAudited() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        guard case .logisticRegression(let released)? = result.learning?.model else { throw Failure(description: "no churn model") }
        let acme = nodes["acme"]!
        let recorder = NodeStudyServicesTests.Recorder()
        let rows = Self.rows(try await Self.output(Self.request(result.study), store: acme.store, audit: recorder))
        let customers = try Self.customers(acme.store, .modelTraining)
        let expected = released.model.probabilities(customers)
        #expect(rows.first == ["customer_id", "churn_probability"])
        #expect(rows.dropFirst().map { $0[0] } == customers.ids)
        #expect(rows.dropFirst().map { Double($0[1]) } == expected.map { Optional($0) }, "the CSV holds the model's exact probabilities")
        #expect(customers.count == 150)

        let events = await recorder.events
        #expect(events.count == 1)
        let access = try #require(events.first)
        #expect(access.type == .dataAccessed)
        #expect(access.actor == "alice")
        #expect(access.purpose == "model-training")
        #expect(access.study == result.study)
        #expect(access.details["command"] == .string("study apply"))
        #expect(access.details["scope"] == .string("local"))
        #expect(access.details["rows"] == .integer(150))
        #expect(access.details["as_of"] == .string(Self.asOf))
        guard case .integer(let transactions)? = access.details["transactions"] else { throw Failure(description: "no transactions count") }
        #expect(transactions > 0)
    }

    @Test func kmeansClustersEqualTheReleasedLabelsWithTheirSegmentNames() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.kmeansStudy(temp)
        guard case .kmeans(let released)? = result.learning?.model else { throw Failure(description: "no k-means model") }
        let acme = nodes["acme"]!
        let rows = Self.rows(try await Self.output(Self.request(result.study), store: acme.store, audit: NodeStudyServicesTests.Recorder()))
        let customers = try Self.customers(acme.store, .segmentation)
        let labels = released.labels(customers)
        #expect(rows.first == ["customer_id", "cluster", "cluster_name"])
        #expect(rows.dropFirst().map { $0[0] } == customers.ids)
        #expect(rows.dropFirst().map { $0[1] } == labels.map { String(released.clusters[$0].cluster) })
        #expect(rows.dropFirst().map { $0[2] } == labels.map { released.clusters[$0].name })
        #expect(Set(labels).count > 1, "the customers fall into more than one segment")
    }

    @Test func topNListsTheMostLikelyChurnersHighestFirst() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        guard case .logisticRegression(let released)? = result.learning?.model else { throw Failure(description: "no churn model") }
        let acme = nodes["acme"]!
        let rows = Self.rows(try await Self.output(Self.request(result.study, top: 10), store: acme.store, audit: NodeStudyServicesTests.Recorder()))
        let customers = try Self.customers(acme.store, .modelTraining)
        let p = released.model.probabilities(customers)
        let expected = customers.ids.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : customers.ids[$0] < customers.ids[$1] }.prefix(10)
        #expect(rows.count == 11)
        #expect(rows.dropFirst().map { $0[0] } == expected.map { customers.ids[$0] })
        let probabilities = rows.dropFirst().compactMap { Double($0[1]) }
        #expect(probabilities == probabilities.sorted(by: >))
        #expect(probabilities.first == p.max())
    }

    @Test func aCustomerWhoWithdrewIsNotScored() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        let acme = nodes["acme"]!
        _ = try await acme.store.recordConsent(
            customerID: "n0-c3", purpose: .modelTraining, action: .withdraw, at: Date(), audit: acme.recorder)
        let recorder = NodeStudyServicesTests.Recorder()
        let ids = Self.rows(try await Self.output(Self.request(result.study), store: acme.store, audit: recorder)).dropFirst().map { $0[0] }
        #expect(ids.count == 149)
        #expect(!ids.contains("n0-c3"))
        #expect(ids.contains("n0-c4"))
        #expect(await recorder.events.first?.details["rows"] == .integer(149))
    }

    @Test func featuresWithAStudyAddTheClusterColumnsForTheStudysConsentingCustomers() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.kmeansStudy(temp)
        guard case .kmeans(let released)? = result.learning?.model else { throw Failure(description: "no k-means model") }
        let acme = nodes["acme"]!
        let recorder = NodeStudyServicesTests.Recorder()
        let request = LocalAnalysis.Request(command: .features, asOf: Self.asOf, actor: "alice", study: result.study)
        let rows = Self.rows(try await Self.output(request, store: acme.store, audit: recorder))
        let header = try #require(rows.first)
        #expect(Array(header.suffix(2)) == ["cluster", "cluster_name"])
        let customers = try Self.customers(acme.store, .segmentation)
        let labels = released.labels(customers)
        #expect(rows.dropFirst().map { $0[0] } == customers.ids)
        #expect(rows.dropFirst().map { Array($0.suffix(2)) } == labels.map { [String(released.clusters[$0].cluster), released.clusters[$0].name] })
        let access = try #require(await recorder.events.first)
        #expect(access.study == result.study)
        #expect(access.purpose == "segmentation")
        #expect(access.details["command"] == .string("data features"))

        // A different --purpose is refused before anything is read.
        var mismatched = request
        mismatched.purpose = .modelTraining
        await #expect(throws: NodeError.self) { try await Self.output(mismatched, store: acme.store, audit: recorder) }
        #expect(await recorder.events.count == 1)
    }

    @Test func featuresWithAChurnStudyAddTheChurnProbability() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        guard case .logisticRegression(let released)? = result.learning?.model else { throw Failure(description: "no churn model") }
        let acme = nodes["acme"]!
        let request = LocalAnalysis.Request(command: .features, asOf: Self.asOf, actor: "alice", study: result.study)
        let rows = Self.rows(try await Self.output(request, store: acme.store, audit: NodeStudyServicesTests.Recorder()))
        #expect(rows.first?.last == "churn_probability")
        let customers = try Self.customers(acme.store, .modelTraining)
        #expect(rows.dropFirst().map { Double($0.last ?? "") } == released.model.probabilities(customers).map { Optional($0) })
    }

    // MARK: Refusals

    @Test func aHistogramStudyOrAnUnknownIdIsRefusedAndNothingIsRead() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (mesh, nodes) = try await LearningStudyEngineTests.cluster(temp: temp)
        let spec = try Study.Spec.load(yaml: """
            kind: histogram
            purpose: segmentation
            as_of: 2024-12-31
            dimensions: [region]
            regions: [north, south, east, west]
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 1 }
            participants: [globex, initech]
            deadline_seconds: 60
            """)
        guard case .completed(let result, _, _) = await mesh.engines["acme"]!.lead(spec) else {
            throw Failure(description: "histogram study failed")
        }
        let acme = nodes["acme"]!
        let recorder = NodeStudyServicesTests.Recorder()
        do {
            _ = try await Self.output(Self.request(result.study), store: acme.store, audit: recorder)
            Issue.record("a histogram study was applied")
        } catch let error as NodeError {
            #expect(error.code == .invalidMessage)
            #expect(error.message.contains("histogram"), "\(error)")
            #expect(error.message.contains("kmeans and logistic-regression"), "\(error)")
        }
        do {
            _ = try await Self.output(Self.request("no-such-study"), store: acme.store, audit: recorder)
            Issue.record("an unknown study was applied")
        } catch let error as NodeError {
            #expect(error.code == .unknownStudy, "\(error)")
        }
        #expect(await recorder.events.isEmpty, "nothing was read, nothing audited")
    }

    @Test func topWithAKMeansStudyIsRefused() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.kmeansStudy(temp)
        let recorder = NodeStudyServicesTests.Recorder()
        await #expect(throws: NodeError.self) {
            try await Self.output(Self.request(result.study, top: 5), store: nodes["acme"]!.store, audit: recorder)
        }
        #expect(await recorder.events.isEmpty)
    }

    @Test func aNodeWithoutConsentingCustomersIsRefused() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        // Five customers, none consenting to model-training; the churn study's result stored.
        let fixture = try await NodeStudyServicesTests.Fixture.make()
        try fixture.store.saveStudyResult(try #require(try nodes["acme"]!.store.studyResult(study: result.study)))
        let recorder = NodeStudyServicesTests.Recorder()
        do {
            _ = try await Self.output(Self.request(result.study), store: fixture.store, audit: recorder)
            Issue.record("a node without consenting customers produced scores")
        } catch let error as NodeError {
            #expect(error.message.contains("no customers consenting"), "\(error)")
        }
        #expect(await recorder.events.isEmpty)
        await fixture.close()
    }

    // MARK: The output file

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int).map { $0 & 0o777 }
    }

    @Test func anExistingFileOrOneInsideTheNodeDirectoryIsRefused() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let node = temp.appending("node").path
        try FileManager.default.createDirectory(atPath: node, withIntermediateDirectories: true)
        let existing = temp.appending("scores.csv").path
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: existing))
        #expect(throws: StoreError.self) { try ModelApplication.Output(path: existing, node: node, replaceExisting: false) }
        #expect(throws: StoreError.self) { try ModelApplication.Output(path: node + "/scores.csv", node: node, replaceExisting: true) }
        #expect(throws: StoreError.self) { try ModelApplication.Output(path: node + "/node.sqlite", node: node, replaceExisting: true) }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep\n")

        // --force replaces the file (a new one, 0600), never writes into the old one.
        let output = try ModelApplication.Output(path: existing, node: node, replaceExisting: true)
        try output.write(Data("customer_id,cluster\nc1,1\n".utf8))
        #expect(try output.finish() == 1)
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "customer_id,cluster\nc1,1\n")
        #expect(Self.mode(existing) == 0o600)
    }

    @Test func theAccessIsAuditedBeforeTheFileExistsAndTheFileIsPrivate() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        let acme = nodes["acme"]!
        let out = temp.appending("scores.csv").path
        let output = try ModelApplication.Output(path: out, node: acme.store.directory.root, replaceExisting: false)
        let recorder = NodeStudyServicesTests.Recorder()
        let seen = Collected()
        try await LocalAnalysis.run(Self.request(result.study), store: acme.store, config: LearningStudyEngineTests.config(name: "acme"), audit: recorder) { data in
            if seen.text.isEmpty {
                #expect(await recorder.count(.dataAccessed) == 1, "the access is on record before any output")
                #expect(!FileManager.default.fileExists(atPath: out), "the file does not exist before the audit")
            }
            seen.append(data)
            try output.write(data)
        }
        #expect(try output.finish() == 150)
        #expect(Self.mode(out) == 0o600)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == seen.text)
    }

    @Test func anAccessThatCannotBeAuditedWritesNoFile() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-apply")
        defer { temp.remove() }
        let (nodes, result) = try await Self.churnStudy(temp)
        let acme = nodes["acme"]!
        let out = temp.appending("scores.csv").path
        let output = try ModelApplication.Output(path: out, node: acme.store.directory.root, replaceExisting: false)
        let recorder = NodeStudyServicesTests.Recorder()
        await recorder.failing([.dataAccessed])
        do {
            try await LocalAnalysis.run(Self.request(result.study), store: acme.store, config: LearningStudyEngineTests.config(name: "acme"), audit: recorder) {
                try output.write($0)
            }
            Issue.record("the scores were produced without an audit entry")
        } catch {
            output.discard()
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(throws: StoreError.self) { try output.finish() }
    }
}
