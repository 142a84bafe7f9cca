import CohortAudit
import CohortTestSupport
import Foundation
import Testing
@testable import CohortStore

/// Fuzzes the CSV reader and importer with random and mutated files of every kind, imported
/// into a real temporary store: each import either succeeds or throws a ``StoreError``, never
/// traps, and an aborted import leaves the store exactly as it was.
@Suite struct CSVImportFuzzTests {
    static let consentCSV = """
        customer_id,purpose,action,at,method,policy_version
        c1,segmentation,grant,2024-01-01T00:00:00Z,web-form,v1
        c2,benchmarking,withdraw,2024-02-01 12:00:00,,
        c3,model-training,grant,2024-03-01,app,v2

        """

    static func seed(_ kind: ImportKind) -> String {
        switch kind {
        case .customers:
            return TestNode.customersCSV.replacingOccurrences(of: "c1,", with: "n1,")
                .replacingOccurrences(of: "c2,", with: "n2,").replacingOccurrences(of: "c3,", with: "n3,")
                .replacingOccurrences(of: "c4,", with: "n4,")
        case .transactions: return TestNode.transactionsCSV
        case .consent: return consentCSV
        }
    }

    static let dictionary = [
        ",", "\"", "\"\"", "\n", "\r\n", "\r", "\u{FEFF}", "-", "c1", "c2", "\u{0}", "\u{FFFD}",
        "2024-02-29", "0000-01-01", "9999-12-31T23:59:59Z", "10000-01-01", "2024-13-01", "T", "Z", " ",
        "EUR", "eur", "grant", "withdraw", "segmentation", "churn_date", "customer_id", "amount_minor",
    ]

    /// A row of random fields, now and then at numeric and date edges.
    static func randomRow(_ random: inout FuzzRandom, fields: Int) -> String {
        (0..<fields).map { _ -> String in
            switch random.int(in: 0...5) {
            case 0: return random.edgeNumberText()
            case 1: return random.element(of: ["c1", "c2", "c3", "c4", "", "\"c1\"", "\"a,b\"", "\"unterminated"])
            case 2: return random.element(of: ["2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31T23:59:59Z", "2024-01-01 24:00:00"])
            case 3: return random.element(of: ["grant", "withdraw", "segmentation", "EUR", "web", "1", "0"])
            default: return String(decoding: random.bytes(random.int(in: 0...6)), as: UTF8.self)
            }
        }.joined(separator: ",")
    }

    @Test("random and mutated CSV files import or throw StoreError; aborted imports change nothing")
    func importsNeverTrapOrLeaveHalfImports() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        var baseline = try node.snapshot().content
        var imported = 0, refused = 0
        let campaign = FuzzCampaign("CSV importer", seed: 0xC5F_0001, iterations: 300)
        try await campaign.run { c in
            let kind = c.random.element(of: ImportKind.allCases)
            let seed = Self.seed(kind)
            var bytes: [UInt8]
            if c.random.oneIn(4) {
                let header = String(seed.prefix { $0 != "\n" })
                let fields = header.split(separator: ",").count + (c.random.oneIn(6) ? c.random.int(in: -2...2) : 0)
                bytes = Array((header + "\n" + (0..<c.random.int(in: 1...6)).map { _ in
                    Self.randomRow(&c.random, fields: max(1, fields))
                }.joined(separator: "\n")).utf8)
            } else {
                bytes = FuzzMutation.mutate(text: seed, using: &c.random, dictionary: Self.dictionary, maxSteps: 3)
            }
            c.input(bytes)
            let path = try node.temp.write("fuzz-\(c.iteration).csv", bytes: bytes)
            let skip = c.random.oneIn(3)
            let options = ImportOptions(
                skipInvalid: skip, rejectsPath: skip ? node.temp.file("rejects-\(c.iteration).csv") : nil,
                maxRecordBytes: c.random.oneIn(8) ? 16 : 1 << 20, allowDuplicate: true)
            do {
                _ = try await node.store.importCSV(kind, from: path, options: options, audit: node.audit)
                baseline = try node.snapshot().content
                imported += 1
            } catch let error as StoreError {
                try c.require(try node.snapshot().content == baseline, "the aborted import (\(error)) changed the store")
                refused += 1
            }
        }
        #expect(!campaign.coversAllCases || (imported > 0 && refused > 0), "imported \(imported), refused \(refused)")
    }

    /// Regression corpus: numeric and date fields at the Int64 and calendar edges.
    @Test("edge-valued fields are refused with StoreError naming the row", arguments: [
        (ImportKind.transactions, "c1,2024-01-01T00:00:00Z,9223372036854775808,EUR,web,grocery"),
        (.transactions, "c1,2024-01-01T00:00:00Z,-9223372036854775809,EUR,web,grocery"),
        (.transactions, "c1,2024-01-01T00:00:00Z,18446744073709551616,EUR,web,grocery"),
        (.transactions, "c1,10000-01-01T00:00:00Z,1,EUR,web,grocery"),
        (.transactions, "c1,0000-12-31T23:59:59Z,1,EUR,web,grocery"),
        (.customers, "z1,2023-01-05,9223372036854775807,f,north,web,9,5,0,"),
        (.customers, "z1,2023-01-05,1980,f,north,web,-9223372036854775808,5,0,"),
        (.consent, "c1,segmentation,grant,99999-01-01T00:00:00Z,,"),
    ])
    func edgeFieldsRefused(kind: ImportKind, row: String) async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = try node.snapshot().content
        let header = String(Self.seed(kind).prefix { $0 != "\n" })
        let path = try node.temp.write("edge.csv", header + "\n" + row + "\n")
        let error = await #expect(throws: StoreError.self) {
            try await node.store.importCSV(kind, from: path, audit: node.audit)
        }
        #expect(error?.line == 2)
        #expect(try node.snapshot().content == before)
    }
}
