import CohortCore
import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Imports a partner's own export through an ``ImportMapping``, inside the caller's open
/// transaction (see ``NodeStore/importCSV(_:from:options:audit:)``).
///
/// Transactions: each source line is filtered, mapped and checked; lines with the same order id
/// are summed into one transaction (they must agree on customer and currency; the order takes
/// its first line's time, channel and category). Consecutive lines of an order are summed in
/// memory; an order whose lines are split across the file is merged into its stored row through
/// `import_keys`, which also lets a later export of the same source (``ImportOptions/incremental``)
/// skip the orders already imported. Memory: O(customers) for the id dictionary plus one order
/// and one record; never O(lines).
final class MappedImporter {
    typealias RowProblem = CSVImporter.RowProblem

    /// A compiled ``ImportMapping/Rule``: where the bytes of a value come from.
    final class Value {
        enum Origin { case field(Int), constant, joined([Int]) }
        let origin: Origin
        let name: String
        let constant: UnsafeMutableBufferPointer<UInt8>
        /// `values:` recoding: source text → target bytes.
        let recode: [String: UnsafeMutableBufferPointer<UInt8>]?
        let format: TimestampFormat
        /// Joined columns are copied here (grown as needed, freed in deinit).
        private var scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)

        init(origin: Origin, name: String, constant: String, recode: [String: String]?, format: TimestampFormat?) {
            self.origin = origin
            self.name = name
            self.constant = Self.copy(constant)
            self.recode = recode.map { $0.mapValues(Self.copy) }
            self.format = format ?? .iso8601
        }

        deinit {
            constant.deallocate()
            scratch.deallocate()
            recode?.values.forEach { $0.deallocate() }
        }

