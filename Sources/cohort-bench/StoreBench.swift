import CohortCore
import CohortAnalytics
import CohortAudit
import CohortNode
import CohortStore
import Foundation

/// Store benchmarks: CSV import throughput.
enum StoreBench {
    /// Each workload returns one measured figure.
    static func workloads() -> [BenchWorkload] {
        [
            BenchWorkload(
                name: "store.import.transactions", unit: "rows/s", target: 500_000, higherIsBetter: true,
                run: { try await importTransactions(customers: 200_000, perCustomer: 10) }),
            // Issue target: 1M customers / 10M transactions in a few seconds; this is 1/5 of that.
            BenchWorkload(
                name: "store.load.consenting-200k-2m", unit: "s", target: 1.0, higherIsBetter: false,
                run: { try await loadConsenting(customers: 200_000, perCustomer: 10) }),
            // Issue 16: mapped import of invoice lines (UCI Online Retail shape), 5 lines per order.
            BenchWorkload(
                name: "store.import.mapped-order-lines", unit: "source rows/s", target: 500_000, higherIsBetter: true,
                run: { try await importMappedOrderLines(orders: 400_000, linesPerOrder: 5, customers: 100_000) }),
        ]
    }

    /// Audit sink that discards events (the benchmark measures the store, not the log).
    private struct DiscardingAudit: AuditRecording {
        func record(_ event: Audit.Event) async throws -> UInt64 { 0 }
        func record(contentsOf events: [Audit.Event]) async throws -> ClosedRange<UInt64>? { nil }
    }

    /// A node with `customers` customers (imported) and a transactions CSV of
    /// `customers * perCustomer` rows grouped by customer (not imported). Removed by `cleanup`.
    private struct Fixture {
        var root: String
        var store: NodeStore
        var transactionsPath: String
        var customers: Int

