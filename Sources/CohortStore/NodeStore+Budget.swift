public import Foundation
import GRDB

extension NodeStore {
    /// Atomically checks and records a privacy-budget spend.
    ///
    /// Runs `decide` with every stored spend of `purpose` (oldest first) inside one IMMEDIATE
    /// write transaction and inserts the record it returns (its `purpose`, `study` and `at`
    /// are set from the arguments); nil means refused and nothing is written. Because the
    /// write lock is held from the read to the insert, concurrent chargers — other threads,
    /// other connections, other processes on the same `node.sqlite` — are serialized and can
    /// never overspend. Blocks up to 30 s waiting for the lock.
    ///
    /// - Returns: the stored record (with its `id`), or nil if `decide` refused.
    public func chargeBudget(
        purpose: String, study: String, at: Date,
        decide: ([BudgetSpendRecord]) throws -> BudgetSpendRecord?
    ) throws -> BudgetSpendRecord? {
        try mapDatabaseErrors {
            try pool.writeWithoutTransaction { db in
                var stored: BudgetSpendRecord?
                try db.inTransaction(.immediate) {
                    let history = try Self.spends(db, purpose: purpose, since: nil)
                    guard var record = try decide(history) else { return .rollback }
                    record.purpose = purpose
                    record.study = study
                    record.at = CivilTime.date(unixSeconds: CivilTime.unixSeconds(at))
                    try db.execute(sql: """
                        INSERT INTO budget_spends (purpose, study, epsilon, delta, rho, mechanism, cost_json, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [record.purpose, record.study, record.epsilon, record.delta, record.rho,
                                         record.mechanism, record.costJSON, CivilTime.unixSeconds(at)])
                    record.id = db.lastInsertedRowID
                    stored = record
                    return .commit
                }
                return stored
            }
        }
    }

    /// Removes the reserved spend `id` of `study`, for a contribution that failed before anything
    /// left the node. Durable when it returns.
    ///
    /// - Returns: true if a record was removed, false if there was none with that id and study.
    @discardableResult
    public func refundBudget(id: Int64, study: String) throws -> Bool {
        try mapDatabaseErrors {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM budget_spends WHERE id = ? AND study = ?", arguments: [id, study])
                return db.changesCount > 0
            }
        }
    }

    /// The spends of `purpose` with `at >= since` (all if nil), oldest first.
    public func budgetSpends(purpose: String, since: Date? = nil) throws -> [BudgetSpendRecord] {
        try mapDatabaseErrors {
            try pool.read { db in try Self.spends(db, purpose: purpose, since: since) }
        }
    }

    static func spends(_ db: Database, purpose: String, since: Date?) throws -> [BudgetSpendRecord] {
        let from = since.map(CivilTime.unixSeconds) ?? Int64.min
        return try Row.fetchAll(db, sql: """
            SELECT id, purpose, study, epsilon, delta, rho, mechanism, cost_json, at FROM budget_spends
            WHERE purpose = ? AND at >= ? ORDER BY at, id
            """, arguments: [purpose, from]).map { row in
            BudgetSpendRecord(
                id: row[0], purpose: row[1], study: row[2], epsilon: row[3], delta: row[4], rho: row[5],
                mechanism: row[6], costJSON: row[7], at: CivilTime.date(unixSeconds: row[8]))
        }
    }
}
