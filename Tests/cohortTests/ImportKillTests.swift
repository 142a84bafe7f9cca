import ArgumentParser
import CohortAudit
import CohortNode
import CohortStore
import CohortScenario
import CohortTestSupport
import CohortProcess
import Foundation
import GRDB
import Testing
@testable import cohort

/// Issue 10 ("Trust defects"), items 5–8 through the CLI, and the kill-at-many-points import test
/// (item 6): `cohort data import consent` is SIGKILLed at several points of a 30,000-row import;
/// after each kill the node is opened (which reconciles) and the audit log must verify and agree
/// with the store.
@Suite("trust defects: import through the CLI", .serialized)
struct ImportKillTests {
    static let customers = 10_000

    /// A node with `customers` customers and a consent file of 3 rows per customer.
    struct Fixture {
        let root: String
        var node: String { root + "/node" }
        var consent: String { root + "/consent.csv" }

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-kill-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            _ = try await NodeHome.initialize(directory: root + "/node", name: "acme", consortium: "demo")
            var customers = "customer_id,signup_date\n"
            var consent = "customer_id,purpose,action,at,method,policy_version\n"
            for i in 0..<ImportKillTests.customers {
                customers += "k\(i),2024-01-01\n"
                consent += "k\(i),segmentation,grant,2024-02-01T10:00:00Z,web-form,v1\n"
                consent += "k\(i),benchmarking,grant,2024-02-02T10:00:00Z,web-form,v1\n"
                consent += "k\(i),segmentation,withdraw,2024-03-01T10:00:00Z,email,v1\n"
            }
            try Data(customers.utf8).write(to: URL(fileURLWithPath: root + "/customers.csv"))
            try Data(consent.utf8).write(to: URL(fileURLWithPath: root + "/consent.csv"))
            try await DataImportCommand.parse(["customers", root + "/customers.csv", "--node", root + "/node"]).run()
        }

