import CohortCore
import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Imports one CSV file inside the caller's open transaction (see ``NodeStore/importCSV(_:from:options:audit:)``).
///
/// Streaming: memory is bounded by the record size limit plus the customer-id dictionary
/// (loaded once from the store), independent of the file size. Rows are inserted with one
/// prepared statement whose parameters are bound directly (no per-row argument arrays).
final class CSVImporter {
    /// A problem with one value of the current row.
    struct RowProblem: Error {
        var code: StoreError.Code
        /// 0-based field index in the file, or nil for the whole row.
        var field: Int?
        var reason: String
    }

    /// What the importer did.
    struct Summary: Sendable {
        var accepted = 0
        var rejected = 0
        var sha256 = ""
        var samples: [StoreError] = []
        /// Mapped imports: derivations, conversions, skips (see ``ImportReport/notes``).
        var notes: [String] = []
    }

    private let db: Database
    private let kind: ImportKind
    private let path: String
    private let options: ImportOptions
    private let reader: CSVRecordReader
    private var rejects: ImportRejectsWriter?
    private var summary = Summary()
    private var header: [String] = []
    /// For each schema column (see ``columns(of:)``): its field index in the file, or -1.
    private var columnField: [Int] = []
    private var customers: [String: Int64] = [:]
    private var lastCustomerKey: [UInt8] = []
    private var lastCustomerRow: Int64 = -1

    private init(db: Database, kind: ImportKind, path: String, options: ImportOptions) throws {
        self.db = db
        self.kind = kind
        self.path = path
        self.options = options
        do {
            reader = try CSVRecordReader(path: path, maxRecordBytes: options.maxRecordBytes)
        } catch {
            throw StoreError(.io, error.reason, file: path)
        }
    }

    /// Imports `path` into `db` (which must be inside a write transaction).
    static func run(db: Database, kind: ImportKind, path: String, options: ImportOptions) throws -> Summary {
        let importer = try CSVImporter(db: db, kind: kind, path: path, options: options)
        return try importer.run()
    }

    /// The schema: column names and whether each must appear in the header.
    static func columns(of kind: ImportKind) -> [(name: String, required: Bool)] {
        switch kind {
        case .customers:
            return [("customer_id", true), ("signup_date", true), ("birth_year", false), ("gender", false),
                    ("region", false), ("primary_channel", false), ("nps", false), ("csat", false),
                    ("churned", false), ("churn_date", false)]
        case .transactions:
            return [("customer_id", true), ("ts", true), ("amount_minor", true), ("currency", true),
                    ("channel", true), ("category", true)]
        case .consent:
            return [("customer_id", true), ("purpose", true), ("action", true), ("at", true),
                    ("method", false), ("policy_version", false)]
        }
    }

    private func run() throws -> Summary {
        try readHeader()
        if options.skipInvalid, let rejectsPath = options.rejectsPath {
            rejects = try ImportRejectsWriter(path: rejectsPath, replaceExisting: options.replaceRejects)
        }
        try loadCustomers()
        switch kind {
        case .transactions: try importTransactions()
        case .customers: try importCustomers()
        case .consent: try importConsent()
        }
        try rejects?.finish()
        summary.sha256 = reader.fileDigestHex()
        return summary
    }

    // MARK: Errors

    private func error(_ problem: RowProblem) -> StoreError {
        StoreError(
            problem.code, problem.reason, file: path, line: reader.recordLine,
            column: problem.field.map { $0 + 1 },
            columnName: problem.field.flatMap { $0 < header.count ? header[$0] : nil })
    }

    /// Aborts (default) or writes the current row to the rejects file.
    private func reject(_ problem: RowProblem) throws {
        let error = error(problem)
        guard options.skipInvalid else { throw error }
        summary.rejected += 1
        if summary.samples.count < 20 { summary.samples.append(error) }
        let columnName = problem.field.map { $0 < header.count ? header[$0] : "\($0 + 1)" } ?? ""
        try rejects?.write(line: reader.recordLine, column: columnName, reason: problem.reason, row: reader.rawRecord)
    }

    /// Reads the next record; handles recoverable structural problems. False at the end.
    private func nextRecord() throws -> Bool {
        while true {
            do {
                return try reader.next()
            } catch {
                let storeError = StoreError(
                    error.kind == .recordTooLong ? .lineTooLong : .invalidRow, error.reason, file: path,
                    line: error.line, column: error.column > 0 ? error.column : nil)
                guard error.kind == .misplacedQuote, options.skipInvalid else { throw storeError }
                summary.rejected += 1
                if summary.samples.count < 20 { summary.samples.append(storeError) }
                try rejects?.write(line: error.line, column: "\(error.column)", reason: error.reason,
                                   row: UnsafeBufferPointer(start: nil, count: 0))
            }
        }
    }

