import CohortTestSupport
import Foundation
import Testing
@testable import CohortStore

/// Fuzzes the mapped importer's amount and time conversions (`--map`): quantity × unit price at
/// the Int64 edges, decimal prices and mapped timestamps must import or be refused with a
/// ``StoreError`` naming the row, never trap, and an aborted import leaves the store unchanged.
@Suite struct MappedImportFuzzTests {
    static let mapping = """
        kind: transactions
        fields:
          customer_id: cust
          ts: { column: when, format: iso8601 }
          amount: { quantity: qty, unit_price: price, unit_price_digits: 3 }
          currency: { value: EUR }
          channel: { value: web }
          category: { value: grocery }

        """

    static func importRow(_ node: TestNode, _ row: String, name: String) async throws -> ImportReport {
        let path = try node.temp.write("\(name).csv", "cust,when,qty,price\n" + row + "\n")
        var options = ImportOptions(allowDuplicate: true)
        options.mapping = try ImportMappingParser.parse(Self.mapping, file: "fuzz.yaml")
        return try await node.store.importCSV(.transactions, from: path, options: options, audit: node.audit)
    }

    /// Regression corpus: a line total whose rounding to the minor unit carries past Int64.max
    /// when scaled back (`amount * 10^k` in the rounding note) trapped the importer.
    @Test("quantity × unit price at the Int64 edge is refused, not a crash", arguments: [
        "c1,2024-01-01,1,9223372036854775.807", "c1,2024-01-01,-1,9223372036854775.807",
        "c1,2024-01-01,1,-9223372036854775.808", "c1,2024-01-01,9223372036854775807,1",
        "c1,2024-01-01,3,3074457345618258.603",
    ])
    func lineTotalAtInt64EdgeRefused(_ row: String) async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = try node.snapshot().content
        let error = await #expect(throws: StoreError.self) { try await Self.importRow(node, row, name: "edge") }
        #expect(error?.line == 2)
        #expect(try node.snapshot().content == before)
    }

    @Test("random mapped transaction rows import or throw StoreError; aborted imports change nothing")
    func mappedRowsNeverTrap() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        var baseline = try node.snapshot().content
        let seeds = ["c1,2024-01-01T10:00:00+01:00,2,12.505", "c2,2011-12-09 12:50,1,0.001", "c3,9999-12-31T05:59:59-18:00,7,1.5"]
        let words = [",", "-", ".", "9223372036854775.807", "+18:00", "-18:00", "Z", "0001-01-01T00:00:00", "e3", "\""]
        try await FuzzCampaign("mapped importer", seed: 0x3A9_0001, iterations: 150).run { c in
            var bytes = FuzzMutation.mutate(text: c.random.element(of: seeds), using: &c.random, dictionary: words, maxSteps: 3)
            if c.random.oneIn(2) {
                let position = c.random.int(in: 0...bytes.count), number = Array(c.random.edgeNumberText().utf8)
                FuzzMutation.replaceNumber(&bytes, near: position, with: number)
            }
            c.input(bytes)
            do {
                _ = try await Self.importRow(node, String(decoding: bytes, as: UTF8.self), name: "fuzz-\(c.iteration)")
                baseline = try node.snapshot().content
            } catch let error as StoreError {
                try c.require(try node.snapshot().content == baseline, "the aborted import (\(error)) changed the store")
            }
        }
    }
}
