import CohortCore
import CohortNode
import ArgumentParser
import CohortStore
import Foundation
import Testing
@testable import cohort

/// CLI-level tests of the store commands (node init, data import/erase, consent).
@Suite("store commands")
struct StoreCommandTests {
    /// A temporary directory with an initialized node at `<tmp>/node`.
    struct Fixture {
        let root: String
        var node: String { root + "/node" }

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-cli-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try await NodeInitCommand.parse([node, "--name", "acme", "--consortium", "demo"]).run()
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

    @Test("node init over an existing node fails with a NodeError")
    func initTwice() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        await #expect {
            try await NodeInitCommand.parse([f.node, "--name", "acme"]).run()
        } throws: { error in
            (error as? NodeError)?.code == .directoryNotEmpty
        }
        try await NodeInitCommand.parse([f.node, "--name", "acme", "--force"]).run()
    }

    @Test("import, consent, status and erase through the commands")
    func workflow() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let customers = try f.write("c.csv", "customer_id,signup_date\nc1,2024-01-01\nc2,2024-01-02\n")
        try await DataImportCommand.parse(["customers", customers, "--node", f.node]).run()
        let tx = try f.write("t.csv", "customer_id,ts,amount_minor,currency,channel,category\nc1,2024-02-01T10:00:00Z,100,EUR,web,x\n")
        try await DataImportCommand.parse(["transactions", tx, "--node", f.node]).run()
        try await ConsentGrantCommand.parse(["--customer", "c1", "--purpose", "segmentation", "--node", f.node, "--at", "2024-03-01"]).run()
        try await ConsentStatusCommand.parse(["--node", f.node, "--as-of", "2024-03-01"]).run()
        #expect(try f.counts() == (2, 1, 1))
        try await DataEraseCommand.parse(["--customer", "c1", "--node", f.node]).run()
        #expect(try f.counts() == (1, 0, 0))
    }

    @Test("bad input fails with a StoreError naming file:line:column and stores nothing")
    func badImport() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let customers = try f.write("c.csv", "customer_id,signup_date\nc1,2024-01-01\n")
        try await DataImportCommand.parse(["customers", customers, "--node", f.node]).run()
        let bad = try f.write("bad.csv", "customer_id,ts,amount_minor,currency,channel,category\nc1,2024-02-01,1,EUR,web,x\nc1,2024-02-30,1,EUR,web,x\n")
        await #expect {
            try await DataImportCommand.parse(["transactions", bad, "--node", f.node]).run()
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .invalidRow && error.description.hasPrefix(bad + ":3:2:")
        }
        #expect(try f.counts() == (1, 0, 0))
    }

    @Test("argument errors", arguments: [
        ["orders", "x.csv", "--node", "n"],
        ["customers", "x.csv", "--node", "n", "--skip-invalid"],
        ["customers", "x.csv", "--node", "n", "--rejects", "r.csv"],
    ])
    func argumentErrors(arguments: [String]) {
        #expect(throws: (any Error).self) {
            _ = try DataImportCommand.parse(arguments)
        }
    }

    @Test("erase of an unknown customer and consent with an unknown purpose fail")
    func unknowns() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        await #expect {
            try await DataEraseCommand.parse(["--customer", "ghost", "--node", f.node]).run()
        } throws: { error in
            (error as? StoreError)?.code == .unknownCustomer
        }
        await #expect {
            try await ConsentGrantCommand.parse(["--customer", "c1", "--purpose", "ads", "--node", f.node]).run()
        } throws: { error in
            (error as? CoreError)?.code == .unknownPurpose
        }
    }
}
