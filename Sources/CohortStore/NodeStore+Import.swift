import CohortAudit
import Foundation
import GRDB

extension NodeStore {
    /// Imports a CSV file (schema by `kind`, see ``ImportKind``), streaming.
    ///
    /// All-or-nothing by default: the file is imported in one IMMEDIATE transaction and the
    /// first bad row aborts it (nothing is stored; the error names file, line, column and
    /// reason). With ``ImportOptions/skipInvalid`` the good rows are stored and the bad ones
    /// written to ``ImportOptions/rejectsPath``.
    ///
    /// Before the transaction commits, the import is recorded in `imports` and audited
    /// durably: one `data.imported` entry (details: kind, file, sha256, accepted, rejected,
    /// import_id) and, for consent files, one `consent.granted`/`consent.withdrawn` entry per
    /// stored row (subject = the customer's pseudonym hex), sent in batches of 10 000. If the
    /// audit log fails, the import is rolled back.
    ///
    /// Validation: header (known, unique, required columns), field count, UTF-8, dates
    /// (calendar-correct), timestamps, integer amounts (cents), currency codes, ranges
    /// (NPS 0–10, CSAT 1–5, churned 0/1), purposes and actions, duplicate customer ids (in the
    /// file and against the store), rows referencing unknown customers, records over
    /// ``ImportOptions/maxRecordBytes``.
    ///
    /// Complexity: O(rows) time; memory O(customers in the store) + O(max record size).
    public func importCSV(
        _ kind: ImportKind, from path: String, options: ImportOptions = ImportOptions(),
        audit: any AuditRecording
    ) async throws -> ImportReport {
        if options.skipInvalid && options.rejectsPath == nil {
            throw StoreError(.invalidArgument, "skipping invalid rows needs a rejects file (--rejects <file>)")
        }
        let session = try WriteSession(directory: directory, label: "import", enforceForeignKeys: false)
        defer { session.close() }
        let now = Date()
        let nowSeconds = CivilTime.unixSeconds(now)
        let fileName = (path as NSString).lastPathComponent
        let (summary, importID, consentRange) = try await session.begin { db in
            try mapDatabaseErrors {
                let before = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM consent_events") ?? 0
                let summary = try CSVImporter.run(db: db, kind: kind, path: path, options: options)
                let after = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM consent_events") ?? 0
                try db.execute(
                    sql: "INSERT INTO imports (kind, file_name, sha256, rows_accepted, rows_rejected, at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [kind.rawValue, fileName, summary.sha256, summary.accepted, summary.rejected, nowSeconds])
                return (summary, db.lastInsertedRowID, before...after)
            }
        }
        do {
            try await session.audit([
                Audit.Event(
                    type: .dataImported, actor: options.actor,
                    details: [
                        "kind": .string(kind.rawValue), "file": .string(fileName), "sha256": .string(summary.sha256),
                        "accepted": .integer(Int64(summary.accepted)), "rejected": .integer(Int64(summary.rejected)),
                        "import_id": .integer(importID),
                    ]),
            ], audit: audit)
            if kind == .consent {
                var cursorID = consentRange.lowerBound
                while cursorID < consentRange.upperBound {
                    let from = cursorID
                    let batch = try await session.continue { db in
                        try mapDatabaseErrors {
                            try Self.consentEvents(db: db, after: from, upTo: consentRange.upperBound, limit: 10_000,
                                                   actor: options.actor, importID: importID)
                        }
                    }
                    guard let last = batch.lastID else { break }
                    try await session.audit(batch.events, audit: audit)
                    cursorID = last
                }
            }
            try await session.commit()
        } catch {
            await session.rollback()
            throw error
        }
        return ImportReport(
            kind: kind, file: path, sha256: summary.sha256, rowsAccepted: summary.accepted,
            rowsRejected: summary.rejected, importID: importID,
            rejectsPath: options.skipInvalid ? options.rejectsPath : nil, sampleRejections: summary.samples,
            at: CivilTime.date(unixSeconds: nowSeconds))
    }

    /// Audit events for the consent rows with `after < id <= upTo` (at most `limit`).
    static func consentEvents(
        db: Database, after: Int64, upTo: Int64, limit: Int, actor: String, importID: Int64
    ) throws -> (events: [Audit.Event], lastID: Int64?) {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT e.id, e.purpose, e.action, e.at, e.method, e.policy_version, c.pseudonym
            FROM consent_events e JOIN customers c ON c.id = e.customer
            WHERE e.id > ? AND e.id <= ? ORDER BY e.id LIMIT ?
            """, arguments: [after, upTo, limit])
        var events: [Audit.Event] = []
        var lastID: Int64?
        while let row = try cursor.next() {
            lastID = row[0]
            let action: String = row[2]
            var details: [String: Audit.Value] = [
                "at": .string(CivilTime.iso8601(unixSeconds: row[3])), "source": .string("import"),
                "import_id": .integer(importID),
            ]
            if let method: String = row[4] { details["method"] = .string(method) }
            if let policy: String = row[5] { details["policy_version"] = .string(policy) }
            let pseudonym: Data = row[6]
            events.append(Audit.Event(
                type: action == ConsentAction.grant.rawValue ? .consentGranted : .consentWithdrawn,
                actor: actor, subject: Pseudonym.hex(pseudonym), purpose: row[1], details: details))
        }
        return (events, lastID)
    }
}
