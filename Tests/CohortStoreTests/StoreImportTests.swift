import CohortAudit
import Crypto
import Foundation
import GRDB
import Testing
@testable import CohortStore

@Suite("CSV import")
struct StoreImportTests {
    @Test("customers, transactions and consent import, are recorded and audited")
    func goodImport() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let tx = try node.temp.write("tx.csv", TestNode.transactionsCSV)
        let report = try await node.store.importCSV(.transactions, from: tx, audit: node.audit)
        #expect(report.rowsAccepted == 5)
        #expect(report.rowsRejected == 0)
        let consent = try node.temp.write("consent.csv", """
            customer_id,purpose,action,at,method,policy_version
            c1,segmentation,grant,2024-01-01T00:00:00Z,web-form,v1
            c2,segmentation,grant,2024-01-01T00:00:00Z,,
            c2,segmentation,withdraw,2024-02-01T00:00:00Z,email,v1

            """)
        let consentReport = try await node.store.importCSV(.consent, from: consent, audit: node.audit)
        #expect(consentReport.rowsAccepted == 3)
        #expect(try node.store.counts() == (4, 5, 3))

        let imports = try node.store.imports()
        #expect(imports.map(\.kind) == [.customers, .transactions, .consent])
        #expect(imports.map(\.rowsAccepted) == [4, 5, 3])
        #expect(imports[1].fileName == "tx.csv")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: tx))
        #expect(imports[1].sha256 == SHA256Hex.of(bytes))

        let all = await node.audit.events
        #expect(all.filter { $0.type == .importCommitted }.count == 3)  // each import's outcome
        let events = all.filter { $0.type != .importCommitted }
        #expect(events.map(\.type) == [.dataImported, .dataImported, .dataImported, .consentGranted, .consentGranted, .consentWithdrawn])
        #expect(events[1].details["sha256"] == .string(imports[1].sha256))
        #expect(events[1].details["accepted"] == .integer(5))
        let p1 = try node.store.pseudonym(customerID: "c1")
        let p2 = try node.store.pseudonym(customerID: "c2")
        #expect(events[3].subject == p1)
        #expect(events[5].subject == p2)
        #expect(events[5].purpose == "segmentation")
        #expect(events[3].details["method"] == .string("web-form"))

