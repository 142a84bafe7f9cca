import CohortAudit
import Foundation
import GRDB
import Testing
@testable import CohortStore

/// Audit sink that forwards to another one and fails from the `failAt`-th event on (0-based),
/// or on every event of `failType` — to stop an import at a chosen point.
actor FailingAudit: AuditRecording {
    private(set) var events: [Audit.Event] = []
    private let failAt: Int?
    private let failType: Audit.EventType?
    private let forward: (any AuditRecording)?

    init(failAt: Int? = nil, failType: Audit.EventType? = nil, forward: (any AuditRecording)? = nil) {
        self.failAt = failAt
        self.failType = failType
        self.forward = forward
    }

    func record(_ event: Audit.Event) async throws -> UInt64 {
        guard let range = try await record(contentsOf: [event]) else { return 0 }
        return range.lowerBound
    }

    func record(contentsOf batch: [Audit.Event]) async throws -> ClosedRange<UInt64>? {
        struct Refused: Error, CustomStringConvertible { var description: String { "injected audit failure" } }
        if let failAt, events.count + batch.count > failAt { throw Refused() }
        if let failType, batch.contains(where: { $0.type == failType }) { throw Refused() }
        guard !batch.isEmpty else { return nil }
        if let forward { _ = try await forward.record(contentsOf: batch) }
        let first = UInt64(events.count)
        events.append(contentsOf: batch)
        return first...UInt64(events.count - 1)
    }
}

