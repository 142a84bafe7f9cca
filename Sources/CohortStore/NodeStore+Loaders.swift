public import CohortCore
public import CohortAnalytics
public import Foundation
import GRDB
import GRDBSQLite

extension NodeStore {
    /// Loads exactly the customers consenting to `purpose` at `consentAt` (see
    /// ``consentingCustomers(purpose:asOf:)``) and their transactions with `ts <= transactionsUpTo`.
    ///
    /// The two times are separate on purpose: a study decides consent at the moment it (or its
    /// round) runs — pass the current time — while its `as_of` date only bounds the window of
    /// behaviour data. A past `as_of` never revives an earlier consent state.
    ///
    /// Customers are in row (import) order; transactions are sorted by customer row, then
    /// time (insertion order breaks ties); channels and categories are dictionary-coded with
    /// codes in order of first appearance. O(customers + transactions) reads with raw
    /// cursors, plus O(t log t) only if the stored order is not already sorted.
    public func loadAnalyticsTables(purpose: Purpose, consentAt: Date, transactionsUpTo: Date) throws
        -> (customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable)
    {
        try mapDatabaseErrors {
            try pool.read { db in
                let rows = try consentingRowIDs(db, purpose: purpose, asOf: CivilTime.unixSeconds(consentAt))
                return try loadTables(db, only: rows, transactionsUpTo: CivilTime.unixSeconds(transactionsUpTo))
            }
        }
    }

    /// Loads all customers (no consent filter) and their transactions with `ts <= asOf`
    /// (all transactions if `asOf` is nil). For local-only use (the node's own feature
    /// export); never for a study. Same ordering and coding as
    /// ``loadAnalyticsTables(purpose:consentAt:transactionsUpTo:)``.
    public func loadAllAnalyticsTables(asOf: Date? = nil) throws
        -> (customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable)
    {
        try mapDatabaseErrors {
            try pool.read { db in
                try loadTables(db, only: nil, transactionsUpTo: asOf.map(CivilTime.unixSeconds) ?? Int64.max)
            }
        }
    }

