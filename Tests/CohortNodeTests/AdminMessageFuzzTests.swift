import CohortAudit
import CohortNode
import CohortStore
import CohortTestSupport
import CohortWire
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Fuzzes the admin-socket decoders and handlers: random and mutated `RecordConsent`,
/// `DecideStudy`, `ProposeStudy` and `EraseCustomer` requests, decoded with SwiftProtobuf and
/// served by a real ``AdminService`` over a temporary store. Each call answers or throws an
/// `RPCError`; a consent change is stored only with a time inside the supported range.
@Suite struct AdminMessageFuzzTests {
    /// An in-memory audit log for the service.
    actor MemoryAudit: AuditRecording {
        private(set) var events: [Audit.Event] = []

        func record(_ event: Audit.Event) async throws -> UInt64 {
            events.append(event)
            return UInt64(events.count - 1)
        }

        func record(contentsOf batch: [Audit.Event]) async throws -> ClosedRange<UInt64>? {
            guard !batch.isEmpty else { return nil }
            let first = UInt64(events.count)
            events.append(contentsOf: batch)
            return first...UInt64(events.count - 1)
        }
    }

    /// A node store with four customers, an admin service over the `acme` engine of an
    /// in-memory study cluster, and the directory to remove.
    struct Harness {
        let directory: TemporaryDirectory
        let store: NodeStore
        let audit = MemoryAudit()
        let service: AdminService

        init() async throws {
            directory = try TemporaryDirectory(prefix: "cohort-admin-fuzz")
            let path = directory.appending("node").path
            _ = try await NodeHome.initialize(directory: path, name: "acme", consortium: "demo")
            store = try NodeStore.open(directory: path)
            let csv = directory.appending("customers.csv")
            try Data("""
                customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date
                c1,2023-01-05,1980,f,north,web,9,5,0,
                c2,2023-02-10,,m,south,store,3,2,1,2024-01-10
                c3,2023-03-15,1990,,,,,,,
                c4,2023-04-20,1975,f,east,app,7,4,0,

                """.utf8).write(to: csv)
            _ = try await store.importCSV(.customers, from: csv.path, audit: audit)
            let (mesh, _) = try StudyEngineTests.cluster()
            service = AdminService(engine: mesh.engines["acme"]!, store: store, audit: audit) { _ in
                throw RPCError(code: .unavailable, message: "no status in the fuzz harness")
            }
        }

        func close() {
            try? store.close()
            directory.remove()
        }
    }

    static func context(_ descriptor: MethodDescriptor) -> ServerContext {
        ServerContext(descriptor: descriptor, remotePeer: "unix:fuzz", localPeer: "unix:admin", cancellation: .init())
    }

    static func consentRequest(at: Int64, customer: String = "c1", purpose: String = "segmentation", action: String = "grant") -> Cohort_Admin_V1_RecordConsentRequest {
        var request = Cohort_Admin_V1_RecordConsentRequest()
        request.customerID = customer
        request.purpose = purpose
        request.action = action
        request.at = at
        request.method = "web-form"
        request.policyVersion = "v1"
        request.actor = "fuzz"
        return request
    }

    static func wire(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        try message.serializedBytes()
    }

    static let words: [[UInt8]] = ["c1", "c2", "nobody", "segmentation", "benchmarking", "model-training", "grant", "withdraw",
                                   "GRANT", "", "\u{0}", "s-1"].map { Array($0.utf8) }

