import CohortCore
import CohortPrivacy
import CohortStudy
import CohortAudit
import CohortStore
import CohortTestSupport
import Foundation
import Testing
@testable import CohortNode

/// The node's own side of a study against a real `node.sqlite` and audit log: what is read,
/// what is spent, in which order, and what leaves the node (issue 10, privacy defects 1–3).
@Suite struct NodeStudyServicesTests {
    /// Audit sink that keeps events in memory; every append suspends (an actor hop), as the
    /// real log's group commit does, so concurrent callers interleave.
    actor Recorder: AuditRecording {
        private(set) var events: [Audit.Event] = []
        private var failOn: Set<Audit.EventType> = []

        func failing(_ types: Set<Audit.EventType>) { failOn = types }

        func record(_ event: Audit.Event) async throws -> UInt64 {
            guard let range = try await record(contentsOf: [event]) else { return 0 }
            return range.lowerBound
        }

        func record(contentsOf events: [Audit.Event]) async throws -> ClosedRange<UInt64>? {
            struct Refused: Error {}
            if events.contains(where: { failOn.contains($0.type) }) { throw Refused() }
            guard !events.isEmpty else { return nil }
            let first = UInt64(self.events.count)
            self.events.append(contentsOf: events)
            return first...UInt64(self.events.count - 1)
        }

        func count(_ type: Audit.EventType) -> Int { events.filter { $0.type == type }.count }
    }

    static let customers = """
        customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date
        c1,2023-01-05,1980,f,north,web,9,5,0,
        c2,2023-02-10,1985,m,south,store,3,2,1,2024-10-10
        c3,2023-03-15,1990,f,north,web,8,4,0,
        c4,2023-04-20,1975,f,east,app,7,4,0,
        c5,2023-05-20,1995,m,east,app,10,5,0,

        """

    static let transactions = """
        customer_id,ts,amount_minor,currency,channel,category
        c1,2024-01-01T10:00:00Z,1250,EUR,web,grocery
        c2,2024-01-15,9999,EUR,web,electronics
        c3,2024-03-01T00:00:00Z,500,EUR,app,books
        c4,2024-05-01T00:00:00Z,700,EUR,web,grocery
        c5,2024-06-01T00:00:00Z,300,EUR,web,grocery

        """

    /// Everyone granted segmentation on 2024-01-01; c2 withdrew on 2025-06-01 — after the
    /// study's `as_of` (2024-12-31), before the study runs.
    static let consent = """
        customer_id,purpose,action,at,method,policy_version
        c1,segmentation,grant,2024-01-01T00:00:00Z,web,1
        c2,segmentation,grant,2024-01-01T00:00:00Z,web,1
        c3,segmentation,grant,2024-01-01T00:00:00Z,web,1
        c4,segmentation,grant,2024-01-01T00:00:00Z,web,1
        c5,segmentation,grant,2024-01-01T00:00:00Z,web,1
        c2,segmentation,withdraw,2025-06-01T00:00:00Z,web,1

        """

    static let specYAML = """
        kind: histogram
        purpose: segmentation
        as_of: 2024-12-31
        dimensions: [region]
        regions: [north, south, east]
        privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 1 }
        participants: [globex]
        deadline_seconds: 60
        """

    /// A node directory with the five customers imported; the caller removes `temp`.
    struct Fixture {
        let temp: TemporaryDirectory
        let store: NodeStore
        let log: Audit.Log

        static func make(name: String = "acme") async throws -> Fixture {
            let temp = try TemporaryDirectory(prefix: "cohort-services")
            let dir = temp.appending("node").path
            _ = try await NodeHome.initialize(directory: dir, name: name, consortium: "demo")
            let store = try NodeStore.open(directory: dir)
            let log = try await Audit.Log.open(nodeDirectory: dir, node: name)
            for (kind, text) in [(ImportKind.customers, customers), (.transactions, transactions), (.consent, consent)] {
                let file = temp.appending("\(kind.rawValue).csv")
                try Data(text.utf8).write(to: file)
                _ = try await store.importCSV(kind, from: file.path, audit: log)
            }
            return Fixture(temp: temp, store: store, log: log)
        }