    // MARK: Header

    private func readHeader() throws {
        let expected = Self.columns(of: kind)
        let expectedList = expected.map(\.name).joined(separator: ",")
        guard try nextRecord() else {
            throw StoreError(.invalidHeader, "file is empty (expected a header row: \(expectedList))", file: path, line: 1)
        }
        var names: [String] = []
        for i in 0..<reader.count {
            let bytes = reader.field(i)
            guard ByteFields.isValidUTF8(bytes) else {
                throw StoreError(.invalidUTF8, "header is not valid UTF-8", file: path, line: reader.recordLine, column: i + 1)
            }
            names.append(ByteFields.string(bytes))
        }
        header = names
        let known = Set(expected.map(\.name))
        if !names.contains(where: known.contains) {
            throw StoreError(
                .invalidHeader,
                "missing header row: the first line has no known column names (expected a header like: \(expectedList))",
                file: path, line: reader.recordLine)
        }
        columnField = Array(repeating: -1, count: expected.count)
        for (i, name) in names.enumerated() {
            guard let k = expected.firstIndex(where: { $0.name == name }) else {
                throw StoreError(.invalidHeader, "unknown column '\(name)' (\(kind.rawValue) files have: \(expectedList))",
                                 file: path, line: reader.recordLine, column: i + 1)
            }
            guard columnField[k] < 0 else {
                throw StoreError(.invalidHeader, "column '\(name)' appears twice", file: path, line: reader.recordLine, column: i + 1)
            }
            columnField[k] = i
        }
        for (k, column) in expected.enumerated() where column.required && columnField[k] < 0 {
            throw StoreError(.invalidHeader, "missing required column '\(column.name)' (\(kind.rawValue) files have: \(expectedList))",
                             file: path, line: reader.recordLine)
        }
    }