    private func loadTables(_ db: Database, only selected: [Int64]?, transactionsUpTo limit: Int64) throws
        -> (customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable)
    {
        // Customer row id -> table index (-1 = not loaded).
        let maxID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM customers") ?? 0
        var index = [Int32](repeating: -1, count: Int(maxID) + 1)
        var wanted: [Bool]?
        if let selected {
            var flags = [Bool](repeating: false, count: Int(maxID) + 1)
            for id in selected where id >= 0 && id <= maxID { flags[Int(id)] = true }
            wanted = flags
        }

        var ids: [String] = [], signup: [Int32] = [], birthYear: [Int16?] = [], gender: [String?] = []
        var region: [String?] = [], primary: [String?] = [], nps: [Int8?] = [], csat: [Int8?] = []
        var churned: [Bool?] = [], churnDay: [Int32?] = []
        let expected = selected?.count ?? Int(maxID)
        ids.reserveCapacity(expected); signup.reserveCapacity(expected); birthYear.reserveCapacity(expected)
        gender.reserveCapacity(expected); region.reserveCapacity(expected); primary.reserveCapacity(expected)
        nps.reserveCapacity(expected); csat.reserveCapacity(expected); churned.reserveCapacity(expected)
        churnDay.reserveCapacity(expected)
        let customers = try Row.fetchCursor(db, sql: """
            SELECT id, customer_id, signup_date, birth_year, gender, region, primary_channel, nps, csat, churned, churn_date
            FROM customers ORDER BY id
            """)
        while let row = try customers.next() {
            let id: Int64 = row[0]
            if let wanted, !wanted[Int(id)] { continue }
            index[Int(id)] = Int32(ids.count)
            ids.append(row[1])
            signup.append(Int32(truncatingIfNeeded: row[2] as Int64))
            birthYear.append((row[3] as Int64?).map { Int16(truncatingIfNeeded: $0) })
            gender.append(row[4])
            region.append(row[5])
            primary.append(row[6])
            nps.append((row[7] as Int64?).map { Int8(truncatingIfNeeded: $0) })
            csat.append((row[8] as Int64?).map { Int8(truncatingIfNeeded: $0) })
            churned.append((row[9] as Int64?).map { $0 != 0 })
            churnDay.append((row[10] as Int64?).map { Int32(truncatingIfNeeded: $0) })
        }
        let customerTable = Analytics.CustomerTable(
            ids: ids, signupDay: signup, birthYear: birthYear, gender: gender, region: region,
            primaryChannel: primary, nps: nps, csat: csat, churned: churned, churnDay: churnDay)

        // Name tables: stored id -> dense code assigned on first use.
        let channelNames = try nameTable(db, "channels")
        let categoryNames = try nameTable(db, "categories")
        var channelCode = [Int32](repeating: -1, count: channelNames.count)
        var categoryCode = [Int32](repeating: -1, count: categoryNames.count)
        var usedChannels: [String] = [], usedCategories: [String] = []

        var customer: [Int32] = [], timestamp: [Int64] = [], amount: [Int64] = []
        var channel: [UInt16] = [], category: [UInt16] = []
        var sorted = true
        var lastCustomer: Int32 = -1
        var lastTime = Int64.min
        // Raw stepping: five integer columns per row, read with `sqlite3_column_int64`. GRDB's
        // `Row` cursor cost more per row than SQLite itself on the 2M-row load (the same
        // trade-off as `FastInsert` on the import side).
        let statement = try db.makeStatement(sql: "SELECT customer, ts, amount_minor, channel, category FROM transactions WHERE ts <= ?")
        try statement.setArguments([limit])
        let handle = statement.sqliteStatement
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
                throw StoreError(.database, "reading transactions failed: \(message) (SQLite code \(rc))")
            }
            let id = sqlite3_column_int64(handle, 0)
            guard id >= 0, id <= maxID else { continue }
            let c = index[Int(id)]
            if c < 0 { continue }
            let ts = sqlite3_column_int64(handle, 1)
            let ch = Int(sqlite3_column_int64(handle, 3)), ca = Int(sqlite3_column_int64(handle, 4))
            guard ch >= 0, ch < channelNames.count, ca >= 0, ca < categoryNames.count else {
                throw StoreError(.database, "transaction references an unknown channel or category code")
            }
            if channelCode[ch] < 0 {
                guard usedChannels.count < Int(UInt16.max) else { throw StoreError(.database, "more than 65535 distinct channels") }
                channelCode[ch] = Int32(usedChannels.count)
                usedChannels.append(channelNames[ch] ?? "")
            }
            if categoryCode[ca] < 0 {
                guard usedCategories.count < Int(UInt16.max) else { throw StoreError(.database, "more than 65535 distinct categories") }
                categoryCode[ca] = Int32(usedCategories.count)
                usedCategories.append(categoryNames[ca] ?? "")
            }
            if c < lastCustomer || (c == lastCustomer && ts < lastTime) { sorted = false }
            lastCustomer = c
            lastTime = ts
            customer.append(c)
            timestamp.append(ts)
            amount.append(sqlite3_column_int64(handle, 2))
            channel.append(UInt16(channelCode[ch]))
            category.append(UInt16(categoryCode[ca]))
        }
        if !sorted {
            let order = (0..<customer.count).sorted { (a: Int, b: Int) -> Bool in
                let ca = customer[a], cb = customer[b]
                if ca != cb { return ca < cb }
                let ta = timestamp[a], tb = timestamp[b]
                if ta != tb { return ta < tb }
                return a < b
            }
            customer = order.map { customer[$0] }
            timestamp = order.map { timestamp[$0] }
            amount = order.map { amount[$0] }
            channel = order.map { channel[$0] }
            category = order.map { category[$0] }
        }
        let transactions = Analytics.TransactionTable(
            customer: customer, timestamp: timestamp, amountMinor: amount, channel: channel, category: category,
            channelNames: usedChannels, categoryNames: usedCategories)
        return (customerTable, transactions)
    }

    /// Names by stored id (index = id; nil where no such id).
    private func nameTable(_ db: Database, _ table: String) throws -> [String?] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, name FROM \(table) ORDER BY id")
        let maxID = rows.last.map { Int($0[0] as Int64) } ?? -1
        var names = [String?](repeating: nil, count: maxID + 1)
        for row in rows {
            let id: Int64 = row[0]
            if id >= 0 { names[Int(id)] = row[1] }
        }
        return names
    }
}