        func close() async {
            await log.close()
            try? store.close()
            temp.remove()
        }
    }

    static func config(name: String = "acme", epsilonPerPeriod: Double = 10) -> NodeConfig {
        NodeConfig(
            node: .init(name: name, consortium: "demo", mode: .simulation),
            privacy: .init(delta: 1e-6, minCustomers: 1, purposes: [
                "segmentation": .init(epsilonPerPeriod: epsilonPerPeriod, periodDays: 365, epsilonPerStudy: 1),
            ]))
    }

    static func spec(id: String) throws -> Study.Spec {
        try Study.Spec.load(yaml: specYAML).withID(id)
    }

    // MARK: Defect 2 — consent is decided when the study runs, not at its as_of date

    @Test func withdrawalBindsAStudyWhoseAsOfIsEarlierThanTheWithdrawal() async throws {
        let fixture = try await Fixture.make()
        let recorder = Recorder()
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: recorder, randomness: .seeded(7))
        let spec = try Self.spec(id: "past-dated")

        let inputs = try await services.policyInputs(for: spec)
        #expect(inputs.consentingCustomers == 4, "c2 withdrew before the study ran")

        _ = try await services.contribute(
            spec: spec, plan: try Study.Calibration.plan(for: spec), study: "past-dated", round: 0, payload: .empty, charge: true)
        let access = try #require(await recorder.events.first { $0.type == .dataAccessed })
        #expect(access.details["rows"] == .integer(4), "the withdrawn customer must not be read")
        #expect(access.details["as_of"] == .string("2024-12-31"))
        await fixture.close()
    }

    @Test func subjectReportListsExactlyTheStudiesThatReadTheCustomer() async throws {
        let fixture = try await Fixture.make()
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: fixture.log, randomness: .seeded(7))
        let spec = try Self.spec(id: "past-dated")
        _ = try await services.contribute(
            spec: spec, plan: try Study.Calibration.plan(for: spec), study: "past-dated", round: 0, payload: .empty, charge: true)
        let dir = fixture.temp.appending("node").path
        let withdrawn = try #require(try fixture.store.pseudonym(customerID: "c2"))
        let consenting = try #require(try fixture.store.pseudonym(customerID: "c1"))
        await fixture.log.close()
        let reader = try Audit.LogReader.open(path: NodeDirectory(dir).auditDatabasePath)
        let studiesOf = { (pseudonym: String) throws -> [String] in
            try reader.subjectReport(pseudonym: pseudonym).items
                .filter { $0.entry.type == .dataAccessed }.map(\.entry.study)
        }
        #expect(try studiesOf(consenting) == ["past-dated"])
        #expect(try studiesOf(withdrawn) == [], "c2 was not read, and the report says so")
        try? fixture.store.close()
        fixture.temp.remove()
    }

    // MARK: Defect 3 — the spend is reserved before any row is read

    @Test func concurrentRequestsReadDataOnlyForSpendsTheLedgerGranted() async throws {
        let fixture = try await Fixture.make()
        let recorder = Recorder()
        // ε = 1 studies under a period cap of 2 (zCDP composition): a few fit, most are refused.
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(epsilonPerPeriod: 2), audit: recorder, randomness: .seeded(7))
        let requests = 20
        let granted = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<requests {
                group.addTask {
                    guard let spec = try? Self.spec(id: "s\(i)"), let plan = try? Study.Calibration.plan(for: spec) else {
                        return false
                    }
                    return (try? await services.contribute(spec: spec, plan: plan, study: "s\(i)", round: 0, payload: .empty, charge: true)) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let spends = try fixture.store.budgetSpends(purpose: "segmentation").count
        #expect(granted > 0 && granted < requests, "the cap must grant some and refuse others")
        #expect(spends == granted)
        #expect(await recorder.count(.budgetSpent) == granted)
        #expect(await recorder.count(.dataAccessed) == granted, "a refused request reads nothing")
        // Every read comes after its own reservation.
        let events = await recorder.events
        for (index, event) in events.enumerated() where event.type == .dataAccessed {
            #expect(events[..<index].contains { $0.type == .budgetSpent && $0.study == event.study })
        }
        await fixture.close()
    }

    @Test func aSpendThatCannotBeAuditedReadsNothingAndIsGivenBack() async throws {
        let fixture = try await Fixture.make()
        let recorder = Recorder()
        await recorder.failing([.budgetSpent])
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: recorder, randomness: .seeded(7))
        let spec = try Self.spec(id: "unaudited")
        await #expect(throws: NodeError.self) {
            try await services.contribute(
                spec: spec, plan: try Study.Calibration.plan(for: spec), study: "unaudited", round: 0, payload: .empty, charge: true)
        }
        #expect(try fixture.store.budgetSpends(purpose: "segmentation").isEmpty)
        #expect(await recorder.count(.dataAccessed) == 0)
        await fixture.close()
    }

    @Test func aContributionThatFailsAfterItsReservationIsRefundedOnRecord() async throws {
        let fixture = try await Fixture.make()
        let recorder = Recorder()
        await recorder.failing([.dataAccessed])
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: recorder, randomness: .seeded(7))
        let spec = try Self.spec(id: "refunded")
        await #expect(throws: (any Error).self) {
            try await services.contribute(
                spec: spec, plan: try Study.Calibration.plan(for: spec), study: "refunded", round: 0, payload: .empty, charge: true)
        }
        #expect(try fixture.store.budgetSpends(purpose: "segmentation").isEmpty, "nothing left the node")
        let types = await recorder.events.map(\.type)
        #expect(types == [.budgetSpent, .budgetRefunded])
        await fixture.close()
    }

    /// Issue 11: every audited step refuses to happen when its append fails — a release is not
    /// stored, and a study's participant state is still written and read back from node.sqlite.
    @Test func aReleaseTheAuditLogRefusesIsNotStored() async throws {
        let fixture = try await Fixture.make()
        let recorder = Recorder()
        await recorder.failing([.resultReleased])
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: recorder, randomness: .seeded(7))
        let spec = try Self.spec(id: "unreleased")
        let result = Study.Result(
            study: "unreleased", lead: "acme", spec: spec, cells: [], participants: [], noiseVariance: 0,
            simulatedNoise: true, releasedCustomers: 0, releasedCustomersStandardError: 0,
            startedAt: Date(), completedAt: Date())
        await #expect(throws: (any Error).self) {
            try await services.storeResult(result, json: Data("{}".utf8), digest: Data(repeating: 1, count: 32), role: .lead)
        }
        #expect(try fixture.store.studyResult(study: "unreleased") == nil)
        await fixture.close()
    }

    @Test func participantStudyStatesSurviveReopeningNodeSQLite() async throws {
        let fixture = try await Fixture.make()
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: Recorder(), randomness: .seeded(7))
        var machine = Study.ParticipantMachine(node: "acme")
        let spec = try Study.Spec.load(yaml: Self.specYAML.replacingOccurrences(of: "[globex]", with: "[acme]")).withID("kept")
        var written: [String: Study.ParticipantMachine.Entry] = [:]
        let directives = machine.onProposal(spec, from: "lead", now: Date(timeIntervalSince1970: 1_800_000_000))
            + machine.onPolicyDecision(study: "kept", .accept)
        for case .persist(let id, let entry) in directives {
            try await services.persistParticipantStudy(id, entry: entry)
            written[id] = entry
        }
        // A second, independent connection to the same node.sqlite reads what was committed.
        let directory = fixture.temp.appending("node").path
        let reopened = try NodeStore.open(directory: directory)
        let again = try NodeStudyServices(store: reopened, config: Self.config(), audit: Recorder(), randomness: .seeded(7))
        let read = try await again.participantStudies()
        #expect(read == written && read["kept"]?.state == .accepted)
        try await again.persistParticipantStudy("kept", entry: nil)
        #expect(try await again.participantStudies().isEmpty)
        try reopened.close()
        await fixture.close()
    }

    @Test func aSavedStateThisVersionCannotReadFailsItsStudyOnTheRecordInsteadOfStoppingTheNode() async throws {
        let fixture = try await Fixture.make()
        try fixture.store.saveParticipantStudy("old-format", state: Data("{\"state\":\"from an older version\"}".utf8))
        let recorder = Recorder()
        let services = try NodeStudyServices(store: fixture.store, config: Self.config(), audit: recorder, randomness: .seeded(7))
        #expect(try await services.participantStudies().isEmpty)
        #expect(await recorder.count(.studyEnded) == 1)
        #expect(try fixture.store.participantStudies().isEmpty)

        // If the failure cannot be put on record, the state stays and the caller gets the error.
        try fixture.store.saveParticipantStudy("old-format", state: Data("not json".utf8))
        await recorder.failing([.studyEnded])
        await #expect(throws: (any Error).self) { _ = try await services.participantStudies() }
        #expect(try fixture.store.participantStudies().keys.sorted() == ["old-format"])
        await fixture.close()
    }

    // MARK: Defect 1 — no exact count leaves the node

    @Test func theContributionOnTheWireCarriesOnlyTheNoisedVectorAndItsCost() async throws {
        let fixture = try await Fixture.make()
        let services = try NodeStudyServices(
            store: fixture.store, config: Self.config(), audit: Recorder(), randomness: .seeded(7))
        let spec = try Self.spec(id: "wire")
        let message = try await services.contribute(
            spec: spec, plan: try Study.Calibration.plan(for: spec), study: "wire", round: 0, payload: .empty, charge: true)
        let json = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        #expect(!json.contains("rows"), "the message must not carry a customer count: \(json)")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]).keys
        #expect(Set(keys) == ["study", "round", "values", "cost", "simulated"])
        await fixture.close()
    }

    /// One cost from the ledger to the wire: the `cost_json` a contribution carries is byte for
    /// byte the cost JSON the ledger stored for the charge, whether the noise is the system's or
    /// seeded (the same exact sampler); decoded as the lead does, it is the ledger's cost, and
    /// its ε at the spec's δ is the ledger's ε column (policy δ = spec δ here) and within the
    /// spec's ε.
    @Test(arguments: [NodeStudyServices.RandomnessChoice.system, .seeded(11)])
    func theContributionsCostJSONIsTheLedgersCostByteForByte(_ randomness: NodeStudyServices.RandomnessChoice) async throws {
        let fixture = try await Fixture.make()
        let services = try NodeStudyServices(store: fixture.store, config: Self.config(), audit: Recorder(), randomness: randomness)
        let spec = try Self.spec(id: "ledger-to-wire")
        let message = try await services.contribute(
            spec: spec, plan: try Study.Calibration.plan(for: spec), study: "ledger-to-wire", round: 0, payload: .empty, charge: true)
        let spends = try fixture.store.budgetSpends(purpose: "segmentation")
        #expect(spends.count == 1)
        let spend = try #require(spends.first)
        let wire = try message.costJSON()
        #expect(String(decoding: wire, as: UTF8.self) == spend.costJSON)
        let decoded = try Study.ContributionMessage.decodeCost(json: wire)
        #expect(decoded == message.cost)
        #expect(try decoded.jsonString() == spend.costJSON)
        let epsilon = try decoded.epsilon(delta: spec.privacy.delta)
        #expect(epsilon == spend.epsilon && epsilon <= spec.privacy.epsilon * (1 + 1e-12))
        #expect(decoded.parameters["sigma_squared"] != nil && decoded.parameters["coordinates"] == String(spec.coordinateCount))
        if case .seeded = randomness { #expect(message.simulated) } else { #expect(!message.simulated) }
        await fixture.close()
    }
}
