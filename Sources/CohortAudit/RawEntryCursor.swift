import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Streams `entries` rows in index order straight from SQLite (no per-row allocation). The
/// buffers returned by `next()` are valid until the following call. Use only inside a GRDB read.
struct RawEntryCursor {
    let statement: Statement
    let path: String

    /// Rows with `start ≤ seq < end` (no upper bound when `end` is `nil`), ascending.
    init(db: Database, from start: UInt64, to end: UInt64? = nil, path: String) throws {
        statement = try db.makeStatement(sql: "SELECT seq, leaf, data FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq")
        try statement.setArguments([Int64(start), Int64(min(end ?? UInt64(Int64.max), UInt64(Int64.max)))])
        self.path = path
    }

    /// The next row, or `nil` at the end.
    mutating func next() throws -> (seq: UInt64, leaf: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer)? {
        let s = statement.sqliteStatement
        let rc = sqlite3_step(s)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(s)))
            throw AuditError(.corruptDatabase, "\(path): reading entries failed: \(message) (code \(rc))")
        }
        let seq = sqlite3_column_int64(s, 0)
        let leafPtr = sqlite3_column_blob(s, 1)
        let leafCount = Int(sqlite3_column_bytes(s, 1))
        let dataPtr = sqlite3_column_blob(s, 2)
        let dataCount = Int(sqlite3_column_bytes(s, 2))
        return (
            UInt64(bitPattern: seq),
            UnsafeRawBufferPointer(start: leafPtr, count: leafPtr == nil ? 0 : leafCount),
            UnsafeRawBufferPointer(start: dataPtr, count: dataPtr == nil ? 0 : dataCount)
        )
    }
}
