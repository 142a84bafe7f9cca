import ArgumentParser
import CohortStore
import CohortScenario
import CohortTestSupport
import CohortProcess
import Foundation
import Testing
@testable import cohort

/// Issue 16 through the CLI: the README's worked examples (docs/mappings/*) with
/// `cohort data import … --map`, `--rates` and `--incremental`, and bad input giving a non-zero
/// exit with file:line:column.
@Suite("mapped import commands")
struct MappedImportCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static func doc(_ name: String) -> String { root + "/docs/mappings/" + name }

    /// The `data:` section the README tells the operator to add for the churn-table example.
    static let dataSection = """

        data:
          reporting_currency: GBP
          attributes:
            contract:       { type: category, values: [Month-to-month, One year, Two year] }
            payment_method: { type: category, values: [Electronic check, Mailed check, Bank transfer (automatic), Credit card (automatic)] }
            senior_citizen: { type: boolean }
            partner:        { type: boolean }
            tenure_months:  { type: integer, min: 0, max: 120 }

        """

    struct Fixture {
        let root: String
        var node: String { root + "/node" }

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-map-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try await NodeInitCommand.parse([node, "--name", "acme", "--consortium", "demo"]).run()
            let config = node + "/cohort.yaml"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: config))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(MappedImportCommandTests.dataSection.utf8))
            try handle.close()
        }

        func write(_ name: String, _ text: String) throws -> String {
            let path = root + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        func counts() throws -> (customers: Int, transactions: Int, consentEvents: Int) {
            let store = try NodeStore.open(directory: node)
            defer { try? store.close() }
            return try store.counts()
        }

        func cleanup() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test("the README's worked examples import through the commands: churn table + consent, purchase log, invoice lines")
    func workedExamples() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await DataImportCommand.parse(["customers", Self.doc("telco-churn.csv"), "--map", Self.doc("telco-churn.yaml"), "--node", f.node]).run()
        try await DataImportCommand.parse(["consent", Self.doc("telco-consent.csv"), "--map", Self.doc("telco-consent.yaml"), "--node", f.node]).run()
        #expect(try f.counts() == (8, 0, 5))
        // The purchase log is in USD; the node reports in GBP: refused without rates …
        let rates = try f.write("usd-gbp.csv", "currency,period,rate\nUSD,1997-01,0.61\nUSD,1997-03,0.62\nUSD,1997-04,0.62\nUSD,1997-08,0.62\nUSD,1997-11,0.60\nUSD,1997-12,0.60\n")
        await #expect(throws: StoreError.self) {
            try await DataImportCommand.parse(["transactions", Self.doc("cdnow-purchases.txt"), "--map", Self.doc("cdnow.yaml"), "--node", f.node]).run()
        }
        #expect(try f.counts() == (8, 0, 5))
        // … and converted with them.
        try await DataImportCommand.parse(["transactions", Self.doc("cdnow-purchases.txt"), "--map", Self.doc("cdnow.yaml"),
                                           "--rates", rates, "--node", f.node]).run()
        #expect(try f.counts() == (13, 11, 5))
        try await DataImportCommand.parse(["transactions", Self.doc("online-retail-excerpt.csv"), "--map", Self.doc("online-retail.yaml"), "--node", f.node]).run()
        #expect(try f.counts() == (40, 48, 5))
        // The same export again, incrementally: nothing new, no error, nothing changed.
        try await DataImportCommand.parse(["transactions", Self.doc("online-retail-excerpt.csv"), "--map", Self.doc("online-retail.yaml"),
                                           "--incremental", "--node", f.node]).run()
        #expect(try f.counts() == (40, 48, 5))
        let store = try NodeStore.open(directory: f.node)
        defer { try? store.close() }
        #expect(try store.imports().count == 4)
    }

    @Test("custom attributes appear in data features after the standard columns, in name order")
    func attributesInFeatures() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await DataImportCommand.parse(["customers", Self.doc("telco-churn.csv"), "--map", Self.doc("telco-churn.yaml"), "--node", f.node]).run()
        let out = f.root + "/features.csv"
        try await DataFeaturesCommand.parse(["--node", f.node, "--as-of", "2024-06-30", "--out", out]).run()
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 9)
        #expect(lines[0].hasSuffix(",churned,contract,partner,payment_method,senior_citizen,tenure_months"))
        #expect(lines.contains { $0.hasPrefix("0004-DDDDD,") && $0.hasSuffix(",0,One year,false,Bank transfer (automatic),false,45") })
        #expect(lines.contains { $0.hasPrefix("0006-FFFFF,") && $0.hasSuffix(",1,Month-to-month,false,Electronic check,true,8") })
    }

    @Test("--rates and --incremental need --map", arguments: [["--incremental"], ["--rates", "r.csv"]])
    func optionsNeedMap(_ extra: [String]) {
        #expect(throws: (any Error).self) {
            _ = try DataImportCommand.parse(["transactions", "t.csv", "--node", "n"] + extra)
        }
    }

    @Test("a bad mapped import exits non-zero naming file:line:column and leaves the store unchanged (cohort executable)")
    func badImportExitsNonZero() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let data = try f.write("lines.csv", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n1,A,x,1,2011-01-01 10:00:00,1.00,7,UK\n1,A,x,1,2011-01-01 10:00:00,1.00,8,UK\n")
        let process = Process()
        process.executableURL = try BuiltProducts.cohortExecutable()
        process.arguments = ["data", "import", "transactions", data, "--map", Self.doc("online-retail.yaml"), "--node", f.node]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = Pipe()
        try await ProcessLauncher.launch(process)
        let output = String(decoding: await ChildProcess.readToEnd(stderr.fileHandleForReading), as: UTF8.self)
        _ = await ChildProcess.waitForExit(process)
        #expect(process.terminationStatus != 0)
        #expect(output.contains("\(data):3:7: column 'CustomerID': order '1' has lines for different customers"))
        #expect(try f.counts() == (0, 0, 0))
    }
}
