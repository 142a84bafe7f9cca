import CohortCore
import CohortAnalytics
import CohortTestSupport
import CohortProcess
import Foundation
import GRDB
import Testing
@testable import CohortStore

/// Issue 16: mapped imports of partners' own exports (mapping file, transforms, order lines,
/// gzip, currencies, derived customers, consent, custom attributes, incremental loads) and the
/// bad inputs, each of which must name file:line:column, fail, and leave the store unchanged.
@Suite("mapped imports")
struct MappedImportTests {
    /// The repository root (for docs/mappings).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static func doc(_ name: String) -> String { root + "/docs/mappings/" + name }

    /// A fresh node without customers, plus helpers.
    struct Fixture {
        let node: TestNode
        var temp: TemporaryDirectory { node.temp }
        var store: NodeStore { node.store }

        init() async throws { node = try await TestNode.make(seeded: false) }

        func mapping(_ name: String, _ yaml: String) throws -> ImportMapping {
            let path = try temp.write(name, yaml)
            return try ImportMappingParser.load(path: path)
        }

        @discardableResult
        func run(_ kind: ImportKind, _ file: String, _ mapping: ImportMapping, reporting: String? = nil,
                 rates: CurrencyRates? = nil, attributes: [String: CustomAttribute] = [:], incremental: Bool = false) async throws -> ImportReport {
            var options = ImportOptions()
            options.mapping = mapping
            options.rates = rates
            options.declarations = DataDeclarations(reportingCurrency: reporting, attributes: attributes)
            options.incremental = incremental
            return try await store.importCSV(kind, from: file, options: options, audit: node.audit)
        }

        /// Every table that an import can touch, as text.
        func content() throws -> String {
            try store.pool.read { db in
                var text = ""
                for table in ["customers", "transactions", "consent_events", "imports", "channels", "categories", "customer_attributes", "import_keys"] {
                    // The two WITHOUT ROWID tables are ordered by their primary key.
                    let order = table == "customer_attributes" || table == "import_keys" ? "1, 2" : "rowid"
                    let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)")
                    text += "\(table): \(rows.map(\.description).joined(separator: ";"))\n"
                }
                return text
            }
        }