    @Test("random and mutated admin requests are answered or refused with RPCError, never trap")
    func adminRequestsNeverTrap() async throws {
        let harness = try await Harness()
        defer { harness.close() }
        let service = harness.service
        let consentSeed = try Self.wire(Self.consentRequest(at: 1_709_296_496))
        var decide = Cohort_Admin_V1_DecideStudyRequest()
        decide.studyID = "s-1"
        decide.approve = true
        decide.reason = "ok"
        let decideSeed = try Self.wire(decide)
        var erase = Cohort_Admin_V1_EraseCustomerRequest()
        erase.customerID = "c4"
        erase.actor = "fuzz"
        let eraseSeed = try Self.wire(erase)
        let specs = [StudyEngineTests.spec, StudyFixtures.histogramYAML, StudyFixtures.meanYAML]
        var stored = 0, refused = 0
        let campaign = FuzzCampaign("admin requests", seed: 0xAD41_0001, iterations: 800)
        try await campaign.run { c in
            do {
                switch c.random.int(in: 0...10) {
                case 0...4:
                    var bytes = FuzzProtobuf.mutate(consentSeed, using: &c.random, fields: Array(1...7), payloads: Self.words)
                    if c.random.oneIn(2) { bytes += FuzzProtobuf.varintField(4, c.random.edgeUInt64()) }
                    c.input(bytes)
                    let request = try Cohort_Admin_V1_RecordConsentRequest(serializedBytes: bytes)
                    let response = try await service.recordConsent(
                        request: request, context: Self.context(Cohort_Admin_V1_AdminService.Method.RecordConsent.descriptor))
                    try c.require(CivilTime.supportedSeconds.contains(request.at), "stored consent at \(request.at) unix seconds")
                    try c.require(!response.eventJson.isEmpty, "empty event JSON")
                    stored += 1
                case 5...6:
                    let bytes = FuzzProtobuf.mutate(decideSeed, using: &c.random, fields: [1, 2, 3], payloads: Self.words)
                    c.input(bytes)
                    _ = try await service.decideStudy(
                        request: try Cohort_Admin_V1_DecideStudyRequest(serializedBytes: bytes),
                        context: Self.context(Cohort_Admin_V1_AdminService.Method.DecideStudy.descriptor))
                case 7:
                    let bytes = FuzzProtobuf.mutate(eraseSeed, using: &c.random, fields: [1, 2], payloads: Self.words)
                    c.input(bytes)
                    _ = try await service.eraseCustomer(
                        request: try Cohort_Admin_V1_EraseCustomerRequest(serializedBytes: bytes),
                        context: Self.context(Cohort_Admin_V1_AdminService.Method.EraseCustomer.descriptor))
                case 8:
                    let bytes = FuzzProtobuf.randomMessage(using: &c.random, fields: [1, 2])
                    c.input(bytes)
                    if c.random.oneIn(2) {
                        _ = try await service.listStudies(
                            request: try Cohort_Admin_V1_ListStudiesRequest(serializedBytes: bytes),
                            context: Self.context(Cohort_Admin_V1_AdminService.Method.ListStudies.descriptor))
                    } else {
                        _ = try await service.status(
                            request: try Cohort_Admin_V1_StatusRequest(serializedBytes: bytes),
                            context: Self.context(Cohort_Admin_V1_AdminService.Method.Status.descriptor))
                    }
                default:
                    var request = Cohort_Admin_V1_AdminProposeRequest()
                    request.spec = Data(FuzzMutation.mutate(
                        text: c.random.element(of: specs), using: &c.random, dictionary: StudyFixtures.specFuzzDictionary))
                    c.input(Array(request.spec))
                    _ = try await service.proposeStudy(
                        request: request, context: Self.context(Cohort_Admin_V1_AdminService.Method.ProposeStudy.descriptor))
                }
            } catch is BinaryDecodingError {
            } catch is RPCError {
                refused += 1
            }
        }
        // Both paths are reached: consent changes stored and requests refused.
        #expect(!campaign.coversAllCases || (stored > 0 && refused > 0), "stored \(stored), refused \(refused)")
    }

    /// Regression corpus: `RecordConsent` with `at = Int64.max` trapped in `CivilTime` and took
    /// the node down; the edges around it must be refused as invalid arguments.
    static let outOfRangeTimes: [Int64] = [
        Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, 1 << 62, -(1 << 62), 253_402_300_800, -62_135_596_801,
    ]

    @Test("RecordConsent with `at` outside 0001–9999 is refused as an invalid argument", arguments: outOfRangeTimes)
    func recordConsentEdgeTimeRefused(_ at: Int64) async throws {
        let harness = try await Harness()
        defer { harness.close() }
        let eventsBefore = await harness.audit.events.count
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.service.recordConsent(
                request: Self.consentRequest(at: at),
                context: Self.context(Cohort_Admin_V1_AdminService.Method.RecordConsent.descriptor))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("RecordConsent.at") == true)
        #expect(await harness.audit.events.count == eventsBefore)
        #expect(try harness.store.consentHistory(customerID: "c1").isEmpty)
    }

    @Test("RecordConsent at the ends of the supported range is stored", arguments: [
        CivilTime.supportedSeconds.lowerBound, CivilTime.supportedSeconds.upperBound, 0,
    ])
    func recordConsentRangeEndsStored(_ at: Int64) async throws {
        let harness = try await Harness()
        defer { harness.close() }
        let response = try await harness.service.recordConsent(
            request: Self.consentRequest(at: at),
            context: Self.context(Cohort_Admin_V1_AdminService.Method.RecordConsent.descriptor))
        let object = try JSONSerialization.jsonObject(with: response.eventJson) as? [String: Any]
        #expect((object?["at"] as? NSNumber)?.int64Value == at)
    }
}