    private func loadCustomers() throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, customer_id FROM customers")
        while let row = try cursor.next() {
            customers[row[1]] = row[0]
        }
    }

    /// Checks the field count of the current record.
    @inline(__always)
    private func checkFieldCount() -> RowProblem? {
        let n = reader.count
        if n == header.count { return nil }
        if n < header.count {
            return RowProblem(code: .invalidRow, field: n, reason: "expected \(header.count) fields, found \(n) (missing fields from here on)")
        }
        return RowProblem(code: .invalidRow, field: nil,
                          reason: "expected \(header.count) fields, found \(n) (unexpected extra field \(header.count + 1))")
    }

    // MARK: Field helpers

    @inline(__always)
    private func field(_ column: Int) -> (index: Int, bytes: UnsafeBufferPointer<UInt8>) {
        let i = columnField[column]
        if i < 0 { return (-1, UnsafeBufferPointer(start: nil, count: 0)) }
        return (i, reader.field(i))
    }

    private func text(_ column: Int, required: Bool, name: String) throws(RowProblem) -> String? {
        let (i, bytes) = field(column)
        if bytes.isEmpty {
            if required { throw RowProblem(code: .invalidRow, field: i, reason: "\(name) is required") }
            return nil
        }
        guard ByteFields.isValidUTF8(bytes) else { throw RowProblem(code: .invalidUTF8, field: i, reason: "not valid UTF-8") }
        return ByteFields.string(bytes)
    }

    private func optionalInt(_ column: Int, range: ClosedRange<Int64>, what: String) throws(RowProblem) -> Int64? {
        let (i, bytes) = field(column)
        if bytes.isEmpty { return nil }
        guard let value = ByteFields.int64(bytes), range.contains(value) else {
            throw RowProblem(code: .invalidRow, field: i, reason: "'\(Self.display(bytes))' is not \(what) (an integer in \(range.lowerBound)–\(range.upperBound)) or empty")
        }
        return value
    }

    /// The field as text for messages (invalid UTF-8 repaired, long values shortened).
    static func display(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "…" : text
    }

    /// The customer row id for the customer_id field (with a one-entry cache: transaction and
    /// consent files are usually grouped by customer).
    @inline(__always)
    private func customerRow(_ column: Int) throws(RowProblem) -> Int64 {
        let (i, bytes) = field(column)
        if lastCustomerRow >= 0, bytes.count == lastCustomerKey.count,
           lastCustomerKey.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
            return lastCustomerRow
        }
        guard !bytes.isEmpty else { throw RowProblem(code: .invalidRow, field: i, reason: "customer_id is required") }
        guard ByteFields.isValidUTF8(bytes) else { throw RowProblem(code: .invalidUTF8, field: i, reason: "not valid UTF-8") }
        guard let row = customers[ByteFields.string(bytes)] else {
            throw RowProblem(code: .unknownCustomer, field: i,
                             reason: "unknown customer '\(Self.display(bytes))' (import it with the customers file first)")
        }
        lastCustomerKey = Array(bytes)
        lastCustomerRow = row
        return row
    }

    private func timestamp(_ column: Int) throws(RowProblem) -> Int64 {
        let (i, bytes) = field(column)
        guard let ts = CivilTime.parseTimestamp(bytes) else {
            throw RowProblem(code: .invalidRow, field: i, reason: bytes.isEmpty ? "a timestamp is required"
                             : CivilTime.dateProblem(Self.display(bytes), timestamp: true))
        }
        return ts
    }

    private func date(_ column: Int, required: Bool) throws(RowProblem) -> Int64? {
        let (i, bytes) = field(column)
        if bytes.isEmpty {
            if required { throw RowProblem(code: .invalidRow, field: i, reason: "a date (YYYY-MM-DD) is required") }
            return nil
        }
        guard let days = CivilTime.parseDate(bytes) else {
            throw RowProblem(code: .invalidRow, field: i, reason: CivilTime.dateProblem(Self.display(bytes), timestamp: false))
        }
        return Int64(days)
    }

    // MARK: Transactions

    private func importTransactions() throws {
        let insert = try FastInsert(db: db, sql: "INSERT INTO transactions (customer, ts, amount_minor, currency, channel, category) VALUES (?, ?, ?, ?, ?, ?)")
        let channels = try NameCodes(db: db, table: "channels")
        let categories = try NameCodes(db: db, table: "categories")
        while try nextRecord() {
            if let problem = checkFieldCount() { try reject(problem); continue }
            let customer: Int64, ts: Int64, amount: Int64, channel: Int64, category: Int64
            let currency: UnsafeBufferPointer<UInt8>
            do throws(RowProblem) {
                customer = try customerRow(0)
                ts = try timestamp(1)
                let (ai, amountBytes) = field(2)
                guard let a = ByteFields.int64(amountBytes) else {
                    throw RowProblem(code: .invalidRow, field: ai, reason: "'\(Self.display(amountBytes))' is not an integer amount in minor units (cents)")
                }
                guard AmountBound.accepts(a) else {
                    throw RowProblem(code: .invalidRow, field: ai, reason: AmountBound.problem(Self.display(amountBytes)))
                }
                amount = a
                let (ci, cur) = field(3)
                guard ByteFields.isCurrencyCode(cur) else {
                    throw RowProblem(code: .invalidRow, field: ci, reason: "'\(Self.display(cur))' is not a currency code (3 uppercase letters, e.g. EUR)")
                }
                currency = cur
                let (chi, ch) = field(4)
                channel = try channels.code(ch, field: chi, name: "channel")
                let (cai, ca) = field(5)
                category = try categories.code(ca, field: cai, name: "category")
            } catch {
                try reject(error)
                continue
            }
            insert.begin()
            try insert.bind(customer, 1)
            try insert.bind(ts, 2)
            try insert.bind(amount, 3)
            try insert.bindText(currency, 4)
            try insert.bind(channel, 5)
            try insert.bind(category, 6)
            try insert.execute()
            summary.accepted += 1
        }
    }

    // MARK: Customers

    private func importCustomers() throws {
        let sql = """
            INSERT INTO customers (customer_id, pseudonym, signup_date, birth_year, gender, region,
              primary_channel, nps, csat, churned, churn_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        var insert = try FastInsert(db: db, sql: sql)
        while try nextRecord() {
            if let problem = checkFieldCount() { try reject(problem); continue }
            let id: String, signup: Int64, birthYear: Int64?, gender: String?, region: String?, channel: String?
            let nps: Int64?, csat: Int64?, churned: Int64?, churnDate: Int64?
            do throws(RowProblem) {
                let (ii, idBytes) = field(0)
                guard !idBytes.isEmpty else { throw RowProblem(code: .invalidRow, field: ii, reason: "customer_id is required") }
                guard ByteFields.isValidUTF8(idBytes) else { throw RowProblem(code: .invalidUTF8, field: ii, reason: "not valid UTF-8") }
                guard idBytes.count <= 256, !ByteFields.hasControlCharacter(idBytes) else {
                    throw RowProblem(code: .invalidRow, field: ii, reason: "customer_id must be at most 256 bytes without control characters")
                }
                id = ByteFields.string(idBytes)
                if customers[id] != nil {
                    throw RowProblem(code: .duplicateCustomer, field: ii, reason: "duplicate customer id '\(id)' (already in this file or in the store)")
                }
                signup = try date(1, required: true) ?? 0
                birthYear = try optionalInt(2, range: 1880...2100, what: "a birth year")
                gender = try text(3, required: false, name: "gender")
                region = try text(4, required: false, name: "region")
                channel = try text(5, required: false, name: "primary_channel")
                nps = try optionalInt(6, range: 0...10, what: "an NPS answer")
                csat = try optionalInt(7, range: 1...5, what: "a CSAT answer")
                churned = try optionalInt(8, range: 0...1, what: "a churn flag")
                churnDate = try date(9, required: false)
                if let churnDate {
                    if churned == 0 {
                        throw RowProblem(code: .invalidRow, field: columnField[9], reason: "churn_date is given but churned is 0")
                    }
                    if churnDate < signup {
                        throw RowProblem(code: .invalidRow, field: columnField[9], reason: "churn_date is before signup_date")
                    }
                }
            } catch {
                try reject(error)
                continue
            }
            var attempts = 0
            while true {
                insert.begin()
                try insert.bind(id, 1)
                try insert.bind(Pseudonym.generate(), 2)
                try insert.bind(signup, 3)
                try insert.bind(birthYear, 4)
                try insert.bind(gender, 5)
                try insert.bind(region, 6)
                try insert.bind(channel, 7)
                try insert.bind(nps, 8)
                try insert.bind(csat, 9)
                try insert.bind(churned, 10)
                try insert.bind(churnDate, 11)
                do {
                    try insert.executeRaw()
                    break
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && attempts < 3 {
                    // A pseudonym collision (customer ids were checked above): draw again.
                    attempts += 1
                    insert = try FastInsert(db: db, sql: sql)
                }
            }
            customers[id] = db.lastInsertedRowID
            summary.accepted += 1
        }
    }

    // MARK: Consent

    private func importConsent() throws {
        let insert = try FastInsert(db: db, sql: "INSERT INTO consent_events (customer, purpose, action, at, method, policy_version) VALUES (?, ?, ?, ?, ?, ?)")
        while try nextRecord() {
            if let problem = checkFieldCount() { try reject(problem); continue }
            let customer: Int64, purpose: Purpose, action: ConsentAction, at: Int64
            let method: String?, policy: String?
            do throws(RowProblem) {
                customer = try customerRow(0)
                let (pi, pb) = field(1)
                guard let p = Purpose(rawValue: ByteFields.string(pb)) else {
                    throw RowProblem(code: .invalidRow, field: pi, reason: "unknown purpose '\(Self.display(pb))' (expected one of: \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                purpose = p
                let (ai, ab) = field(2)
                guard let a = ConsentAction(rawValue: ByteFields.string(ab)) else {
                    throw RowProblem(code: .invalidRow, field: ai, reason: "unknown action '\(Self.display(ab))' (expected grant or withdraw)")
                }
                action = a
                at = try timestamp(3)
                method = try text(4, required: false, name: "method")
                policy = try text(5, required: false, name: "policy_version")
            } catch {
                try reject(error)
                continue
            }
            insert.begin()
            try insert.bind(customer, 1)
            try insert.bind(purpose.rawValue, 2)
            try insert.bind(action.rawValue, 3)
            try insert.bind(at, 4)
            try insert.bind(method, 5)
            try insert.bind(policy, 6)
            try insert.execute()
            summary.accepted += 1
        }
    }
}

extension CSVImporter {
    /// A prepared INSERT driven through the SQLite C API (`sqlite3_bind_*`, `sqlite3_step`,
    /// `sqlite3_reset`) on a statement prepared and owned by GRDB.
    ///
    /// Why not `Statement.execute(arguments:)`: profiling the 2M-row transactions import
    /// showed GRDB's per-execution bookkeeping (scheduling watchdog TLS lookups, suspension
    /// mutex, access registration, `StatementArguments` arrays) costing more than SQLite's own
    /// insert work. The import runs on a private connection with no transaction observers, so
    /// nothing depends on that bookkeeping.
    struct FastInsert {
        let statement: Statement
        private var handle: OpaquePointer { statement.sqliteStatement }
        private let sqlite: OpaquePointer?

        init(db: Database, sql: String) throws {
            statement = try db.makeStatement(sql: sql)
            sqlite = db.sqliteConnection
        }

        /// Resets the statement for the next row (bindings are overwritten by the caller).
        @inline(__always)
        func begin() {
            sqlite3_reset(handle)
        }

        @inline(__always)
        private func check(_ code: CInt, _ index: CInt) throws {
            if code != SQLITE_OK {
                throw StoreError(.database, "cannot bind parameter \(index) (SQLite code \(code))")
            }
        }

        @inline(__always)
        func bind(_ value: Int64, _ index: CInt) throws {
            try check(sqlite3_bind_int64(handle, index, value), index)
        }

        @inline(__always)
        func bind(_ value: String, _ index: CInt) throws {
            var value = value
            let code = value.withUTF8 { utf8 in
                sqlite3_bind_text(handle, index, UnsafeRawPointer(utf8.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                  CInt(utf8.count), sqliteTransient)
            }
            try check(code, index)
        }

        /// Binds bytes as TEXT without copying (`SQLITE_STATIC`): the bytes must stay valid
        /// until the statement has been stepped (the caller steps before reading on).
        @inline(__always)
        func bindText(_ bytes: UnsafeBufferPointer<UInt8>, _ index: CInt) throws {
            let pointer = UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self)
            try check(sqlite3_bind_text(handle, index, pointer, CInt(bytes.count), nil), index)
        }

        @inline(__always)
        func bind(_ value: Data, _ index: CInt) throws {
            let code = value.withUnsafeBytes { bytes in
                sqlite3_bind_blob(handle, index, bytes.baseAddress, CInt(bytes.count), sqliteTransient)
            }
            try check(code, index)
        }

        @inline(__always)
        func bind(_ value: Int64?, _ index: CInt) throws {
            if let value { try bind(value, index) } else { try check(sqlite3_bind_null(handle, index), index) }
        }

        @inline(__always)
        func bind(_ value: String?, _ index: CInt) throws {
            if let value { try bind(value, index) } else { try check(sqlite3_bind_null(handle, index), index) }
        }

        /// Steps the statement once; errors are thrown as GRDB `DatabaseError`.
        @inline(__always)
        func executeRaw() throws {
            let code = sqlite3_step(handle)
            if code != SQLITE_DONE {
                let message = sqlite.map { String(cString: sqlite3_errmsg($0)) }
                sqlite3_reset(handle)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
            }
        }

        /// Steps the statement once; errors are thrown as ``StoreError``.
        @inline(__always)
        func execute() throws {
            try mapDatabaseErrors { try executeRaw() }
        }
    }

    /// Dictionary-codes names (channels, categories) into their lookup table, inserting new
    /// names. Few distinct names are expected: lookups scan a small array by bytes first.
    final class NameCodes {
        private var keys: [[UInt8]] = []
        private var codes: [Int64] = []
        private var byName: [String: Int64] = [:]
        private let insert: Statement
        private let db: Database
        private var lastIndex = 0

        init(db: Database, table: String) throws {
            self.db = db
            insert = try db.makeStatement(sql: "INSERT INTO \(table) (name) VALUES (?)")
            let rows = try Row.fetchAll(db, sql: "SELECT id, name FROM \(table) ORDER BY id")
            for row in rows {
                let name: String = row[1]
                add(name: name, code: row[0])
            }
        }

        private func add(name: String, code: Int64) {
            byName[name] = code
            if keys.count < 64 {
                keys.append(Array(name.utf8))
                codes.append(code)
            }
        }

        @inline(__always)
        func code(_ bytes: UnsafeBufferPointer<UInt8>, field: Int, name: String) throws(RowProblem) -> Int64 {
            let n = bytes.count
            if n == 0 { throw RowProblem(code: .invalidRow, field: field, reason: "\(name) is required") }
            if lastIndex < keys.count, keys[lastIndex].count == n,
               keys[lastIndex].withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, n) == 0 }) {
                return codes[lastIndex]
            }
            for i in keys.indices where keys[i].count == n {
                if keys[i].withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, n) == 0 }) {
                    lastIndex = i
                    return codes[i]
                }
            }
            guard ByteFields.isValidUTF8(bytes) else { throw RowProblem(code: .invalidUTF8, field: field, reason: "not valid UTF-8") }
            let text = ByteFields.string(bytes)
            if let code = byName[text] { return code }
            do {
                try insert.execute(arguments: [text])
            } catch {
                throw RowProblem(code: .database, field: field, reason: "cannot store \(name) '\(text)': \(error)")
            }
            let code = db.lastInsertedRowID
            add(name: text, code: code)
            return code
        }
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies bound text/blobs before the bind call returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