        func cleanup() { try? FileManager.default.removeItem(atPath: root) }
    }

    /// What the log says about imports, after checking that it agrees with the store.
    struct Agreement {
        var importIDs: [Int64] = []
        var committed: Set<Int64> = []
        var rolledBack: Set<Int64> = []
        /// Consent entries in the log that belong to rolled-back imports.
        var rolledBackConsent = 0
    }

    static func integer(_ value: Audit.Value?) -> Int64? {
        if case .integer(let i)? = value { return i }
        return nil
    }

    /// Verifies the log and checks it against the store: every `data.imported` has exactly one
    /// outcome that matches the store, ids are unique, and the consent entries that are not
    /// marked rolled back are exactly the stored consent rows.
    static func checkAgreement(node: String, context: String) throws -> Agreement {
        let directory = NodeDirectory(node)
        let reader = try Audit.LogReader.open(path: directory.auditDatabasePath)
        let verdict = try reader.verify()
        guard case .intact = verdict else {
            Issue.record("\(context): the audit log does not verify: \(verdict)")
            return Agreement()
        }
        var result = Agreement()
        var logConsent: [String: Int] = [:]
        var consentByImport: [(key: String, importID: Int64?)] = []
        try reader.forEachEntry { _, bytes, _ in
            let entry = try Audit.Entry.parse(Array(bytes))
            switch entry.type {
            case .dataImported:
                if let id = integer(entry.details["import_id"]) { result.importIDs.append(id) }
            case .importCommitted:
                if let id = integer(entry.details["import_id"]) { result.committed.insert(id) }
            case .importRolledBack:
                if let id = integer(entry.details["import_id"]) { result.rolledBack.insert(id) }
            case .consentGranted, .consentWithdrawn:
                let at: String
                if case .string(let s)? = entry.details["at"] { at = s } else { at = "?" }
                let key = "\(entry.subject ?? "-")|\(entry.purpose)|\(entry.type == .consentGranted ? "grant" : "withdraw")|\(at)"
                consentByImport.append((key, integer(entry.details["import_id"])))
            default:
                break
            }
            return true
        }
        for (key, importID) in consentByImport {
            if let importID, result.rolledBack.contains(importID) {
                result.rolledBackConsent += 1
            } else {
                logConsent[key, default: 0] += 1
            }
        }

        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        let stored = Set(try store.imports().map(\.id))
        let storedRolledBack = Set(try store.rolledBackImports().map(\.id))
        let queue = try DatabaseQueue(path: directory.databasePath, configuration: {
            var c = Configuration(); c.readonly = true; return c
        }())
        defer { try? queue.close() }
        let storeConsent = try queue.read { db -> [String: Int] in
            var counts: [String: Int] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT lower(hex(c.pseudonym)), e.purpose, e.action, e.at FROM consent_events e JOIN customers c ON c.id = e.customer
                """)
            for row in rows {
                let at = CivilTime.iso8601(unixSeconds: row[3])
                counts["\(row[0] as String)|\(row[1] as String)|\(row[2] as String)|\(at)", default: 0] += 1
            }
            return counts
        }

        #expect(Set(result.importIDs).count == result.importIDs.count, "\(context): an import id was reused: \(result.importIDs)")
        for id in result.importIDs {
            let outcomes = (result.committed.contains(id) ? 1 : 0) + (result.rolledBack.contains(id) ? 1 : 0)
            #expect(outcomes == 1, "\(context): import \(id) has \(outcomes) outcomes in the log")
        }
        #expect(result.committed.isSubset(of: stored), "\(context): committed in the log but not stored: \(result.committed.subtracting(stored))")
        #expect(result.rolledBack.isDisjoint(with: stored), "\(context): rolled back in the log but stored: \(result.rolledBack.intersection(stored))")
        #expect(result.rolledBack.isSubset(of: storedRolledBack), "\(context): rolled-back ids not kept in the store")
        #expect(logConsent == storeConsent,
                "\(context): log consent entries (\(logConsent.values.reduce(0, +)) in force) disagree with the store (\(storeConsent.values.reduce(0, +)) rows)")
        let pending = (try? FileManager.default.contentsOfDirectory(atPath: directory.pendingImportsPath)) ?? []
        #expect(pending.isEmpty, "\(context): pending markers left after reconciliation: \(pending)")
        return result
    }

    /// Opens the node the way every CLI command does (store + log), which reconciles.
    static func open(_ node: String) async throws {
        try await NodeSession.run(directory: node) { _, _, _ in }
    }

    @Test("defect 6: SIGKILL at many points of a consent import; after each, the log verifies and agrees with the store, and the re-import gets a fresh id")
    func defect6KilledConsentImportLeavesLogAgreeingWithStore() async throws {
        let exe = try BuiltProducts.cohortExecutable().path
        let f = try await Fixture()
        defer { f.cleanup() }
        let audit = NodeDirectory(f.node).auditDatabasePath
        // Kill points: entries the child has appended beyond the log's size before it started
        // (nil: a fixed early delay, before anything is logged). data.imported is 1 entry; the
        // 30,000 consent entries follow in batches of 10,000.
        let points: [Int?] = [nil, 1, 5_000, 10_001, 20_001, 30_001]
        var kills = 0
        var everCommitted = false
        for (round, point) in points.enumerated() {
            let base = try Audit.LogReader.open(path: audit).size()
            let out = f.root + "/round-\(round).txt"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: exe)
            child.arguments = ["data", "import", "consent", f.consent, "--node", f.node, "--force"]
            child.standardOutput = FileHandle(forWritingAtPath: out)
            child.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try await ProcessLauncher.launch(child)
            if let point {
                let reader = try Audit.LogReader.open(path: audit)
                for _ in 0..<6_000 where child.isRunning {  // at most ~6 s
                    if let size = try? reader.size(), size >= base + UInt64(point) { break }
                    try await Task.sleep(for: .milliseconds(1))
                }
            } else {
                try await Task.sleep(for: .milliseconds(15))
            }
            if child.isRunning {
                kill(child.processIdentifier, SIGKILL)
                kills += 1
            }
            _ = await ChildProcess.waitForExit(child)
            let killed = child.terminationReason == .uncaughtSignal
            if !killed {
                #expect(child.terminationStatus == 0, "round \(round): the import failed on its own")
            }
            try await Self.open(f.node)
            let state = try Self.checkAgreement(node: f.node, context: "round \(round) (kill point \(point.map(String.init) ?? "early"), \(killed ? "killed" : "finished"))")
            if let last = state.importIDs.last, state.committed.contains(last) { everCommitted = true }
            print("ImportKillTests round \(round): kill point \(point.map(String.init) ?? "early"), \(killed ? "killed" : "finished"), imports \(state.importIDs), committed \(state.committed.sorted()), rolled back \(state.rolledBack.sorted()), rolled-back consent entries \(state.rolledBackConsent)")
        }
        #expect(kills >= 3, "the child finished before most kill points (\(kills) kills)")
        // At least one kill landed after consent entries were logged and before the commit:
        // the case where the log used to claim consent the store never held.
        let final = try Self.checkAgreement(node: f.node, context: "after the kills")
        #expect(final.rolledBackConsent > 0, "no kill landed between the consent entries and the commit")

        // The re-import completes with an id never seen before.
        let before = try Self.checkAgreement(node: f.node, context: "before the re-import")
        let seen = Set(before.importIDs).union(before.rolledBack).union(before.committed)
        let out = f.root + "/final.txt"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = ["data", "import", "consent", f.consent, "--node", f.node] + (everCommitted ? ["--force"] : [])
        child.standardOutput = FileHandle(forWritingAtPath: out)
        try await ProcessLauncher.launch(child)
        _ = await ChildProcess.waitForExit(child)
        #expect(child.terminationStatus == 0)
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let id = text.range(of: "import #").flatMap { r in Int64(text[r.upperBound...].prefix { $0.isNumber }) }
        let fresh = try #require(id, "no import id in: \(text)")
        #expect(!seen.contains(fresh), "import id \(fresh) was used before: \(seen.sorted())")
        let after = try Self.checkAgreement(node: f.node, context: "after the re-import")
        #expect(after.committed.contains(fresh))
    }

    @Test("defect 5: `data import --rejects <node>/node.sqlite` is refused and the next command still sees every customer")
    func defect5RejectsIntoNodeSqliteThroughCLI() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let bad = f.root + "/bad.csv"
        try Data("customer_id,ts,amount_minor,currency,channel,category\nk1,2024-01-01,5,EUR,web,x\nghost,2024-01-01,5,EUR,web,x\n".utf8)
            .write(to: URL(fileURLWithPath: bad))
        for target in [NodeDirectory(f.node).databasePath, bad] {
            await #expect {
                try await DataImportCommand.parse(["transactions", bad, "--node", f.node, "--skip-invalid", "--rejects", target, "--force"]).run()
            } throws: { error in
                (error as? StoreError)?.code == .invalidArgument
            }
        }
        let counts = try await NodeSession.run(directory: f.node) { store, _, _ in try store.counts() }
        #expect(counts == (Self.customers, 0, 0))
    }

    @Test("defect 7: `data import` of the same file twice is refused with the earlier import's time and counts; --force imports it")
    func defect7SameFileTwiceThroughCLI() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let tx = f.root + "/tx.csv"
        try Data("customer_id,ts,amount_minor,currency,channel,category\nk1,2024-01-01,5,EUR,web,x\nk2,2024-01-02,7,EUR,web,x\n".utf8)
            .write(to: URL(fileURLWithPath: tx))
        try await DataImportCommand.parse(["transactions", tx, "--node", f.node]).run()
        await #expect {
            try await DataImportCommand.parse(["transactions", tx, "--node", f.node]).run()
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .alreadyImported && error.description.contains("2 rows accepted")
                && error.description.contains("--force")
        }
        var counts = try await NodeSession.run(directory: f.node) { store, _, _ in try store.counts() }
        #expect(counts.transactions == 2)
        try await DataImportCommand.parse(["transactions", tx, "--node", f.node, "--force"]).run()
        counts = try await NodeSession.run(directory: f.node) { store, _, _ in try store.counts() }
        #expect(counts.transactions == 4)
    }

    @Test("defect 8: `node init` into an existing empty 0755 directory leaves it 0700 and node.sqlite/audit.sqlite 0600")
    func defect8NodeInitModesThroughCLI() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-mode-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        _ = chmod(root, 0o755)
        try await NodeInitCommand.parse([root, "--name", "acme"]).run()
        func mode(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int).map { $0 & 0o7777 }
        }
        let directory = NodeDirectory(root)
        #expect(mode(root) == 0o700)
        for file in directory.databaseFiles where FileManager.default.fileExists(atPath: file) {
            #expect(mode(file) == 0o600, "\(file)")
        }
    }

    @Test("defect 10: an amount beyond ±10^12 is refused by `data import` with file:line:column")
    func defect10AmountBoundThroughCLI() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let tx = f.root + "/big.csv"
        try Data("customer_id,ts,amount_minor,currency,channel,category\nk1,2024-01-01,\(Int64.max),EUR,web,x\n".utf8).write(to: URL(fileURLWithPath: tx))
        await #expect {
            try await DataImportCommand.parse(["transactions", tx, "--node", f.node]).run()
        } throws: { error in
            "\(error)".hasPrefix(tx + ":2:3: column 'amount_minor'") && "\(error)".contains("outside the accepted range")
        }
    }
}