        /// (customer_id, ts, amount_minor, currency) of every stored transaction, in order.
        func transactions() throws -> [String] {
            try store.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT customer_id, ts, amount_minor, currency FROM transactions_readable ORDER BY rowid").map {
                    "\($0[0] as String) \(CivilTime.iso8601(unixSeconds: $0[1])) \($0[2] as Int64) \($0[3] as String)"
                }
            }
        }

        func cleanup() { node.cleanup() }
    }

    // MARK: Transforms

    @Test("decimal amounts use the currency's minor-unit exponent exactly", arguments: [
        ("12.50", 2, Int64(1250)), ("12.5", 2, 1250), ("12.500", 2, 1250), ("-3", 2, -300), ("0.85", 2, 85),
        ("1000", 0, 1000), ("1.234", 3, 1234), (".5", 2, 50), ("+7.01", 2, 701),
    ])
    func decimalAmounts(text: String, digits: Int, expected: Int64) throws {
        #expect(try DecimalText.parse(text, digits: digits) == expected)
    }

    @Test("a decimal with more digits than allowed, or not a decimal, is refused", arguments: [
        ("12.345", 2, DecimalText.Problem.tooManyDigits(3)), ("0.001", 2, .tooManyDigits(3)), ("1.5", 0, .tooManyDigits(1)),
        ("1.2.3", 2, .notADecimal), ("", 2, .notADecimal), ("12,50", 2, .notADecimal), ("£3", 2, .notADecimal),
        ("99999999999999999999", 2, .outOfRange),
    ])
    func decimalRefusals(text: String, digits: Int, problem: DecimalText.Problem) {
        #expect(throws: problem) { try DecimalText.parse(text, digits: digits) }
    }

    @Test("timestamp formats: fractional seconds, UTC offsets converted to UTC, day-first, month-first, YYYYMMDD", arguments: [
        (TimestampFormat.iso8601, "2011-12-09T12:50:00.123Z", "2011-12-09T12:50:00Z"),
        (.iso8601, "2011-12-09T12:50:00+01:00", "2011-12-09T11:50:00Z"),
        (.iso8601, "2011-12-09T00:30:00-0230", "2011-12-09T03:00:00Z"),
        (.iso8601, "2011-12-09 12:50", "2011-12-09T12:50:00Z"),
        (.iso8601, "2011-12-09", "2011-12-09T00:00:00Z"),
        (.dayFirst, "09/12/2011 12:50", "2011-12-09T12:50:00Z"),
        (.dayFirst, "9.12.2011", "2011-12-09T00:00:00Z"),
        (.monthFirst, "12/9/2011 8:26", "2011-12-09T08:26:00Z"),
        (.yyyymmdd, "19970101", "1997-01-01T00:00:00Z"),
    ])
    func timestampFormats(format: TimestampFormat, text: String, expected: String) throws {
        #expect(CivilTime.iso8601(unixSeconds: try format.parse(text)) == expected)
    }

    @Test("impossible dates in a named format are refused with the reason", arguments: [
        (TimestampFormat.dayFirst, "31/02/2011", "2011-02 has 28 days"),
        (.monthFirst, "13/01/2011", "month 13 does not exist"),
        (.yyyymmdd, "19970229", "1997-02 has 28 days"),
        (.iso8601, "2011-12-09T24:00:00Z", "hour 24 does not exist (00–23)"),
    ])
    func impossibleDates(format: TimestampFormat, text: String, reason: String) {
        #expect(throws: TimestampFormat.Problem.impossible(reason)) { try format.parse(text) }
    }

    @Test("currency table: ISO 4217 exponents; conversion rounds half to even")
    func currencies() {
        #expect(CurrencyTable.exponent(of: "EUR") == 2)
        #expect(CurrencyTable.exponent(of: "JPY") == 0)
        #expect(CurrencyTable.exponent(of: "KWD") == 3)
        #expect(CurrencyTable.exponent(of: "XYZ") == nil)
        // 10.00 USD at 0.85 → 8.50 GBP; 1000 JPY at 0.0061 → 6.10 EUR; 0.05 at 0.5 → 0.025 → 0.02.
        #expect(CurrencyRates.convert(1000, rate: .init(mantissa: 85, scale: 2), fromExponent: 2, toExponent: 2) == 850)
        #expect(CurrencyRates.convert(1000, rate: .init(mantissa: 61, scale: 4), fromExponent: 0, toExponent: 2) == 610)
        #expect(CurrencyRates.convert(5, rate: .init(mantissa: 5, scale: 1), fromExponent: 2, toExponent: 2) == 2)
        #expect(CurrencyRates.convert(15, rate: .init(mantissa: 5, scale: 1), fromExponent: 2, toExponent: 2) == 8)
    }

    // MARK: Mapping features on small files

    static let lines = """
        Invoice,Customer,When,Qty,Price,Shop,Cur
        A1,k1,2024-03-01T10:00:00.500Z,2,1.25,web,EUR
        A1,k1,2024-03-01T10:00:00.500Z,1,10.00,web,EUR
        B2,k2,2024-03-02T09:00:00+01:00,3,0.99,store,EUR
        X9,k3,2024-03-02T09:00:00Z,1,5.00,test,EUR
        CB2,k2,2024-03-05 12:00,1,0.99,store,EUR
        A3,k1,2024-02-20,1,4.00,web,EUR

        """

    static let linesMapping = """
        # a small mapping using every transform
        kind: transactions
        source: shop
        filter:
          - { column: Shop, not_equals: test }
        derive_customers: true
        fields:
          customer_id: Customer
          order_id: Invoice
          ts: { column: When, format: iso8601 }
          amount: { quantity: Qty, unit_price: Price }
          sign: { column: Invoice, negative_prefix: "C" }
          currency: Cur
          channel: { column: Shop, values: { web: online, store: retail } }
          category: { value: general }

        """

    @Test("order lines are summed per order; rename, quantity × price, sign prefix, offsets, filter, constants, recoding, derived customers")
    func orderLines() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let file = try f.temp.write("lines.csv", Self.lines)
        let report = try await f.run(.transactions, file, try f.mapping("m.yaml", Self.linesMapping))
        #expect(report.rowsAccepted == 4)
        #expect(try f.transactions() == [
            "k1 2024-03-01T10:00:00Z 1250 EUR",   // 2 × 1.25 + 1 × 10.00, fractional seconds dropped
            "k2 2024-03-02T08:00:00Z 297 EUR",    // +01:00 converted to UTC
            "k2 2024-03-05T12:00:00Z -99 EUR",    // cancellation invoice CB2
            "k1 2024-02-20T00:00:00Z 400 EUR",
        ])
        // Derived customers: signup = first purchase in the file (k1's is the last line).
        let signups = try await f.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_id, signup_date FROM customers ORDER BY id").map { "\($0[0] as String) \(CivilTime.isoDate(days: $0[1]))" }
        }
        #expect(signups == ["k1 2024-02-20", "k2 2024-03-02"])
        let channels = try await f.store.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM channels ORDER BY id") }
        #expect(channels == ["online", "retail"])
        #expect(report.notes.contains("summed 5 source lines into 4 orders (one transaction per order id)"))
        #expect(report.notes.contains("skipped 1 source rows excluded by the mapping's filter"))
        #expect(report.notes.contains { $0.hasPrefix("derived 2 customers") })
        let record = try f.store.importMappingRecord(id: report.importID)
        #expect(record.mapping?.hasPrefix("m.yaml sha256 ") == true)
        #expect(record.notes == report.notes)
    }

    @Test("lines of one order split across the file are merged into one transaction")
    func splitOrder() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let file = try f.temp.write("lines.csv", """
            Invoice,Customer,When,Qty,Price,Shop,Cur
            A1,k1,2024-03-01,1,1.00,web,EUR
            B1,k2,2024-03-01,1,2.00,web,EUR
            A1,k1,2024-03-01,1,3.00,web,EUR

            """)
        let report = try await f.run(.transactions, file, try f.mapping("m.yaml", Self.linesMapping))
        #expect(try f.transactions() == ["k1 2024-03-01T00:00:00Z 400 EUR", "k2 2024-03-01T00:00:00Z 200 EUR"])
        #expect(report.notes.contains("merged 1 non-adjacent groups of lines into orders seen earlier in the file"))
    }

    @Test("gzip input is read directly and gives the same rows; the record keeps the compressed file's SHA-256")
    func gzipInput() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let plain = try f.temp.write("lines.csv", Self.lines)
        let zipped = try Self.gzip(plain, into: f.temp.file("lines.csv.gz"))
        let report = try await f.run(.transactions, zipped, try f.mapping("m.yaml", Self.linesMapping))
        #expect(report.rowsAccepted == 4)
        #expect(try f.transactions().count == 4)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: zipped))
        #expect(report.sha256 == SHA256Hex.of(bytes))
        #expect(report.notes.contains("read gzip-compressed input"))
    }

    @Test("other currencies are converted with the rate table (daily rate wins over monthly) into the reporting currency")
    func currencyConversion() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let file = try f.temp.write("lines.csv", """
            Invoice,Customer,When,Qty,Price,Shop,Cur
            A1,k1,2024-03-01,1,10.00,web,USD
            A2,k1,2024-03-02,1,10.00,web,USD
            A3,k1,2024-03-03,1000,1,web,JPY
            A4,k1,2024-03-04,1,5.00,web,GBP

            """)
        let rates = try CurrencyRates.load(path: try f.temp.write("rates.csv", "currency,period,rate\nUSD,2024-03,0.8\nUSD,2024-03-02,0.9\nJPY,2024-03,0.0061\n"))
        let report = try await f.run(.transactions, file, try f.mapping("m.yaml", Self.linesMapping), reporting: "GBP", rates: rates)
        #expect(try f.transactions() == [
            "k1 2024-03-01T00:00:00Z 800 GBP", "k1 2024-03-02T00:00:00Z 900 GBP",
            "k1 2024-03-03T00:00:00Z 610 GBP", "k1 2024-03-04T00:00:00Z 500 GBP",
        ])
        #expect(report.notes.contains { $0.hasPrefix("converted 3 transactions from JPY, USD into GBP") })
    }

    @Test("without a configured reporting currency the store's currency is the reference: a second currency is refused, not summed")
    func mixedCurrenciesRefused() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let file = try f.temp.write("lines.csv", "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,10.00,web,EUR\nA2,k1,2024-03-02,1,10.00,web,USD\n")
        await #expect { try await f.run(.transactions, file, try f.mapping("m.yaml", Self.linesMapping)) } throws: { error in
            let e = error as? StoreError
            return e?.line == 3 && e?.column == 7 && e?.message.contains("currency USD is not the reporting currency EUR and no rates were given") == true
        }
        #expect(try f.transactions().isEmpty)
    }

    @Test("a consent file in the partner's own columns: recoded actions, constant purpose, day-first dates")
    func mappedConsent() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await f.run(.customers, Self.doc("telco-churn.csv"), try ImportMappingParser.load(path: Self.doc("telco-churn.yaml")),
                        attributes: Self.telcoAttributes)
        let report = try await f.run(.consent, Self.doc("telco-consent.csv"), try ImportMappingParser.load(path: Self.doc("telco-consent.yaml")))
        #expect(report.rowsAccepted == 5)
        let consenting = try f.store.consentingCustomers(purpose: .segmentation, asOf: utc("2024-02-01T00:00:00Z"))
        #expect(Set(consenting) == ["0001-AAAAA", "0002-BBBBB", "0006-FFFFF", "0007-GGGGG"])
        // 31/12/2023 is day-first: before that day the customer had not consented yet.
        #expect(!(try f.store.consentingCustomers(purpose: .segmentation, asOf: utc("2023-12-30T00:00:00Z"))).contains("0006-FFFFF"))
    }

    static let telcoAttributes: [String: CustomAttribute] = [
        "contract": .init(type: .category, values: ["Month-to-month", "One year", "Two year"]),
        "payment_method": .init(type: .category, values: ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"]),
        "senior_citizen": .init(type: .boolean),
        "partner": .init(type: .boolean),
        "tenure_months": .init(type: .integer, min: 0, max: 120),
    ]

    @Test("a customers mapping naming an undeclared attribute is refused at the mapping's line and column")
    func undeclaredAttribute() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let mapping = try f.mapping("c.yaml", "kind: customers\nfields:\n  customer_id: customerID\n  signup_date: { value: 2024-01-01 }\nattributes:\n  contract: Contract\n")
        await #expect { try await f.run(.customers, Self.doc("telco-churn.csv"), mapping) } throws: { error in
            let e = error as? StoreError
            return e?.code == .invalidMapping && e?.line == 6 && e?.column == 13 && e?.file == mapping.file
                && e?.message.contains("attribute 'contract' is not declared") == true
        }
        #expect(try f.store.counts().customers == 0)
    }

    @Test("an attribute value outside its declaration is refused with file:line:column")
    func attributeOutOfDeclaration() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        var attributes = Self.telcoAttributes
        attributes["tenure_months"] = .init(type: .integer, min: 0, max: 40)
        let path = Self.doc("telco-churn.csv")
        await #expect {
            try await f.run(.customers, path, try ImportMappingParser.load(path: Self.doc("telco-churn.yaml")), attributes: attributes)
        } throws: { error in
            let e = error as? StoreError
            return e?.file == path && e?.line == 5 && e?.column == 6 && e?.message.contains("'45' is not an integer in 0–40") == true
        }
        #expect(try f.store.counts().customers == 0)
    }

    /// Issue 16: a derived customer's signup is its first purchase across loads — a later export
    /// holding an earlier purchase of a known customer lowers the signup on record.
    @Test func anIncrementalLoadWithAnEarlierPurchaseLowersADerivedSignup() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let mapping = try f.mapping("m.yaml", Self.linesMapping)
        _ = try await f.run(.transactions, try f.temp.write("lines.csv", Self.lines), mapping)
        let later = """
            Invoice,Customer,When,Qty,Price,Shop,Cur
            Z1,k2,2024-01-15T10:00:00Z,1,2.00,web,EUR
            Z2,k1,2024-03-10T10:00:00Z,1,2.00,web,EUR

            """
        _ = try await f.run(.transactions, try f.temp.write("later.csv", later), mapping, incremental: true)
        let signups = try await f.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_id, signup_date FROM customers ORDER BY id").map { "\($0[0] as String) \(CivilTime.isoDate(days: $0[1]))" }
        }
        #expect(signups == ["k1 2024-02-20", "k2 2024-01-15"], "k2's earlier purchase lowers its signup; k1's later one does not")
    }

    // MARK: Incremental loads

    @Test("incremental transactions: a later export appends only new orders; the same file twice changes nothing and says so")
    func incrementalTransactions() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let mapping = try f.mapping("m.yaml", Self.linesMapping)
        let first = try f.temp.write("week1.csv", "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\nB1,k2,2024-03-01,1,2.00,web,EUR\n")
        let later = try f.temp.write("week2.csv", "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\nB1,k2,2024-03-01,1,2.00,web,EUR\nD1,k1,2024-03-08,2,3.00,web,EUR\nD1,k1,2024-03-08,1,1.00,web,EUR\n")
        try await f.run(.transactions, first, mapping)
        // Without --incremental the overlap is refused (never counted twice).
        await #expect { try await f.run(.transactions, later, mapping) } throws: { error in
            let e = error as? StoreError
            return e?.code == .alreadyImported && e?.line == 2 && e?.message.contains("order 'A1' of source 'shop' was already imported") == true
        }
        let report = try await f.run(.transactions, later, mapping, incremental: true)
        #expect(report.rowsAccepted == 1)
        #expect(report.notes.contains("skipped 2 orders (2 lines) already imported from source 'shop'"))
        let stored = try f.transactions()
        #expect(stored == ["k1 2024-03-01T00:00:00Z 100 EUR", "k2 2024-03-01T00:00:00Z 200 EUR", "k1 2024-03-08T00:00:00Z 700 EUR"])
        let before = try f.content()
        let again = try await f.run(.transactions, later, mapping, incremental: true)
        #expect(again.nothingNewSince == report.importID)
        #expect(again.notes.first?.hasPrefix("nothing new: this file") == true)
        #expect(try f.content() == before)
    }

    @Test("incremental customers: stored customers are updated by key, new ones added, unchanged ones counted")
    func incrementalCustomers() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let mapping = try ImportMappingParser.load(path: Self.doc("telco-churn.yaml"))
        try await f.run(.customers, Self.doc("telco-churn.csv"), mapping, attributes: Self.telcoAttributes)
        let text = try String(contentsOfFile: Self.doc("telco-churn.csv"), encoding: .utf8)
            .replacingOccurrences(of: "0001-AAAAA,Female,0,Yes,No,1,", with: "0001-AAAAA,Female,0,Yes,No,2,")
            + "0009-IIIII,Male,0,No,No,3,Yes,No,DSL,No,No,No,No,No,No,Month-to-month,Yes,Mailed check,20.00,60.00,No\n"
        let later = try f.temp.write("telco-later.csv", text)
        let report = try await f.run(.customers, later, mapping, attributes: Self.telcoAttributes, incremental: true)
        #expect(report.notes.contains("incremental: 1 customers added, 1 updated, 7 unchanged"))
        #expect(try f.store.customerAttributes()["0001-AAAAA"]?["tenure_months"] == "2")
        #expect(try f.store.counts().customers == 9)
    }

    // MARK: Bad inputs: file, line, column, reason; nothing stored

    struct BadInput: Sendable, CustomStringConvertible {
        var name: String
        var data: String
        var mapping: String
        var incremental = false
        var expectMappingFile = false
        var line: Int
        var column: Int
        var reason: String
        var description: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "a mapping naming a missing column",
                 data: "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\n",
                 mapping: linesMapping.replacingOccurrences(of: "customer_id: Customer", with: "customer_id: CustomerID"),
                 expectMappingFile: true, line: 8, column: 16, reason: "column 'CustomerID' is not in"),
        BadInput(name: "a decimal with more digits than the currency allows",
                 data: "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\nA2,k1,2024-03-01,1,1.005,web,EUR\n",
                 mapping: linesMapping, line: 3, column: 5, reason: "'1.005' has 3 decimal digits, but the currency allows 2"),
        BadInput(name: "an unknown currency without a rate",
                 data: "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\nA2,k1,2024-03-01,1,1.00,web,EUX\n",
                 mapping: linesMapping, line: 3, column: 7, reason: "'EUX' is not an ISO 4217 currency code"),
        BadInput(name: "a currency other than the reporting one without a rate",
                 data: "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\nA2,k1,2024-03-01,1,1.00,web,USD\n",
                 mapping: linesMapping, line: 3, column: 7, reason: "currency USD is not the reporting currency EUR and no rates were given"),
        BadInput(name: "an impossible date in a named format",
                 data: "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,28/02/2023,1,1.00,web,EUR\nA2,k1,29/02/2023,1,1.00,web,EUR\n",
                 mapping: linesMapping.replacingOccurrences(of: "format: iso8601", with: "format: day-first"),
                 line: 3, column: 3, reason: "'29/02/2023' is an impossible date or time in format day-first: 2023-02 has 28 days"),
        BadInput(name: "an order whose lines disagree on customer",
                 data: "Invoice,Customer,When,Qty,Price,Shop,Cur\nA1,k1,2024-03-01,1,1.00,web,EUR\nA1,k2,2024-03-01,1,1.00,web,EUR\n",
                 mapping: linesMapping, line: 3, column: 2, reason: "order 'A1' has lines for different customers: 'k1' (line 2) and 'k2'"),
        BadInput(name: "a duplicate key in an incremental load",
                 data: "id,joined\nk1,2024-01-01\nk2,2024-01-02\nk1,2024-01-03\n",
                 mapping: "kind: customers\nfields:\n  customer_id: id\n  signup_date: joined\n",
                 incremental: true, line: 4, column: 1, reason: "duplicate customer id 'k1' in this file (an incremental load updates each customer once"),
        BadInput(name: "a gzip file cut short",
                 data: "GZIP-CUT", mapping: linesMapping, line: 0, column: 1, reason: "the gzip file is cut short"),
    ]

    @Test("bad inputs name file, line, column and reason, fail, and leave the store unchanged", arguments: badInputs)
    func badInput(_ bad: BadInput) async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        // Something already stored, which must survive unchanged.
        let seed = try f.temp.write("seed.csv", "Invoice,Customer,When,Qty,Price,Shop,Cur\nS1,k0,2024-01-01,1,1.00,web,EUR\n")
        let mapping = try f.mapping("m.yaml", bad.mapping)
        if mapping.kind == .transactions {
            try await f.run(.transactions, seed, try f.mapping("seed.yaml", Self.linesMapping))
        }
        var file: String
        var line = bad.line
        if bad.data == "GZIP-CUT" {
            var text = "Invoice,Customer,When,Qty,Price,Shop,Cur\n"
            for i in 0..<5000 { text += "I\(i),k\(i % 50),2024-03-01,\(i % 7 + 1),1.25,web,EUR\n" }
            let full = try Self.gzip(try f.temp.write("big.csv", text), into: f.temp.file("big.csv.gz"))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
            file = try f.temp.write("cut.csv.gz", bytes: Array(bytes.prefix(bytes.count / 2)))
            line = -1
        } else {
            file = try f.temp.write("data.csv", bad.data)
        }
        let before = try f.content()
        await #expect {
            try await f.run(mapping.kind, file, mapping, incremental: bad.incremental)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            let where_ = bad.expectMappingFile ? mapping.file : file
            let lineOK = line == -1 ? (e.line ?? 0) > 1 : e.line == line
            return e.file == where_ && lineOK && e.column == bad.column && e.message.contains(bad.reason)
                && e.description.hasPrefix("\(where_):\(e.line ?? 0):\(bad.column): ")
        }
        #expect(try f.content() == before)
    }

    // MARK: The three public source shapes, end to end

    /// Features of one customer: (frequency, monetary minor, last purchase day or nil).
    static func features(_ store: NodeStore, asOf: String) throws -> [String: (Int32, Int64, String?)] {
        let tables = try store.loadAllAnalyticsTables()
        let table = try Analytics.Features.compute(customers: tables.customers, transactions: tables.transactions,
                                                   asOf: Int32(CivilTime.parseDate(asOf)!))
        var out: [String: (Int32, Int64, String?)] = [:]
        for i in 0..<table.count {
            out[table.ids[i]] = (table.frequency[i], table.monetaryMinor[i], table.lastPurchaseDay[i].map { CivilTime.isoDate(days: Int($0)) })
        }
        return out
    }

    @Test("invoice lines (UCI Online Retail excerpt) end to end match hand-computed features")
    func onlineRetailExcerpt() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let report = try await f.run(.transactions, Self.doc("online-retail-excerpt.csv"),
                                     try ImportMappingParser.load(path: Self.doc("online-retail.yaml")))
        // Hand-computed from the excerpt (python csv + Decimal, see docs/mappings/README.md):
        // 308 lines with a customer → 37 invoices of 27 customers; 1 line without a customer.
        #expect(report.rowsAccepted == 37)
        #expect(try f.store.counts().customers == 27)
        #expect(report.notes.contains("summed 308 source lines into 37 orders (one transaction per order id)"))
        #expect(report.notes.contains("rounded 1 line totals (quantity × unit price finer than the currency's minor unit) half to even"))
        let features = try Self.features(f.store, asOf: "2011-06-30")
        // 17850: 7 invoices on 2010-12-01, £1,101.80.
        #expect(features["17850"].map { "\($0.0) \($0.1) \($0.2 ?? "-")" } == "7 110180 2010-12-01")
        // 14527: only a cancellation (C536379, -£27.50): no purchase, net spend floored at 0.
        #expect(features["14527"].map { "\($0.0) \($0.1) \($0.2 ?? "-")" } == "0 0 -")
        // 12836: invoice 542806 split by another invoice's lines, merged: £63.60.
        #expect(features["12836"].map { "\($0.0) \($0.1) \($0.2 ?? "-")" } == "1 6360 2011-02-01")
        // 15311: one purchase of £445.33 and one cancellation; net £445.33 − refund.
        let net15311 = try await f.store.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT sum(amount_minor) FROM transactions_readable WHERE customer_id = '15311'")
        }
        #expect(net15311 == 44533)
        let refund = try await f.store.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT amount_minor FROM transactions_readable WHERE customer_id = '14527'")
        }
        #expect(refund == -2750)
    }

    @Test("a purchase log (CDNOW shape: whitespace, no header, YYYYMMDD) end to end matches hand-computed features")
    func cdnowPurchaseLog() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let report = try await f.run(.transactions, Self.doc("cdnow-purchases.txt"), try ImportMappingParser.load(path: Self.doc("cdnow.yaml")))
        #expect(report.rowsAccepted == 11)
        let features = try Self.features(f.store, asOf: "1997-12-31")
        let got = features.keys.sorted().map { id in features[id].map { "\(id) \($0.0) \($0.1) \($0.2 ?? "-")" }! }
        #expect(got == [
            "00001 1 1177 1997-01-01", "00002 1 8900 1997-01-12", "00003 4 11851 1997-11-15",
            "00004 4 10050 1997-12-12", "00005 1 2933 1997-01-01",
        ])
    }

    @Test("a churn table with attributes (IBM Telco shape) end to end: churn flags, recoded gender, typed attributes")
    func telcoChurnTable() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let report = try await f.run(.customers, Self.doc("telco-churn.csv"), try ImportMappingParser.load(path: Self.doc("telco-churn.yaml")),
                                     attributes: Self.telcoAttributes)
        #expect(report.rowsAccepted == 8)
        let rows = try await f.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_id, gender, churned FROM customers ORDER BY id").map { "\($0[0] as String) \($0[1] as String) \($0[2] as Int64)" }
        }
        #expect(rows == ["0001-AAAAA f 0", "0002-BBBBB m 0", "0003-CCCCC m 1", "0004-DDDDD m 0",
                         "0005-EEEEE f 1", "0006-FFFFF f 1", "0007-GGGGG m 0", "0008-HHHHH f 0"])
        let attributes = try f.store.customerAttributes()
        #expect(attributes["0006-FFFFF"] == ["contract": "Month-to-month", "payment_method": "Electronic check",
                                             "senior_citizen": "true", "partner": "false", "tenure_months": "8"])
        #expect(attributes["0008-HHHHH"]?["contract"] == "Two year")
        let tables = try f.store.loadAllAnalyticsTables()
        let features = try Analytics.Features.compute(customers: tables.customers, transactions: tables.transactions, asOf: Int32(CivilTime.parseDate("2024-06-30")!))
        #expect((0..<features.count).filter { features.churned[$0] == true }.count == 3)
    }

    @Test("the real UCI Online Retail file (gzip, 541,909 lines) imports through the documented mapping", .enabled(if: FileManager.default.fileExists(atPath: realRetail)))
    func realOnlineRetail() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let report = try await f.run(.transactions, Self.realRetail, try ImportMappingParser.load(path: Self.doc("online-retail.yaml")))
        // From /work/shared/data/README.md: 4,372 identified customers; 135,080 lines without one.
        #expect(try f.store.counts().customers == 4372)
        #expect(report.notes.contains("skipped 135080 source rows excluded by the mapping's filter"))
        #expect(report.notes.contains("summed 406829 source lines into 22190 orders (one transaction per order id)"))
    }

    static let realRetail = root + "/../shared/data/online-retail-uci.csv.gz"

    static func gzip(_ path: String, into target: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-c", "-n", path]
        _ = FileManager.default.createFile(atPath: target, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        process.standardOutput = handle
        try ProcessLauncher.run(process)
        process.waitUntilExit()  // gzip of a small file: a short block is harmless
        try handle.close()
        #expect(process.terminationStatus == 0)
        return target
    }
}