        // Stored representation: cents, unix seconds, day numbers.
        let row = try node.store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT ts, amount_minor, currency, channel FROM transactions_readable WHERE customer_id = 'c1' ORDER BY ts LIMIT 1 OFFSET 1")
        }
        #expect(row?[0] == CivilTime.parseTimestamp("2024-02-01T11:00:00Z"))
        #expect(row?[1] == -300 as Int64)
        #expect(row?[2] == "EUR")
        #expect(row?[3] == "store")
        let signup = try await node.store.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT signup_date FROM customers WHERE customer_id = 'c1'")
        }
        #expect(signup == Int64(CivilTime.parseDate("2023-01-05") ?? 0))
    }

    @Test("pseudonyms are 16 bytes and unique")
    func pseudonyms() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let all = try await node.store.pool.read { db in try Data.fetchAll(db, sql: "SELECT pseudonym FROM customers") }
        #expect(all.count == 4)
        #expect(all.allSatisfy { $0.count == 16 })
        #expect(Set(all).count == 4)
    }

    @Test("column order may differ; optional customer columns may be absent")
    func columnOrder() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let path = try node.temp.write("c2.csv", "signup_date,customer_id\r\n2024-01-01,z1\r\n2024-01-02,\"z,2\"\r\n")
        let report = try await node.store.importCSV(.customers, from: path, audit: node.audit)
        #expect(report.rowsAccepted == 2)
        #expect(try node.store.pseudonym(customerID: "z,2") != nil)
    }

    /// One bad input each: (name, file kind, file contents, expected code, expected "line:column" or nil, text in message).
    static let badInputs: [(String, ImportKind, [UInt8], StoreError.Code, String?, String)] = [
        ("missing header", .transactions, Array("c1,2024-01-01T10:00:00Z,1,EUR,web,x\n".utf8), .invalidHeader, nil, "missing header row"),
        ("unknown column", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category,extra\n".utf8), .invalidHeader, "1:7", "unknown column 'extra'"),
        ("missing column", .transactions, Array("customer_id,ts,amount_minor,currency,channel\n".utf8), .invalidHeader, nil, "missing required column 'category'"),
        ("wrong column count", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,EUR,web,x\nc1,2024-01-01,1,EUR\n".utf8), .invalidRow, "3:5", "expected 6 fields, found 4"),
        ("non-numeric amount", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,12.50,EUR,web,x\n".utf8), .invalidRow, "2:3", "not an integer amount"),
        ("impossible date", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-02-30T10:00:00Z,1,EUR,web,x\n".utf8), .invalidRow, "2:2", "impossible date"),
        ("impossible signup date", .customers, Array("customer_id,signup_date\nn1,2023-02-29\n".utf8), .invalidRow, "2:2", "impossible date"),
        ("bad currency", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,eur,web,x\n".utf8), .invalidRow, "2:4", "currency code"),
        ("unknown purpose", .consent, Array("customer_id,purpose,action,at\nc1,marketing,grant,2024-01-01\n".utf8), .invalidRow, "2:2", "unknown purpose 'marketing'"),
        ("unknown action", .consent, Array("customer_id,purpose,action,at\nc1,segmentation,maybe,2024-01-01\n".utf8), .invalidRow, "2:3", "unknown action"),
        ("unknown customer", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,EUR,web,x\nnobody,2024-01-01,1,EUR,web,x\n".utf8), .unknownCustomer, "3:1", "unknown customer 'nobody'"),
        ("consent for unknown customer", .consent, Array("customer_id,purpose,action,at\nghost,segmentation,grant,2024-01-01\n".utf8), .unknownCustomer, "2:1", "unknown customer"),
        ("duplicate customer in file", .customers, Array("customer_id,signup_date\nn1,2024-01-01\nn1,2024-01-02\n".utf8), .duplicateCustomer, "3:1", "duplicate customer id 'n1'"),
        ("duplicate customer in store", .customers, Array("customer_id,signup_date\nn1,2024-01-01\nc2,2024-01-02\n".utf8), .duplicateCustomer, "3:1", "duplicate customer id 'c2'"),
        ("nps out of range", .customers, Array("customer_id,signup_date,nps\nn1,2024-01-01,11\n".utf8), .invalidRow, "2:3", "NPS"),
        ("churn date without churn", .customers, Array("customer_id,signup_date,churned,churn_date\nn1,2024-01-01,0,2024-02-01\n".utf8), .invalidRow, "2:4", "churned is 0"),
        ("empty file", .customers, [], .invalidHeader, nil, "file is empty"),
        ("invalid UTF-8", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,EUR,w\u{e9}b,x\n".utf8).map { $0 == 0xC3 ? 0xFF : $0 }, .invalidUTF8, "2:5", "not valid UTF-8"),
        ("stray quote", .transactions, Array("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,EUR,we\"b,x\n".utf8), .invalidRow, "2:5", "inside an unquoted field"),
        ("line over the size limit", .transactions, Array(("customer_id,ts,amount_minor,currency,channel,category\nc1,2024-01-01,1,EUR,web,x\nc1,2024-01-01,1,EUR,web," + String(repeating: "y", count: (1 << 20) + 10) + "\n").utf8), .lineTooLong, "3", "1 MiB"),
    ]

    @Test("bad input aborts with file:line:column, non-zero, and the store is byte-for-byte unchanged", arguments: 0..<badInputs.count)
    func badInput(index: Int) async throws {
        let (name, kind, bytes, code, location, text) = Self.badInputs[index]
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = try node.snapshot()
        let eventsBefore = await node.audit.events.count
        let path = try node.temp.write("bad.csv", bytes: bytes)
        do {
            _ = try await node.store.importCSV(kind, from: path, audit: node.audit)
            Issue.record("\(name): import succeeded")
        } catch let error as StoreError {
            #expect(error.code == code, "\(name): \(error)")
            let prefix = path + (location.map { ":" + $0 } ?? "")
            #expect(error.description.hasPrefix(prefix), "\(name): \(error)")
            #expect(error.description.contains(text), "\(name): \(error)")
        }
        let after = try node.snapshot()
        #expect(after.content == before.content, "\(name)")
        #expect(after.fileHash == before.fileHash, "\(name)")
        #expect(await node.audit.events.count == eventsBefore)
    }

    @Test("--skip-invalid imports the good rows and writes rejects with reasons")
    func skipInvalid() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let path = try node.temp.write("tx.csv", """
            customer_id,ts,amount_minor,currency,channel,category
            c1,2024-01-01,100,EUR,web,x
            c1,2024-01-02,abc,EUR,web,x
            nobody,2024-01-03,100,EUR,web,x
            c2,2024-02-30,100,EUR,web,x
            c2,2024-01-04,"1""0",EUR,web,x
            c2,2024-01-05,200,EUR,web,x

            """)
        let rejects = node.temp.file("rejects.csv")
        let report = try await node.store.importCSV(
            .transactions, from: path, options: ImportOptions(skipInvalid: true, rejectsPath: rejects), audit: node.audit)
        #expect(report.rowsAccepted == 2)
        #expect(report.rowsRejected == 4)
        #expect(try node.store.counts().transactions == 2)
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "line,column,reason,row")
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix("3,\"amount_minor\","))
        #expect(lines[1].hasSuffix(",\"c1,2024-01-02,abc,EUR,web,x\""))
        #expect(lines[2].hasPrefix("4,\"customer_id\",\"unknown customer"))
        #expect(lines[3].hasPrefix("5,\"ts\",\"'2024-02-30' is an impossible date"))
        #expect(lines[4].hasSuffix(",\"c2,2024-01-04,\"\"1\"\"\"\"0\"\",EUR,web,x\""))
        #expect(try node.store.imports().last?.rowsRejected == 4)
        let last = await node.audit.events.last { $0.type == .dataImported }
        #expect(last?.details["rejected"] == .integer(4))
    }

    @Test("a failing audit log rolls the import back")
    func auditFailure() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = try node.snapshot()
        await node.audit.setFailing(true)
        let path = try node.temp.write("tx.csv", TestNode.transactionsCSV)
        await #expect(throws: StoreError.self) {
            _ = try await node.store.importCSV(.transactions, from: path, audit: node.audit)
        }
        let after = try node.snapshot()
        #expect(after.content == before.content)
        #expect(after.fileHash == before.fileHash)
    }

    @Test("many consent rows are audited in batches, one entry per row")
    func consentBatches() async throws {
        let node = try await TestNode.make(seeded: false)
        defer { node.cleanup() }
        var customers = "customer_id,signup_date\n"
        var consent = "customer_id,purpose,action,at\n"
        for i in 0..<12_500 {
            customers += "k\(i),2024-01-01\n"
            consent += "k\(i),benchmarking,\(i % 3 == 0 ? "withdraw" : "grant"),2024-02-01\n"
        }
        _ = try await node.store.importCSV(.customers, from: try node.temp.write("c.csv", customers), audit: node.audit)
        _ = try await node.store.importCSV(.consent, from: try node.temp.write("k.csv", consent), audit: node.audit)
        let events = await node.audit.events
        #expect(events.filter { $0.type == .consentGranted }.count == 8333)
        #expect(events.filter { $0.type == .consentWithdrawn }.count == 4167)
        #expect(Set(events.compactMap(\.subject)).count == 12_500)
    }
}

/// SHA-256 hex helper for tests.
enum SHA256Hex {
    static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