/// Issue 10 ("Trust defects"), items 5–8 and the import half of 10: one test per defect.
@Suite("trust defects: import and node directory")
struct StoreTrustDefectTests {
    /// Details of a study's `data.accessed` entry, as the audit schema requires.
    static let accessed: [String: Audit.Value] = ["rows": .integer(1), "transactions": .integer(0), "as_of": .string("2026-01-01")]
    static let consentCSV = """
        customer_id,purpose,action,at,method,policy_version
        c1,segmentation,grant,2024-01-01T00:00:00Z,web-form,v1
        c2,benchmarking,grant,2024-01-02T00:00:00Z,web-form,v1
        c3,segmentation,grant,2024-01-03T00:00:00Z,web-form,v1

        """

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int).map { $0 & 0o7777 }
    }

    // MARK: 5. --rejects into the node directory / the input; a lost store

    /// Rejects destinations that must be refused, relative to the node directory ("N/…"), the
    /// temporary folder ("T/…"), or the input file ("input").
    static let refusedRejects: [(String, String)] = [
        ("node.sqlite", "N/node.sqlite"),
        ("audit.sqlite", "N/audit.sqlite"),
        ("a new file inside the node directory", "N/rejects.csv"),
        ("the signing key", "N/keys/audit-signing.key"),
        ("the input file", "input"),
        ("an existing file without --force", "T/old-rejects.csv"),
    ]

    @Test("defect 5: --rejects pointed at node.sqlite, the input, the node directory or an existing file is refused and nothing changes",
          arguments: 0..<refusedRejects.count)
    func defect5RejectsPathIsRefused(index: Int) async throws {
        let (name, target) = Self.refusedRejects[index]
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let input = try node.temp.write("tx.csv", "customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,100,EUR,web,x\nnobody,2024-01-01,1,EUR,web,x\n")
        let old = try node.temp.write("old-rejects.csv", "keep me\n")
        let rejects: String
        if target == "input" {
            rejects = input
        } else if target.hasPrefix("N/") {
            rejects = node.store.directory.path(String(target.dropFirst(2)))
        } else {
            rejects = node.temp.file(String(target.dropFirst(2)))
        }
        let protected = [node.store.directory.databasePath, node.store.directory.auditDatabasePath,
                         node.store.directory.path("keys/audit-signing.key"), input, old]
        let snapshot = try node.snapshot()  // checkpoints the WAL into node.sqlite first
        let before = protected.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) }
        do {
            _ = try await node.store.importCSV(
                .transactions, from: input, options: ImportOptions(skipInvalid: true, rejectsPath: rejects), audit: node.audit)
            Issue.record("\(name): import with --rejects \(rejects) succeeded")
        } catch let error as StoreError {
            #expect(error.code == .invalidArgument, "\(name): \(error)")
            #expect(error.description.contains("--rejects"), "\(name): \(error)")
        }
        #expect(protected.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) } == before, "\(name): a file changed")
        #expect(!FileManager.default.fileExists(atPath: node.store.directory.path("rejects.csv")))
        #expect(try node.snapshot() == snapshot, "\(name): the store changed")
        #expect(try node.store.counts() == (4, 0, 0))
    }

    @Test("defect 5: with --force an existing rejects file is replaced, never truncated in place, and written 0600")
    func defect5RejectsReplacedExclusively() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let input = try node.temp.write("tx.csv", "customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,100,EUR,web,x\nnobody,2024-01-01,1,EUR,web,x\n")
        let rejects = try node.temp.write("rejects.csv", "old\n")
        _ = chmod(rejects, 0o644)
        // A second name for the old file: truncating in place would empty it too.
        let link = node.temp.file("old-link.csv")
        try FileManager.default.linkItem(atPath: rejects, toPath: link)
        let report = try await node.store.importCSV(
            .transactions, from: input,
            options: ImportOptions(skipInvalid: true, rejectsPath: rejects, replaceRejects: true), audit: node.audit)
        #expect(report.rowsAccepted == 1 && report.rowsRejected == 1)
        #expect(try String(contentsOfFile: link, encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).contains("unknown customer 'nobody'"))
        #expect(Self.mode(rejects) == 0o600)
    }

    @Test("defect 5: a node whose node.sqlite is empty or missing while its audit log has entries refuses to open, and creating a store there is refused too",
          arguments: ["empty", "missing"])
    func defect5LostStoreRefusesToOpen(how: String) async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("node")
        let directory = try await TestNode.createDirectory(path)
        let store = try NodeStore.open(directory: path)
        let log = try await Audit.Log.open(nodeDirectory: path, node: "acme")
        _ = try await store.importCSV(.customers, from: try temp.write("c.csv", TestNode.customersCSV), audit: log)
        await log.close()
        try store.close()
        for file in [directory.databasePath + "-wal", directory.databasePath + "-shm"] {
            try? FileManager.default.removeItem(atPath: file)
        }
        if how == "empty" {
            #expect(truncate(directory.databasePath, 0) == 0)
        } else {
            try FileManager.default.removeItem(atPath: directory.databasePath)
        }
        #expect {
            _ = try NodeStore.open(directory: path)
        } throws: { error in
            let e = error as? StoreError
            return e?.code == .storeMissing && e?.description.contains("audit log") == true
        }
        #expect {
            _ = try NodeStore.create(in: directory)
        } throws: { error in
            (error as? StoreError)?.code == .storeMissing
        }
        // Nothing was recreated: the file is still empty or absent.
        let size = (try? FileManager.default.attributesOfItem(atPath: directory.databasePath)[.size] as? Int) ?? nil
        #expect(how == "empty" ? size == 0 : size == nil)
    }

    // MARK: 6. rolled-back imports: outcome entries, fresh ids, subject report

    @Test("defect 6: an import stopped after its consent entries records import.rolled_back, keeps the id and the re-import gets a fresh one")
    func defect6RolledBackImportIsAuditedAndIdNeverReused() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let consent = try node.temp.write("consent.csv", Self.consentCSV)
        let firstID = try #require(try node.store.imports().last?.id)
        // Only data.imported gets through: the consent batch fails, and so does the attempt to
        // record the rollback (the log is down), so the outcome is left to the next open.
        let failing = FailingAudit(failAt: 1)
        await #expect(throws: StoreError.self) {
            _ = try await node.store.importCSV(.consent, from: consent, audit: failing)
        }
        #expect(try node.store.counts() == (4, 0, 0))
        let events = await failing.events
        let imported = try #require(events.first)
        #expect(imported.type == .dataImported)
        let phantomID = try #require({ if case .integer(let i)? = imported.details["import_id"] { return i } else { return nil } }())
        #expect(phantomID > firstID)
        // The outcome could not be recorded through the failing log: the marker stays and the
        // next open settles it (here: the healthy log).
        let healthy = RecordingAudit()
        let settled = try await node.store.reconcileImports(audit: healthy, actor: "system")
        #expect(settled == [ImportSettlement(importID: phantomID, file: "consent.csv", outcome: .rolledBack)])
        let outcome = try #require(await healthy.events.first)
        #expect(outcome.type == .importRolledBack)
        #expect(outcome.details["import_id"] == .integer(phantomID))
        #expect(outcome.details["reconciled"] == .integer(1))
        #expect(try node.store.rolledBackImports().map(\.id) == [phantomID])

        let report = try await node.store.importCSV(.consent, from: consent, audit: node.audit)
        #expect(report.importID != phantomID)
        #expect(report.importID > phantomID)
        let tail = await node.audit.events.suffix(5)
        #expect(tail.map(\.type) == [.dataImported, .consentGranted, .consentGranted, .consentGranted, .importCommitted])
        #expect(tail.allSatisfy { $0.details["import_id"] == .integer(report.importID) })
        #expect(try node.store.counts() == (4, 0, 3))
    }

    @Test("defect 6: when the audit log fails mid-import but recovers, import.rolled_back is written by the import itself")
    func defect6InProcessRollbackIsAudited() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let consent = try node.temp.write("consent.csv", Self.consentCSV)
        let failing = FailingAudit(failType: .consentGranted, forward: node.audit)
        await #expect(throws: StoreError.self) {
            _ = try await node.store.importCSV(.consent, from: consent, audit: failing)
        }
        let events = await node.audit.events.suffix(2)
        #expect(events.map(\.type) == [.dataImported, .importRolledBack])
        #expect(events.last?.details["reconciled"] == .integer(0))
        #expect(events.first?.details["import_id"] == events.last?.details["import_id"])
        #expect(try await node.store.reconcileImports(audit: node.audit, actor: "system").isEmpty)
        #expect(try node.store.counts() == (4, 0, 0))
    }

    @Test("defect 6: the subject report does not count consent entries of a rolled-back import")
    func defect6SubjectReportIgnoresRolledBackConsent() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let subject = "0123456789abcdef0123456789abcdef"
        let log = try await Audit.Log.open(
            databasePath: temp.file("audit.sqlite"), node: "acme",
            signer: try Audit.NoteSigner.generate(name: Audit.Checkpoint.origin(node: "acme")), checkpointInterval: 3600)
        _ = try await log.record(contentsOf: [
            .init(type: .dataImported, actor: "ops", details: ["import_id": .integer(7), "kind": .string("consent"), "file": .string("c.csv"), "sha256": .string(""), "accepted": .integer(1), "rejected": .integer(0)]),   // 0
            .init(type: .consentGranted, actor: "ops", subject: subject, purpose: "segmentation",
                  details: ["import_id": .integer(7), "source": .string("import"), "at": .string("2026-01-01T00:00:00Z")]),                                // 1 (rolled back)
            .init(type: .importRolledBack, actor: "system", details: ["import_id": .integer(7), "reason": .string("killed"), "reconciled": .integer(1)]), // 2
            .init(type: .dataAccessed, actor: "system", purpose: "segmentation", study: "s1", details: Self.accessed),                       // 3: did not use the data
            .init(type: .dataImported, actor: "ops", details: ["import_id": .integer(8), "kind": .string("consent"), "file": .string("c.csv"), "sha256": .string(""), "accepted": .integer(1), "rejected": .integer(0)]),   // 4
            .init(type: .consentGranted, actor: "ops", subject: subject, purpose: "benchmarking",
                  details: ["import_id": .integer(8), "source": .string("import"), "at": .string("2026-01-01T00:00:00Z")]),                                // 5
            .init(type: .importCommitted, actor: "ops", details: ["import_id": .integer(8), "reconciled": .integer(0)]), // 6
            .init(type: .dataAccessed, actor: "system", purpose: "benchmarking", study: "b1", details: Self.accessed),                       // 7: used it
        ])
        let report = try log.reader().subjectReport(pseudonym: subject)
        await log.close()
        #expect(report.items.map(\.index) == [1, 5, 7])
        #expect(report.items[0].relation.contains("rolled back"))
        #expect(report.items[1].relation == "subject")
        #expect(report.items[2].entry.study == "b1")
    }

    // MARK: 7. the same file twice

    @Test("defect 7: a file already imported (same SHA-256 and kind) is refused, naming the earlier import's time and counts; --force imports it again")
    func defect7SameFileImportedTwiceIsRefused() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let tx = try node.temp.write("tx.csv", TestNode.transactionsCSV)
        let first = try await node.store.importCSV(.transactions, from: tx, audit: node.audit)
        let snapshot = try node.snapshot()
        let copy = try node.temp.write("renamed.csv", TestNode.transactionsCSV)
        do {
            _ = try await node.store.importCSV(.transactions, from: copy, audit: node.audit)
            Issue.record("the same file was imported twice")
        } catch let error as StoreError {
            #expect(error.code == .alreadyImported)
            let when = CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(first.at))
            for part in ["import #\(first.importID)", "'tx.csv'", when, "5 rows accepted", "0 rejected", "--force"] {
                #expect(error.description.contains(part), "missing \(part): \(error)")
            }
        }
        #expect(try node.snapshot() == snapshot)
        #expect(try node.store.counts().transactions == 5)
        let forced = try await node.store.importCSV(.transactions, from: copy, options: ImportOptions(allowDuplicate: true), audit: node.audit)
        #expect(forced.duplicateOf == first.importID)
        #expect(try node.store.counts().transactions == 10)
    }

    @Test("defect 7: an import whose process stopped after the commit leaves a record that the re-run reports, and its outcome is reconciled")
    func defect7CommittedImportWithoutOutcomeIsReported() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let tx = try node.temp.write("tx.csv", TestNode.transactionsCSV)
        // The audit log stops working right after the commit (as if the CLI was killed there).
        let failing = FailingAudit(failType: .importCommitted, forward: node.audit)
        await #expect {
            _ = try await node.store.importCSV(.transactions, from: tx, audit: failing)
        } throws: { error in
            (error as? StoreError)?.code == .auditFailed && "\(error)".contains("was committed")
        }
        let record = try #require(try node.store.imports().last)
        #expect(record.kind == .transactions && record.rowsAccepted == 5)
        do {
            _ = try await node.store.importCSV(.transactions, from: tx, audit: node.audit)
            Issue.record("the re-run imported the file again")
        } catch let error as StoreError {
            #expect(error.code == .alreadyImported)
            #expect(error.description.contains("import #\(record.id)") && error.description.contains("5 rows accepted"))
        }
        let settled = try await node.store.reconcileImports(audit: node.audit, actor: "system")
        #expect(settled == [ImportSettlement(importID: record.id, file: "tx.csv", outcome: .committed)])
        #expect(await node.audit.events.last?.type == .importCommitted)
        #expect(try node.store.counts().transactions == 5)
    }

    // MARK: 8. modes

    @Test("defect 8: creating a node in an existing empty 0755 directory makes it 0700 and every SQLite file 0600")
    func defect8NodeInitTightensModes() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("node")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = chmod(path, 0o755)
        let directory = try await TestNode.createDirectory(path)
        #expect(Self.mode(path) == 0o700)
        #expect(Self.mode(directory.databasePath) == 0o600)
        #expect(Self.mode(directory.auditDatabasePath) == 0o600)
        // While open, SQLite's -wal/-shm files exist; they take the database's mode.
        let store = try NodeStore.open(directory: path)
        let log = try await Audit.Log.open(nodeDirectory: path, node: "acme")
        _ = try await store.importCSV(.customers, from: try temp.write("c.csv", TestNode.customersCSV), audit: log)
        let present = directory.databaseFiles.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(present.count >= 4)
        for file in present { #expect(Self.mode(file) == 0o600, "\(file)") }
        await log.close()
        try store.close()
    }

    @Test("defect 8: opening a node tightens a looser directory and SQLite files")
    func defect8OpenTightensLooserModes() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = temp.file("node")
        let directory = try await TestNode.createDirectory(path)
        _ = chmod(path, 0o755)
        _ = chmod(directory.databasePath, 0o644)
        _ = chmod(directory.auditDatabasePath, 0o666)
        let store = try NodeStore.open(directory: path)
        defer { try? store.close() }
        #expect(Self.mode(path) == 0o700)
        #expect(Self.mode(directory.databasePath) == 0o600)
        #expect(Self.mode(directory.auditDatabasePath) == 0o600)
    }

    // MARK: 10. amount bound

    static let amounts: [(String, Bool)] = [
        ("1000000000000", true), ("-1000000000000", true), ("1000000000001", false), ("-1000000000001", false),
        ("9223372036854775807", false), ("-9223372036854775807", false),
    ]

    @Test("defect 10: amount_minor is bounded to ±10^12 with a file:line:column error", arguments: 0..<amounts.count)
    func defect10AmountBound(index: Int) async throws {
        let (amount, accepted) = Self.amounts[index]
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let path = try node.temp.write("tx.csv", "customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,EUR,web,x\nc1,2024-01-02,\(amount),EUR,web,x\n")
        do {
            let report = try await node.store.importCSV(.transactions, from: path, audit: node.audit)
            #expect(accepted, "\(amount) was accepted")
            #expect(report.rowsAccepted == 2)
        } catch let error as StoreError {
            #expect(!accepted, "\(amount): \(error)")
            #expect(error.code == .invalidRow)
            #expect(error.description.hasPrefix(path + ":3:3: column 'amount_minor'"), "\(error)")
            #expect(error.description.contains("outside the accepted range"), "\(error)")
            #expect(try node.store.counts().transactions == 0)
        }
    }
}