/// Issue 16: the default import's message for an ISO 8601 time with fractional seconds or an
/// offset used to talk about "hours 00–23"; it now says what the value has and how to import it.
@Suite("default import time messages")
struct DefaultImportTimeMessageTests {
    @Test("a fractional-second or offset timestamp in Cohort's own schema gets an accurate reason", arguments: [
        "2011-12-09T12:50:00.123Z", "2011-12-09T12:50:00+01:00",
    ])
    func fractionalSecondsMessage(_ ts: String) async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let path = try node.temp.write("t.csv", "customer_id,ts,amount_minor,currency,channel,category\nc1,\(ts),100,EUR,web,x\n")
        await #expect { try await node.store.importCSV(.transactions, from: path, audit: node.audit) } throws: { error in
            let e = error as? StoreError
            return e?.line == 2 && e?.column == 2 && e?.message.contains("has fractional seconds or a UTC offset") == true
                && e?.message.contains("hours 00–23") == false
        }
        #expect(try node.store.counts().transactions == 0)
    }
}

/// Issue 16: `--skip-invalid` works with mapped imports as without (bad source rows go to the
/// rejects file with line, column and reason; the rest is imported).
@Suite("mapped imports with --skip-invalid")
struct MappedSkipInvalidTests {
    @Test("bad source lines are written to the rejects file and the good orders imported")
    func skipInvalid() async throws {
        let node = try await TestNode.make(seeded: false)
        defer { node.cleanup() }
        let data = try node.temp.write("lines.csv", """
            Invoice,Customer,When,Qty,Price,Shop,Cur
            A1,k1,2024-03-01,1,1.00,web,EUR
            A2,k1,2024-03-01,x,1.00,web,EUR
            A3,k2,2024-03-01,1,1.001,web,EUR

            """)
        var options = ImportOptions(skipInvalid: true, rejectsPath: node.temp.file("rejects.csv"))
        options.mapping = try ImportMappingParser.parse(MappedImportTests.linesMapping, file: node.temp.file("m.yaml"))
        let report = try await node.store.importCSV(.transactions, from: data, options: options, audit: node.audit)
        #expect(report.rowsAccepted == 1)
        #expect(report.rowsRejected == 2)
        let rejects = try String(contentsOfFile: node.temp.file("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("3,\"Qty\",\"'x' is not an integer quantity\""))
        #expect(rejects.contains("4,\"Price\",\"'1.001' has 3 decimal digits"))
    }

    @Test("order-level problems (a currency without a rate) are rejects too, reported at the order's first line")
    func skipInvalidOrderProblem() async throws {
        let node = try await TestNode.make(seeded: false)
        defer { node.cleanup() }
        let data = try node.temp.write("lines.csv", """
            Invoice,Customer,When,Qty,Price,Shop,Cur
            A1,k1,2024-03-01,1,1.00,web,EUR
            A2,k1,2024-03-01,1,1.00,web,USD
            A2,k1,2024-03-01,1,2.00,web,USD
            A3,k2,2024-03-02,1,3.00,web,EUR

            """)
        var options = ImportOptions(skipInvalid: true, rejectsPath: node.temp.file("rejects.csv"))
        options.mapping = try ImportMappingParser.parse(MappedImportTests.linesMapping, file: node.temp.file("m.yaml"))
        let report = try await node.store.importCSV(.transactions, from: data, options: options, audit: node.audit)
        #expect(report.rowsAccepted == 2)
        #expect(report.rowsRejected == 1)
        let rejects = try String(contentsOfFile: node.temp.file("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("3,\"Cur\",\"currency USD is not the reporting currency EUR"))
    }
}