        func cleanup() {
            try? store.close()
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    private static func prepare(customers: Int, perCustomer: Int) async throws -> Fixture {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("cohort-store-bench-\(UUID().uuidString)").path
        let nodePath = root + "/node"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        _ = try await NodeHome.initialize(directory: nodePath, name: "bench", consortium: "bench")

        let channels = ["web", "store", "app", "phone"]
        let categories = ["grocery", "electronics", "fashion", "home", "toys", "books", "garden", "sports"]
        var customerCSV = "customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date\n"
        for c in 0..<customers {
            customerCSV += "C\(c),2020-01-\(10 + c % 18),\(1950 + c % 50),\(c % 2 == 0 ? "f" : "m"),r\(c % 7),web,\(c % 11),\(1 + c % 5),0,\n"
        }
        let customersPath = root + "/customers.csv"
        try customerCSV.write(toFile: customersPath, atomically: false, encoding: .utf8)
        customerCSV = ""

        let transactionsPath = root + "/transactions.csv"
        _ = FileManager.default.createFile(atPath: transactionsPath, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: transactionsPath) else {
            throw CocoaError(.fileWriteUnknown)
        }
        var chunk = "customer_id,ts,amount_minor,currency,channel,category\n"
        var i = 0
        for c in 0..<customers {
            for t in 0..<perCustomer {
                let month = 1 + t % 12
                let day = 1 + (c + t) % 28
                let ts = "2024-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)T\(10 + t % 10):\(10 + c % 50):00Z"
                chunk += "C\(c),\(ts),\(100 + (i * 7919) % 50_000),EUR,\(channels[i % 4]),\(categories[(i / 3) % 8])\n"
                i += 1
            }
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
        try handle.close()

        let store = try NodeStore.open(directory: nodePath)
        _ = try await store.importCSV(.customers, from: customersPath, audit: DiscardingAudit())
        return Fixture(root: root, store: store, transactionsPath: transactionsPath, customers: customers)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Setup (untimed): ``prepare(customers:perCustomer:)``. Timed: `importCSV(.transactions)`
    /// including SHA-256, parsing, validation, inserts and commit. Returns rows/s.
    static func importTransactions(customers: Int, perCustomer: Int) async throws -> Double {
        let fixture = try await prepare(customers: customers, perCustomer: perCustomer)
        defer { fixture.cleanup() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await fixture.store.importCSV(.transactions, from: fixture.transactionsPath, audit: DiscardingAudit())
        return Double(report.rowsAccepted) / seconds(clock.now - start)
    }

    /// Setup (untimed): an empty node and an invoice-lines CSV in the UCI Online Retail shape
    /// (`InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`),
    /// `orders × linesPerOrder` lines, every 50th order a cancellation. Timed: the mapped import
    /// (docs/mappings/online-retail.yaml's transforms: filter, quantity × decimal unit price,
    /// sign prefix, order aggregation with order keys, derived customers). Returns source rows/s.
    static func importMappedOrderLines(orders: Int, linesPerOrder: Int, customers: Int) async throws -> Double {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("cohort-store-bench-\(UUID().uuidString)").path
        let nodePath = root + "/node"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try await NodeHome.initialize(directory: nodePath, name: "bench", consortium: "bench")
        let mappingPath = root + "/online-retail.yaml"
        try """
            kind: transactions
            source: bench
            filter:
              - { column: CustomerID, not_empty: true }
            derive_customers: true
            fields:
              customer_id: CustomerID
              order_id: InvoiceNo
              ts: { column: InvoiceDate, format: iso8601 }
              amount: { quantity: Quantity, unit_price: UnitPrice, unit_price_digits: 3 }
              sign: { column: InvoiceNo, negative_prefix: "C" }
              currency: { value: GBP }
              channel: { value: online }
              category: { value: giftware }
            """.write(toFile: mappingPath, atomically: false, encoding: .utf8)
        let linesPath = root + "/lines.csv"
        _ = FileManager.default.createFile(atPath: linesPath, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: linesPath) else { throw CocoaError(.fileWriteUnknown) }
        var chunk = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        for o in 0..<orders {
            let cancelled = o % 50 == 49
            let invoice = (cancelled ? "C" : "") + String(500_000 + o)
            let customer = 10_000 + (o * 7919) % customers
            let month = 1 + o % 12, day = 1 + o % 28
            let date = "2011-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day) \(10 + o % 10):\(10 + o % 50):00"
            for l in 0..<linesPerOrder {
                let quantity = (cancelled ? -1 : 1) * (1 + (o + l) % 12)
                chunk += "\(invoice),\(85_000 + l),\"WHITE HANGING HEART T-LIGHT HOLDER\",\(quantity),\(date),\(1 + (o + l) % 9).\(10 + l * 17 % 90),\(customer),United Kingdom\n"
            }
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
        try handle.close()
        let store = try NodeStore.open(directory: nodePath)
        defer { try? store.close() }
        var options = ImportOptions()
        options.mapping = try ImportMappingParser.load(path: mappingPath)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await store.importCSV(.transactions, from: linesPath, options: options, audit: DiscardingAudit())
        return Double(orders * linesPerOrder) / seconds(clock.now - start)
    }

    /// Setup (untimed): the import above plus a consent file granting segmentation to every
    /// other customer. Timed: `loadAnalyticsTables(purpose:consentAt:transactionsUpTo:)`. Returns seconds.
    static func loadConsenting(customers: Int, perCustomer: Int) async throws -> Double {
        let fixture = try await prepare(customers: customers, perCustomer: perCustomer)
        defer { fixture.cleanup() }
        let audit = DiscardingAudit()
        _ = try await fixture.store.importCSV(.transactions, from: fixture.transactionsPath, audit: audit)
        var consent = "customer_id,purpose,action,at\n"
        for c in 0..<fixture.customers {
            consent += "C\(c),segmentation,\(c % 2 == 0 ? "grant" : "withdraw"),2024-01-01T00:00:00Z\n"
        }
        let consentPath = fixture.root + "/consent.csv"
        try consent.write(toFile: consentPath, atomically: false, encoding: .utf8)
        _ = try await fixture.store.importCSV(.consent, from: consentPath, audit: audit)
        let clock = ContinuousClock()
        let start = clock.now
        let tables = try fixture.store.loadAnalyticsTables(
            purpose: .segmentation, consentAt: Date(timeIntervalSince1970: 1_767_225_600),
            transactionsUpTo: Date(timeIntervalSince1970: 1_767_225_600))
        let elapsed = seconds(clock.now - start)
        guard tables.customers.count == (fixture.customers + 1) / 2 else {
            throw StoreError(.invalidArgument, "bench: loaded \(tables.customers.count) customers, expected \((fixture.customers + 1) / 2)")
        }
        return elapsed
    }
}