        private static func copy(_ text: String) -> UnsafeMutableBufferPointer<UInt8> {
            let bytes = Array(text.utf8)
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            _ = buffer.initialize(from: bytes)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count])
        }

        /// The source field index (for error locations), nil for constants.
        var fieldIndex: Int? {
            switch origin {
            case .field(let i): return i
            case .joined(let list): return list.first
            case .constant: return nil
            }
        }

        /// The value's bytes in the current record (valid until the next record).
        @inline(__always)
        func bytes(_ reader: CSVRecordReader) throws(RowProblem) -> UnsafeBufferPointer<UInt8> {
            let raw: UnsafeBufferPointer<UInt8>
            switch origin {
            case .field(let i): raw = reader.field(i)
            case .constant: return UnsafeBufferPointer(constant)
            case .joined(let list):
                // Fields joined with U+001F (unit separator), which exports do not contain.
                var needed = list.count
                for i in list { needed += reader.field(i).count }
                if needed > scratch.count {
                    scratch.deallocate()
                    scratch = .allocate(capacity: needed * 2)
                }
                var n = 0
                for (k, i) in list.enumerated() {
                    if k > 0 { scratch[n] = 0x1F; n += 1 }
                    for byte in reader.field(i) { scratch[n] = byte; n += 1 }
                }
                raw = UnsafeBufferPointer(rebasing: scratch[0..<n])
            }
            guard let recode else { return raw }
            let key = ByteFields.string(raw)
            guard let target = recode[key] else {
                throw RowProblem(code: .invalidRow, field: fieldIndex,
                                 reason: "'\(CSVImporter.display(raw))' is not one of the values the mapping recodes for \(name) (\(recode.keys.sorted().joined(separator: ", ")))")
            }
            return UnsafeBufferPointer(target)
        }

        /// The value as text (validated UTF-8), nil when empty.
        func text(_ reader: CSVRecordReader) throws(RowProblem) -> String? {
            let b = try bytes(reader)
            if b.isEmpty { return nil }
            guard ByteFields.isValidUTF8(b) else { throw RowProblem(code: .invalidUTF8, field: fieldIndex, reason: "not valid UTF-8") }
            return ByteFields.string(b)
        }

        /// The value parsed as a time in the rule's format (UTC unix seconds).
        @inline(__always)
        func time(_ reader: CSVRecordReader) throws(RowProblem) -> Int64 {
            let b = try bytes(reader)
            guard !b.isEmpty else { throw RowProblem(code: .invalidRow, field: fieldIndex, reason: "\(name) is required") }
            do {
                return try format.parse(b)
            } catch {
                throw RowProblem(code: .invalidRow, field: fieldIndex, reason: format.explain(CSVImporter.display(b), error))
            }
        }
    }

    /// A compiled filter.
    struct CompiledFilter {
        var field: Int
        var condition: ImportMapping.Filter.Condition

        func accepts(_ reader: CSVRecordReader) -> Bool {
            let bytes = reader.field(field)
            switch condition {
            case .notEmpty: return !bytes.isEmpty
            case .equals(let text): return Self.equal(bytes, text)
            case .notEquals(let text): return !Self.equal(bytes, text)
            case .oneOf(let set): return set.contains(ByteFields.string(bytes))
            case .noneOf(let set): return !set.contains(ByteFields.string(bytes))
            }
        }

        private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
            var text = text
            return text.withUTF8 { t in
                t.count == bytes.count && (t.count == 0 || memcmp(t.baseAddress!, bytes.baseAddress!, t.count) == 0)
            }
        }
    }

    private let db: Database
    private let path: String
    private let options: ImportOptions
    private let mapping: ImportMapping
    private let importID: Int64
    private let reader: CSVRecordReader
    private var rejects: ImportRejectsWriter?
    private var summary = CSVImporter.Summary()
    private var names: [String] = []
    private var filters: [CompiledFilter] = []
    private var customers: [String: Int64] = [:]
    private var lastCustomerKey: [UInt8] = []
    private var lastCustomerRow: Int64 = -1
    private var filtered = 0

    private init(db: Database, path: String, options: ImportOptions, mapping: ImportMapping, importID: Int64) throws {
        self.db = db
        self.path = path
        self.options = options
        self.mapping = mapping
        self.importID = importID
        do {
            reader = try CSVRecordReader(path: path, maxRecordBytes: options.maxRecordBytes,
                                         delimiter: mapping.delimiter == .comma ? .comma : .whitespace)
        } catch {
            throw StoreError(.io, error.reason, file: path)
        }
    }

    /// Imports `path` through `mapping` into `db` (inside a write transaction). `importID` is
    /// the id the import will be recorded under (stored with its order keys).
    static func run(db: Database, path: String, options: ImportOptions, mapping: ImportMapping, importID: Int64) throws -> CSVImporter.Summary {
        guard mapping.kind != .transactions || !options.incremental || mapping.fields["order_id"] != nil else {
            throw StoreError(.invalidMapping, "an incremental transactions import needs fields.order_id (the key that tells new orders from ones already imported)", file: mapping.file)
        }
        let importer = try MappedImporter(db: db, path: path, options: options, mapping: mapping, importID: importID)
        return try importer.run()
    }

    private func run() throws -> CSVImporter.Summary {
        try readHeader()
        if options.skipInvalid, let rejectsPath = options.rejectsPath {
            rejects = try ImportRejectsWriter(path: rejectsPath, replaceExisting: options.replaceRejects)
        }
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, customer_id FROM customers")
        while let row = try cursor.next() { customers[row[1]] = row[0] }
        switch mapping.kind {
        case .transactions: try importTransactions()
        case .customers: try importCustomers()
        case .consent: try importConsent()
        }
        try rejects?.finish()
        if filtered > 0 {
            summary.notes.append("skipped \(filtered) source rows excluded by the mapping's filter")
        }
        if reader.isGzip { summary.notes.append("read gzip-compressed input") }
        summary.sha256 = reader.fileDigestHex()
        return summary
    }

    // MARK: Errors and records

    private func error(_ problem: RowProblem, line: Int? = nil) -> StoreError {
        StoreError(problem.code, problem.reason, file: path, line: line ?? reader.recordLine,
                   column: problem.field.map { $0 + 1 },
                   columnName: problem.field.flatMap { $0 < names.count ? names[$0] : nil })
    }

    private func reject(_ problem: RowProblem) throws {
        let error = error(problem)
        guard options.skipInvalid else { throw error }
        summary.rejected += 1
        if summary.samples.count < 20 { summary.samples.append(error) }
        let columnName = problem.field.map { $0 < names.count ? names[$0] : "\($0 + 1)" } ?? ""
        try rejects?.write(line: reader.recordLine, column: columnName, reason: problem.reason, row: reader.rawRecord)
    }

    private func nextRecord() throws -> Bool {
        while true {
            do {
                return try reader.next()
            } catch {
                let storeError = StoreError(
                    error.kind == .recordTooLong ? .lineTooLong : (error.kind == .io ? .io : .invalidRow), error.reason, file: path,
                    line: error.line, column: error.column > 0 ? error.column : nil)
                guard error.kind == .misplacedQuote, options.skipInvalid else { throw storeError }
                summary.rejected += 1
                if summary.samples.count < 20 { summary.samples.append(storeError) }
                try rejects?.write(line: error.line, column: "\(error.column)", reason: error.reason,
                                   row: UnsafeBufferPointer(start: nil, count: 0))
            }
        }
    }

    /// Whether the current record has the right field count and passes the filters; records a
    /// rejection or a filtered row otherwise.
    private func acceptRecord() throws -> Bool {
        let n = reader.count
        if n != names.count {
            let problem = n < names.count
                ? RowProblem(code: .invalidRow, field: n, reason: "expected \(names.count) fields, found \(n) (missing fields from here on)")
                : RowProblem(code: .invalidRow, field: nil, reason: "expected \(names.count) fields, found \(n)")
            try reject(problem)
            return false
        }
        for filter in filters where !filter.accepts(reader) {
            filtered += 1
            return false
        }
        return true
    }

    // MARK: Header and compilation

    private func readHeader() throws {
        if mapping.header {
            guard try nextRecord() else {
                throw StoreError(.invalidHeader, "file is empty (the mapping expects a header row)", file: path, line: 1)
            }
            for i in 0..<reader.count {
                let bytes = reader.field(i)
                guard ByteFields.isValidUTF8(bytes) else {
                    throw StoreError(.invalidUTF8, "header is not valid UTF-8", file: path, line: reader.recordLine, column: i + 1)
                }
                names.append(ByteFields.string(bytes))
            }
        } else {
            names = mapping.columns
        }
        filters = try mapping.filters.map { CompiledFilter(field: try index($0.column, $0.location), condition: $0.condition) }
    }

    private func index(_ column: String, _ location: ImportMapping.Location) throws -> Int {
        guard let i = names.firstIndex(of: column) else {
            let list = names.prefix(20).joined(separator: ", ")
            throw StoreError(.invalidMapping,
                             "column '\(column)' is not in \(path) (\(mapping.header ? "its header has" : "format.columns names"): \(list))",
                             file: mapping.file, line: location.line, column: location.column)
        }
        return i
    }

    private func compile(_ rule: ImportMapping.Rule, name: String) throws -> Value {
        switch rule.source {
        case .column(let column, let location):
            return Value(origin: .field(try index(column, location)), name: name, constant: "", recode: rule.values, format: rule.format)
        case .columns(let list):
            return Value(origin: .joined(try list.map { try index($0.name, $0.location) }), name: name, constant: "",
                         recode: rule.values, format: rule.format)
        case .constant(let text):
            return Value(origin: .constant, name: name, constant: text, recode: nil, format: rule.format)
        }
    }

    private func compile(_ field: String) throws -> Value? {
        try mapping.fields[field].map { try compile($0, name: field) }
    }

    // MARK: Customers (shared)

    /// The customer row for the id bytes, or nil if the store does not know it.
    @inline(__always)
    private func knownCustomer(_ bytes: UnsafeBufferPointer<UInt8>, field: Int?) throws(RowProblem) -> Int64? {
        if lastCustomerRow >= 0, bytes.count == lastCustomerKey.count,
           bytes.count == 0 || lastCustomerKey.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
            return lastCustomerRow
        }
        guard !bytes.isEmpty else { throw RowProblem(code: .invalidRow, field: field, reason: "customer_id is required") }
        guard ByteFields.isValidUTF8(bytes) else { throw RowProblem(code: .invalidUTF8, field: field, reason: "not valid UTF-8") }
        guard let row = customers[ByteFields.string(bytes)] else { return nil }
        lastCustomerKey = Array(bytes)
        lastCustomerRow = row
        return row
    }

    private static func checkCustomerID(_ id: String, field: Int?) throws(RowProblem) {
        let bytes = Array(id.utf8)
        guard bytes.count <= 256, !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw RowProblem(code: .invalidRow, field: field, reason: "customer_id must be at most 256 bytes without control characters")
        }
    }

    /// Inserts a customer row with a fresh pseudonym (retrying a pseudonym collision).
    /// The signup day on record for customer row `row` (days since 1970).
    private func storedSignup(_ row: Int64) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT signup_date FROM customers WHERE id = ?", arguments: [row]) ?? Int64.max
    }

    /// Inserts a derived customer (id and signup date only) with a prepared statement.
    private func insertDerivedCustomer(id: String, signupDay: Int64) throws -> Int64 {
        let sql = "INSERT INTO customers (customer_id, pseudonym, signup_date) VALUES (?, ?, ?)"
        if customerInsert == nil { customerInsert = try CSVImporter.FastInsert(db: db, sql: sql) }
        var attempts = 0
        while true {
            let insert = customerInsert!
            insert.begin()
            try insert.bind(id, 1)
            try insert.bind(Pseudonym.generate(), 2)
            try insert.bind(signupDay, 3)
            do {
                try insert.executeRaw()
                break
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && attempts < 3 {
                // A pseudonym collision (the id is new): draw again.
                attempts += 1
                customerInsert = try CSVImporter.FastInsert(db: db, sql: sql)
            }
        }
        let row = db.lastInsertedRowID
        customers[id] = row
        return row
    }

    private func insertCustomer(id: String, signupDay: Int64, values: [(any DatabaseValueConvertible)?] = []) throws -> Int64 {
        var attempts = 0
        while true {
            do {
                let head: [(any DatabaseValueConvertible)?] = [id, Pseudonym.generate(), signupDay]
                let rest: [(any DatabaseValueConvertible)?] = values.isEmpty ? Array(repeating: nil, count: 8) : values
                try db.execute(
                    sql: """
                        INSERT INTO customers (customer_id, pseudonym, signup_date, birth_year, gender, region,
                          primary_channel, nps, csat, churned, churn_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: StatementArguments(head + rest))
                break
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && attempts < 3 {
                attempts += 1
            }
        }
        let row = db.lastInsertedRowID
        customers[id] = row
        return row
    }

    // MARK: Transactions

    /// The order being summed.
    private struct Order {
        var key: [UInt8] = []
        var customerKey: [UInt8] = []
        var customerField: Int?
        var currency: [UInt8] = []
        /// The source column blamed for a currency problem (the currency's, else the amount's).
        var currencyField: Int?
        var exponent = 2
        var ts: Int64 = 0
        var amount: Int64 = 0
        var channel: Int64 = 0
        var category: Int64 = 0
        var line = 0
        var lines = 0
        var open = false
    }

    private var order = Order()
    private var derived: [Int64: Int64] = [:]
    /// Derived customers whose first purchase came later in the file than an earlier one.
    private var earlierSignup: Set<Int64> = []
    /// Prepared once: the INSERT for derived customers.
    private var customerInsert: CSVImporter.FastInsert?
    private var derivedOrder: [Int64] = []
    private var reporting: String?
    private var reportingExponent = 2
    private var converted = 0
    private var convertedFrom: Set<String> = []
    private var merged = 0
    private var skippedOrders = 0
    private var skippedLines = 0
    private var rounded = 0
    private var orders = 0
    private var lines = 0
    private var lastCurrency: [UInt8] = []
    private var lastExponent = -1

    private func importTransactions() throws {
        let customerValue = try compile("customer_id")!
        let tsValue = try compile("ts")!
        let currencyValue = try compile("currency")!
        let channelValue = try compile("channel")!
        let categoryValue = try compile("category")!
        let orderValue = try compile("order_id")
        enum AmountPlan { case decimal(Value), minor(Value), product(Value, Value, Int?) }
        let amountPlan: AmountPlan
        let amountField: Int?
        switch mapping.amount! {
        case .decimal(let r):
            let v = try compile(r, name: "amount")
            amountPlan = .decimal(v)
            amountField = v.fieldIndex
        case .minorUnits(let r):
            let v = try compile(r, name: "amount")
            amountPlan = .minor(v)
            amountField = v.fieldIndex
        case .product(let q, let p, let d):
            let price = try compile(p, name: "unit_price")
            amountPlan = .product(try compile(q, name: "quantity"), price, d)
            amountField = price.fieldIndex
        }
        var signPlan: (value: Value, prefix: [UInt8]?, values: Set<String>)?
        switch mapping.sign {
        case .negativePrefix(let r, let prefix)?: signPlan = (try compile(r, name: "sign"), Array(prefix.utf8), [])
        case .negativeValues(let r, let set)?: signPlan = (try compile(r, name: "sign"), nil, set)
        case nil: signPlan = nil
        }
        let stored = try String.fetchOne(db, sql: "SELECT currency FROM transactions LIMIT 1")
        reporting = options.declarations.reportingCurrency ?? stored
        if let reporting { reportingExponent = CurrencyTable.exponent(of: reporting) ?? 2 }

        let insert = try CSVImporter.FastInsert(db: db, sql: "INSERT INTO transactions (customer, ts, amount_minor, currency, channel, category) VALUES (?, ?, ?, ?, ?, ?)")
        let channels = try CSVImporter.NameCodes(db: db, table: "channels")
        let categories = try CSVImporter.NameCodes(db: db, table: "categories")
        let findKey = try db.makeStatement(sql: "SELECT tx, customer, import_id FROM import_keys WHERE source = ? AND order_id = ?")
        let insertKey = try CSVImporter.FastInsert(db: db, sql: "INSERT INTO import_keys (source, order_id, customer, tx, import_id) VALUES (?, ?, ?, ?, ?)")

        while try nextRecord() {
            guard try acceptRecord() else { continue }
            lines += 1
            var next: Order?
            do throws(RowProblem) {
                let customerBytes = try customerValue.bytes(reader)
                if customerBytes.isEmpty { throw RowProblem(code: .invalidRow, field: customerValue.fieldIndex, reason: "customer_id is required") }
                let ts = try tsValue.time(reader)
                guard CivilTime.supportedSeconds.contains(ts) else {
                    throw RowProblem(code: .invalidRow, field: tsValue.fieldIndex, reason: "time outside \(CivilTime.supportedRangeText)")
                }
                let currencyBytes = try currencyValue.bytes(reader)
                let exponent = try currencyExponent(currencyBytes, field: currencyValue.fieldIndex)
                var amount: Int64
                switch amountPlan {
                case .decimal(let v): amount = try decimal(v, digits: exponent)
                case .minor(let v):
                    let b = try v.bytes(reader)
                    guard let a = ByteFields.int64(b) else {
                        throw RowProblem(code: .invalidRow, field: v.fieldIndex, reason: "'\(CSVImporter.display(b))' is not an integer amount in minor units")
                    }
                    amount = a
                case .product(let q, let p, let d):
                    let qb = try q.bytes(reader)
                    guard let quantity = ByteFields.int64(qb) else {
                        throw RowProblem(code: .invalidRow, field: q.fieldIndex, reason: "'\(CSVImporter.display(qb))' is not an integer quantity")
                    }
                    let digits = max(d ?? exponent, exponent)
                    let price = try decimal(p, digits: digits)
                    let (product, overflow) = quantity.multipliedReportingOverflow(by: price)
                    guard !overflow else {
                        throw RowProblem(code: .invalidRow, field: p.fieldIndex, reason: AmountBound.problem("\(CSVImporter.display(qb)) × \(CSVImporter.display(try p.bytes(reader)))"))
                    }
                    amount = DecimalText.roundHalfEven(product, droppingDigits: digits - exponent)
                    // Rounded iff a dropped digit is non-zero (`amount * 10^k` could overflow Int64).
                    if digits > exponent, product % Self.power10(digits - exponent) != 0 { rounded += 1 }
                }
                if let plan = signPlan {
                    let b = try plan.value.bytes(reader)
                    let negative: Bool
                    if let prefix = plan.prefix {
                        negative = b.count >= prefix.count && prefix.withUnsafeBufferPointer { memcmp($0.baseAddress!, b.baseAddress!, prefix.count) == 0 }
                    } else {
                        negative = plan.values.contains(ByteFields.string(b))
                    }
                    if negative && amount > 0 { amount = -amount }
                }
                guard AmountBound.accepts(amount) else {
                    throw RowProblem(code: .invalidRow, field: amountField, reason: AmountBound.problem(String(amount)))
                }
                let orderBytes = try orderValue?.bytes(reader)
                if let orderBytes, orderBytes.isEmpty {
                    throw RowProblem(code: .invalidRow, field: orderValue?.fieldIndex, reason: "order_id is required")
                }
                if let orderBytes, order.open, Self.same(order.key, orderBytes) {
                    // Another line of the open order.
                    guard Self.same(order.customerKey, customerBytes) else {
                        throw RowProblem(code: .invalidRow, field: customerValue.fieldIndex,
                                         reason: "order '\(CSVImporter.display(orderBytes))' has lines for different customers: '\(String(decoding: order.customerKey, as: UTF8.self))' (line \(order.line)) and '\(CSVImporter.display(customerBytes))'")
                    }
                    guard Self.same(order.currency, currencyBytes) else {
                        throw RowProblem(code: .invalidRow, field: currencyValue.fieldIndex,
                                         reason: "order '\(CSVImporter.display(orderBytes))' has lines in different currencies: \(String(decoding: order.currency, as: UTF8.self)) (line \(order.line)) and \(CSVImporter.display(currencyBytes))")
                    }
                    let (sum, overflow) = order.amount.addingReportingOverflow(amount)
                    guard !overflow, AmountBound.accepts(sum) else {
                        throw RowProblem(code: .invalidRow, field: amountField, reason: AmountBound.problem("order total"))
                    }
                    order.amount = sum
                    order.lines += 1
                    continue
                }
                let channel = try channels.code(try channelValue.bytes(reader), field: channelValue.fieldIndex ?? -1, name: "channel")
                let category = try categories.code(try categoryValue.bytes(reader), field: categoryValue.fieldIndex ?? -1, name: "category")
                next = Order(
                    key: orderBytes.map { Array($0) } ?? [], customerKey: Array(customerBytes), customerField: customerValue.fieldIndex,
                    currency: Array(currencyBytes), currencyField: currencyValue.fieldIndex ?? amountField, exponent: exponent, ts: ts, amount: amount, channel: channel, category: category,
                    line: reader.recordLine, lines: 1, open: true)
            } catch {
                try reject(error)
                continue
            }
            if let next {
                if order.open { try flushOrReject(insert: insert, findKey: findKey, insertKey: insertKey) }
                order = next
                if orderValue == nil { try flushOrReject(insert: insert, findKey: findKey, insertKey: insertKey) }
            }
        }
        if order.open { try flushOrReject(insert: insert, findKey: findKey, insertKey: insertKey) }
        if !earlierSignup.isEmpty {
            let update = try db.makeStatement(sql: "UPDATE customers SET signup_date = ? WHERE id = ?")
            for row in earlierSignup.sorted() { try update.execute(arguments: [derived[row]!, row]) }
        }
        if orderValue != nil {
            summary.notes.append("summed \(lines - skippedLines) source lines into \(orders) orders (one transaction per order id)")
        }
        if !derivedOrder.isEmpty {
            summary.notes.append("derived \(derivedOrder.count) customers from the transactions (signup date = day of first purchase in the file)")
        }
        if converted > 0 {
            summary.notes.append("converted \(converted) transactions from \(convertedFrom.sorted().joined(separator: ", ")) into \(reporting ?? "?") with the rates in \((options.rates?.file as NSString?)?.lastPathComponent ?? "?") (sha256 \(options.rates?.sha256 ?? ""))")
        }
        if rounded > 0 {
            summary.notes.append("rounded \(rounded) line totals (quantity × unit price finer than the currency's minor unit) half to even")
        }
        if merged > 0 {
            summary.notes.append("merged \(merged) non-adjacent groups of lines into orders seen earlier in the file")
        }
        if skippedOrders > 0 {
            summary.notes.append("skipped \(skippedOrders) orders (\(skippedLines) lines) already imported from source '\(mapping.source)'")
        }
    }

    private static func power10(_ n: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<n { value *= 10 }
        return value
    }

    private static func same(_ a: [UInt8], _ b: String) -> Bool {
        var b = b
        return b.withUTF8 { same(a, $0) }
    }

    @inline(__always)
    private static func same(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.isEmpty || a.withUnsafeBufferPointer { memcmp($0.baseAddress!, b.baseAddress!, a.count) == 0 })
    }

    @inline(__always)
    private func decimal(_ value: Value, digits: Int) throws(RowProblem) -> Int64 {
        let b = try value.bytes(reader)
        do {
            return try DecimalText.parse(b, digits: digits)
        } catch {
            let text = CSVImporter.display(b)
            switch error {
            case .notADecimal:
                throw RowProblem(code: .invalidRow, field: value.fieldIndex, reason: b.isEmpty ? "\(value.name) is required" : "'\(text)' is not a decimal number (like 12.50)")
            case .tooManyDigits(let n):
                throw RowProblem(code: .invalidRow, field: value.fieldIndex,
                                 reason: "'\(text)' has \(n) decimal digits, but the currency allows \(digits) (its minor unit); fix the export or set unit_price_digits for unit prices")
            case .outOfRange:
                throw RowProblem(code: .invalidRow, field: value.fieldIndex, reason: AmountBound.problem(text))
            }
        }
    }

    @inline(__always)
    private func currencyExponent(_ bytes: UnsafeBufferPointer<UInt8>, field: Int?) throws(RowProblem) -> Int {
        if lastExponent >= 0, Self.same(lastCurrency, bytes) { return lastExponent }
        let code = ByteFields.string(bytes)
        guard let exponent = CurrencyTable.exponent(of: code) else {
            throw RowProblem(code: .invalidRow, field: field, reason: "'\(CSVImporter.display(bytes))' is not an ISO 4217 currency code (e.g. EUR, USD, JPY)")
        }
        if reporting == nil {
            reporting = code
            reportingExponent = exponent
        }
        lastCurrency = Array(bytes)
        lastExponent = exponent
        return exponent
    }

    /// Stores the open order: resolves (or derives) its customer, converts its currency, and
    /// inserts it — or merges it into / skips it for an order key already stored.
    /// A problem with the order as a whole, found when it is stored (reported at its first line).
    private struct OrderProblem: Error {
        var problem: RowProblem
    }

    /// Stores the open order (``flush(insert:findKey:insertKey:)``); an order-level problem
    /// aborts the import, or with `--skip-invalid` is written to the rejects file.
    private func flushOrReject(insert: CSVImporter.FastInsert, findKey: Statement, insertKey: CSVImporter.FastInsert) throws {
        let line = order.line
        do {
            try flush(insert: insert, findKey: findKey, insertKey: insertKey)
        } catch let failure as OrderProblem {
            let error = error(failure.problem, line: line)
            guard options.skipInvalid else { throw error }
            summary.rejected += 1
            if summary.samples.count < 20 { summary.samples.append(error) }
            let column = failure.problem.field.map { $0 < names.count ? names[$0] : "\($0 + 1)" } ?? ""
            try rejects?.write(line: line, column: column, reason: failure.problem.reason, row: UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    private func flush(insert: CSVImporter.FastInsert, findKey: Statement, insertKey: CSVImporter.FastInsert) throws {
        order.open = false
        func fail(_ problem: RowProblem) -> OrderProblem { OrderProblem(problem: problem) }
        var customerText: String { String(decoding: order.customerKey, as: UTF8.self) }
        let customer: Int64
        do {
            let known = try order.customerKey.withUnsafeBufferPointer { b throws(RowProblem) -> Int64? in
                try knownCustomer(b, field: order.customerField)
            }
            if let row = known {
                customer = row
                if mapping.deriveCustomers {
                    // Signup is the first purchase: a purchase earlier than the signup on record
                    // (this file's, or an earlier import's for an incremental load) lowers it.
                    let day = Self.day(order.ts)
                    let first: Int64
                    if let seen = derived[row] {
                        first = seen
                    } else {
                        first = (try? storedSignup(row)) ?? day
                        derived[row] = first
                    }
                    if day < first {
                        derived[row] = day
                        earlierSignup.insert(row)
                    }
                }
            } else if mapping.deriveCustomers {
                try Self.checkCustomerID(customerText, field: order.customerField)
                customer = try insertDerivedCustomer(id: customerText, signupDay: Self.day(order.ts))
                derived[customer] = Self.day(order.ts)
                derivedOrder.append(customer)
            } else {
                throw RowProblem(code: .unknownCustomer, field: order.customerField,
                                 reason: "unknown customer '\(customerText)' (import the customers first, or set derive_customers: true in the mapping to create them from their first purchase)")
            }
        } catch let problem as RowProblem {
            throw fail(problem)
        }
        // Currency conversion.
        var amount = order.amount
        var convertedNow = false
        if let reporting, !Self.same(order.currency, reporting) {
            let currency = String(decoding: order.currency, as: UTF8.self)
            let day = Int(Self.day(order.ts))
            guard let rates = options.rates, let rate = rates.rate(currency, day: day) else {
                let problem = RowProblem(code: .invalidRow, field: order.currencyField,
                                         reason: "currency \(currency) is not the reporting currency \(reporting) and \(options.rates == nil ? "no rates were given (--rates <file.csv> with currency,period,rate)" : "the rates file has no rate for \(currency) on \(CivilTime.isoDate(days: day)) or in its month"); amounts in different currencies are never summed")
                throw fail(problem)
            }
            guard let value = CurrencyRates.convert(amount, rate: rate, fromExponent: order.exponent, toExponent: reportingExponent),
                  AmountBound.accepts(value) else {
                throw fail(RowProblem(code: .invalidRow, field: order.currencyField, reason: AmountBound.problem("converted amount")))
            }
            amount = value
            converted += 1
            convertedFrom.insert(currency)
            convertedNow = true
        }
        insert.begin()
        try insert.bind(customer, 1)
        try insert.bind(order.ts, 2)
        try insert.bind(amount, 3)
        if convertedNow { try insert.bind(reporting!, 4) } else {
            try order.currency.withUnsafeBufferPointer { try insert.bindText($0, 4) }
        }
        try insert.bind(order.channel, 5)
        try insert.bind(order.category, 6)
        try insert.execute()
        if !order.key.isEmpty {
            // The key is inserted right after its transaction; the primary key refuses an order
            // id already stored (rare: split orders, or an overlapping export), and only then is
            // the stored key looked up. Common path: no lookup, constant memory.
            let tx = db.lastInsertedRowID
            insertKey.begin()
            try insertKey.bind(mapping.source, 1)
            try insertKey.bind(customer, 3)
            try insertKey.bind(tx, 4)
            try insertKey.bind(importID, 5)
            let stored = try order.key.withUnsafeBufferPointer { key -> Bool in
                try insertKey.bindText(key, 2)
                do {
                    try insertKey.executeRaw()
                    return true
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                    return false
                }
            }
            if !stored {
                try db.execute(sql: "DELETE FROM transactions WHERE rowid = ?", arguments: [tx])
                try existingOrder(customer: customer, amount: amount, findKey: findKey, fail: fail)
                return
            }
        }
        orders += 1
        summary.accepted += 1
    }

    /// An order whose id is already in `import_keys` for this source: merged into its
    /// transaction when stored earlier by this import, skipped in an incremental load, refused otherwise.
    private func existingOrder(customer: Int64, amount: Int64, findKey: Statement, fail: (RowProblem) -> OrderProblem) throws {
        let key = String(decoding: order.key, as: UTF8.self)
        guard let row = try Row.fetchOne(findKey, arguments: [mapping.source, key]) else {
            throw StoreError(.database, "order key '\(key)' was refused but is not stored")
        }
        let tx: Int64 = row[0], keyCustomer: Int64 = row[1], keyImport: Int64 = row[2]
        if keyImport != importID {
            guard options.incremental else {
                throw fail(RowProblem(code: .alreadyImported, field: nil,
                                      reason: "order '\(key)' of source '\(mapping.source)' was already imported (import #\(keyImport)); to load a later export of the same source use --incremental"))
            }
            skippedOrders += 1
            skippedLines += order.lines
            return
        }
        guard keyCustomer == customer else {
            throw fail(RowProblem(code: .invalidRow, field: order.customerField,
                                  reason: "order '\(key)' has lines for different customers (this line: '\(String(decoding: order.customerKey, as: UTF8.self))'; earlier lines of the order belong to another customer)"))
        }
        let previous = try Int64.fetchOne(db, sql: "SELECT amount_minor FROM transactions WHERE rowid = ?", arguments: [tx]) ?? 0
        let (sum, overflow) = previous.addingReportingOverflow(amount)
        guard !overflow, AmountBound.accepts(sum) else {
            throw fail(RowProblem(code: .invalidRow, field: nil, reason: AmountBound.problem("order total")))
        }
        try db.execute(sql: "UPDATE transactions SET amount_minor = ? WHERE rowid = ?", arguments: [sum, tx])
        merged += 1
    }

    private static func day(_ ts: Int64) -> Int64 {
        let (q, r) = ts.quotientAndRemainder(dividingBy: 86400)
        return r < 0 ? q - 1 : q
    }

    // MARK: Customers

    private func importCustomers() throws {
        let targets = CSVImporter.columns(of: .customers).map(\.name)
        var values: [String: Value] = [:]
        for name in targets { if let v = try compile(name) { values[name] = v } }
        var attributes: [(name: String, declaration: CustomAttribute, value: Value)] = []
        for name in mapping.attributes.keys.sorted() {
            let rule = mapping.attributes[name]!
            guard let declaration = options.declarations.attributes[name] else {
                throw StoreError(.invalidMapping,
                                 "attribute '\(name)' is not declared in the node config (data.attributes\(options.declarations.attributes.isEmpty ? " is empty" : ": \(options.declarations.attributes.keys.sorted().joined(separator: ", "))"))",
                                 file: mapping.file, line: rule.location.line, column: rule.location.column)
            }
            attributes.append((name, declaration, try compile(rule, name: name)))
        }
        var seen: Set<String> = []
        var inserted = 0, updated = 0, unchanged = 0
        while try nextRecord() {
            guard try acceptRecord() else { continue }
            do {
                func text(_ name: String) throws(RowProblem) -> String? { try values[name]?.text(reader) }
                func field(_ name: String) -> Int? { values[name]?.fieldIndex }
                func int(_ name: String, _ range: ClosedRange<Int64>, _ what: String) throws(RowProblem) -> Int64? {
                    guard let t = try text(name) else { return nil }
                    guard let v = Int64(t), range.contains(v) else {
                        throw RowProblem(code: .invalidRow, field: field(name), reason: "'\(t)' is not \(what) (an integer in \(range.lowerBound)–\(range.upperBound)) or empty")
                    }
                    return v
                }
                func day(_ name: String) throws(RowProblem) -> Int64? {
                    guard let v = values[name], try !v.bytes(reader).isEmpty else { return nil }
                    return Self.day(try v.time(reader))
                }
                guard let id = try text("customer_id") else { throw RowProblem(code: .invalidRow, field: field("customer_id"), reason: "customer_id is required") }
                try Self.checkCustomerID(id, field: field("customer_id"))
                guard seen.insert(id).inserted else {
                    throw RowProblem(code: .duplicateCustomer, field: field("customer_id"),
                                     reason: "duplicate customer id '\(id)' in this file\(options.incremental ? " (an incremental load updates each customer once; the key must be unique)" : "")")
                }
                let existing = customers[id]
                if existing != nil && !options.incremental {
                    throw RowProblem(code: .duplicateCustomer, field: field("customer_id"),
                                     reason: "duplicate customer id '\(id)' (already in the store; to update stored customers from a later export use --incremental)")
                }
                guard let signup = try day("signup_date") else {
                    throw RowProblem(code: .invalidRow, field: field("signup_date"), reason: "signup_date is required")
                }
                let churned = try int("churned", 0...1, "a churn flag")
                let churnDate = try day("churn_date")
                if let churnDate {
                    if churned == 0 { throw RowProblem(code: .invalidRow, field: field("churn_date"), reason: "churn_date is given but churned is 0") }
                    if churnDate < signup { throw RowProblem(code: .invalidRow, field: field("churn_date"), reason: "churn_date is before signup_date") }
                }
                let row: [(any DatabaseValueConvertible)?] = [
                    try int("birth_year", 1880...2100, "a birth year"), try text("gender"), try text("region"),
                    try text("primary_channel"), try int("nps", 0...10, "an NPS answer"), try int("csat", 1...5, "a CSAT answer"),
                    churned, churnDate,
                ]
                var attributeValues: [(String, String)] = []
                for (name, declaration, value) in attributes {
                    guard let t = try value.text(reader) else { continue }
                    switch declaration.canonical(t) {
                    case .success(let canonical): attributeValues.append((name, canonical))
                    case .failure(let e): throw RowProblem(code: .invalidRow, field: value.fieldIndex, reason: "attribute \(name): \(e.message)")
                    }
                }
                let customer: Int64
                var changed = false
                if let existing {
                    customer = existing
                    try db.execute(sql: """
                        UPDATE customers SET signup_date = ?, birth_year = ?, gender = ?, region = ?, primary_channel = ?,
                          nps = ?, csat = ?, churned = ?, churn_date = ?
                        WHERE id = ? AND NOT (signup_date IS ? AND birth_year IS ? AND gender IS ? AND region IS ?
                          AND primary_channel IS ? AND nps IS ? AND csat IS ? AND churned IS ? AND churn_date IS ?)
                        """, arguments: StatementArguments(([signup] as [(any DatabaseValueConvertible)?]) + row + [existing, signup] + row))
                    changed = db.changesCount > 0
                } else {
                    customer = try insertCustomer(id: id, signupDay: signup, values: row)
                    inserted += 1
                }
                for (name, value) in attributeValues {
                    try db.execute(sql: """
                        INSERT INTO customer_attributes (customer, name, value) VALUES (?, ?, ?)
                        ON CONFLICT (customer, name) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value
                        """, arguments: [customer, name, value])
                    if existing != nil && db.changesCount > 0 { changed = true }
                }
                if existing != nil { if changed { updated += 1 } else { unchanged += 1 } }
                summary.accepted += 1
            } catch let problem as RowProblem {
                try reject(problem)
            }
        }
        if options.incremental {
            summary.notes.append("incremental: \(inserted) customers added, \(updated) updated, \(unchanged) unchanged")
        }
        if !attributes.isEmpty {
            summary.notes.append("imported custom attributes: \(attributes.map(\.name).joined(separator: ", "))")
        }
    }

    // MARK: Consent

    private func importConsent() throws {
        let customerValue = try compile("customer_id")!
        let purposeValue = try compile("purpose")!
        let actionValue = try compile("action")!
        let atValue = try compile("at")!
        let methodValue = try compile("method")
        let policyValue = try compile("policy_version")
        while try nextRecord() {
            guard try acceptRecord() else { continue }
            do throws(RowProblem) {
                let idBytes = try customerValue.bytes(reader)
                guard let customer = try knownCustomer(idBytes, field: customerValue.fieldIndex) else {
                    throw RowProblem(code: .unknownCustomer, field: customerValue.fieldIndex,
                                     reason: "unknown customer '\(CSVImporter.display(idBytes))' (import it with the customers file first)")
                }
                let pb = try purposeValue.bytes(reader)
                guard let purpose = Purpose(rawValue: ByteFields.string(pb)) else {
                    throw RowProblem(code: .invalidRow, field: purposeValue.fieldIndex, reason: "unknown purpose '\(CSVImporter.display(pb))' (expected one of: \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")); recode the partner's values with values:)")
                }
                let ab = try actionValue.bytes(reader)
                guard let action = ConsentAction(rawValue: ByteFields.string(ab)) else {
                    throw RowProblem(code: .invalidRow, field: actionValue.fieldIndex, reason: "unknown action '\(CSVImporter.display(ab))' (expected grant or withdraw; recode the partner's values with values:)")
                }
                let at = try atValue.time(reader)
                let method = try methodValue?.text(reader)
                let policy = try policyValue?.text(reader)
                do {
                    try db.execute(sql: "INSERT INTO consent_events (customer, purpose, action, at, method, policy_version) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [customer, purpose.rawValue, action.rawValue, at, method, policy])
                } catch {
                    throw RowProblem(code: .database, field: nil, reason: "\(error)")
                }
                summary.accepted += 1
            } catch {
                try reject(error)
            }
        }
    }
}
