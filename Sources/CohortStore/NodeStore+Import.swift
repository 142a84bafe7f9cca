public import CohortAudit
import Foundation
import GRDB

extension NodeStore {
    /// Imports a CSV file (schema by `kind`, see ``ImportKind``), streaming.
    ///
    /// All-or-nothing by default: the file is imported in one IMMEDIATE transaction and the
    /// first bad row aborts it (nothing is stored; the error names file, line, column and
    /// reason). With ``ImportOptions/skipInvalid`` the good rows are stored and the bad ones
    /// written to ``ImportOptions/rejectsPath`` (see ``RejectsPathPolicy``: never the input,
    /// never inside the node directory, an existing file only with
    /// ``ImportOptions/replaceRejects``).
    ///
    /// A file whose SHA-256 was already imported as the same kind is refused with
    /// `.alreadyImported` (naming the earlier import, its time and counts) unless
    /// ``ImportOptions/allowDuplicate``.
    ///
    /// Audit protocol (docs/audit.md, "Imports"), so that the log agrees with the store
    /// whenever the process stops:
    /// 1. rows are inserted and validated; a failure here rolls back and audits nothing;
    /// 2. the import id is chosen (one more than every id in `imports`, `imports_rolled_back`
    ///    and the pending markers, so it is never reused) and a pending marker
    ///    (``PendingImportMarker``) is written durably;
    /// 3. `data.imported` (details: kind, file, sha256, accepted, rejected, import_id, and
    ///    duplicate_of when forced) and, for consent files, one `consent.granted` /
    ///    `consent.withdrawn` entry per stored row (subject = pseudonym hex, details.import_id),
    ///    in batches of 10 000, are made durable while the transaction is open;
    /// 4. the transaction commits; then `import.committed` is recorded and the marker removed.
    ///
    /// If anything fails in 3–4, the transaction is rolled back, the id is kept in
    /// `imports_rolled_back` and `import.rolled_back` is recorded. If the process dies instead,
    /// ``reconcileImports(audit:actor:)`` records the outcome when the node is next opened.
    ///
    /// Validation: header (known, unique, required columns), field count, UTF-8, dates
    /// (calendar-correct), timestamps, integer amounts (cents) within ±``AmountBound/maxMagnitude``,
    /// currency codes, ranges (NPS 0–10, CSAT 1–5, churned 0/1), purposes and actions, duplicate
    /// customer ids (in the file and against the store), rows referencing unknown customers,
    /// records over ``ImportOptions/maxRecordBytes``.
    ///
    /// Mapped imports (``ImportOptions/mapping``, CLI `--map`) read the partner's own export
    /// through ``MappedImporter`` under the same protocol; what they derive or convert is listed
    /// in ``ImportReport/notes`` and stored in `imports.notes` (with the mapping file's name and
    /// SHA-256 in `imports.mapping`; the `data.imported` entry keeps its fixed schema). An
    /// incremental import (``ImportOptions/incremental``) of a file already imported as the same
    /// kind changes nothing, records nothing and returns ``ImportReport/nothingNewSince``.
    ///
    /// Complexity: O(rows) time; memory O(customers in the store) + O(max record size).
    public func importCSV(
        _ kind: ImportKind, from path: String, options: ImportOptions = ImportOptions(),
        audit: any AuditRecording
    ) async throws -> ImportReport {
        if options.skipInvalid {
            guard let rejects = options.rejectsPath else {
                throw StoreError(.invalidArgument, "skipping invalid rows needs a rejects file (--rejects <file>)")
            }
            try RejectsPathPolicy.check(rejects, input: path, node: directory, replaceExisting: options.replaceRejects)
        }
        let session = try WriteSession(directory: directory, label: "import", enforceForeignKeys: false)
        defer { session.close() }
        let now = Date()
        let nowSeconds = CivilTime.unixSeconds(now)
        let fileName = (path as NSString).lastPathComponent
        let directory = self.directory
        if let mapping = options.mapping, mapping.kind != kind {
            throw StoreError(.invalidMapping, "the mapping is for \(mapping.kind.rawValue), not \(kind.rawValue)", file: mapping.file)
        }
        /// Thrown inside the transaction to roll back an incremental re-import of the same file.
        struct NothingNew: Error { var earlier: ImportRecord }
        let outcome: (CSVImporter.Summary, Int64, ClosedRange<Int64>, Int64?)
        do {
            outcome = try await session.begin { db in
            try mapDatabaseErrors {
                let before = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM consent_events") ?? 0
                // The id is chosen inside the IMMEDIATE transaction, so no other import can take it.
                let importID = try Self.nextImportID(db: db, directory: directory)
                let summary: CSVImporter.Summary
                if let mapping = options.mapping {
                    summary = try MappedImporter.run(db: db, path: path, options: options, mapping: mapping, importID: importID)
                } else {
                    summary = try CSVImporter.run(db: db, kind: kind, path: path, options: options)
                }
                let after = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM consent_events") ?? 0
                let earlier = try Self.earlierImport(db: db, kind: kind, sha256: summary.sha256)
                if let earlier, options.incremental, !options.allowDuplicate {
                    throw NothingNew(earlier: earlier)
                }
                if let earlier, !options.allowDuplicate {
                    throw StoreError(
                        .alreadyImported,
                        "this file (sha256 \(summary.sha256)) was already imported as \(kind.rawValue): import #\(earlier.id) of '\(earlier.fileName)' at \(CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(earlier.at))), \(earlier.rowsAccepted) rows accepted, \(earlier.rowsRejected) rejected; nothing was imported now (use --force to import it again)",
                        file: path)
                }
                let mappingText = options.mapping.map { "\(($0.file as NSString).lastPathComponent) sha256 \($0.sha256)" }
                let notes = summary.notes.isEmpty ? nil : summary.notes.joined(separator: "\n")
                try db.execute(
                    sql: "INSERT INTO imports (id, kind, file_name, sha256, rows_accepted, rows_rejected, at, mapping, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [importID, kind.rawValue, fileName, summary.sha256, summary.accepted, summary.rejected, nowSeconds, mappingText, notes])
                return (summary, importID, before...after, earlier?.id)
            }
            }
        } catch let nothing as NothingNew {
            return ImportReport(
                kind: kind, file: path, sha256: nothing.earlier.sha256, rowsAccepted: 0, rowsRejected: 0,
                importID: nothing.earlier.id, duplicateOf: nil, rejectsPath: nil, sampleRejections: [],
                at: nothing.earlier.at,
                notes: ["nothing new: this file (sha256 \(nothing.earlier.sha256)) was already imported as import #\(nothing.earlier.id) of '\(nothing.earlier.fileName)' at \(CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(nothing.earlier.at))); the store is unchanged"],
                nothingNewSince: nothing.earlier.id)
        }
        let (summary, importID, consentRange, duplicateOf) = outcome
        let marker = PendingImportMarker(importID: importID, kind: kind, file: fileName, sha256: summary.sha256, startedAt: nowSeconds)
        do {
            try marker.write(directory)
        } catch {
            await session.rollback()
            throw error
        }
        do {
            let intent = Audit.Event.dataImported(
                actor: options.actor, kind: kind.rawValue, file: fileName, sha256: summary.sha256,
                accepted: summary.accepted, rejected: summary.rejected, importID: importID, duplicateOf: duplicateOf)
            try await session.audit([intent], audit: audit)
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
            // Record what the store now holds (normally: rolled back) and release the marker;
            // if that fails too, the marker stays and the next open reconciles it.
            _ = try? await settlePendingImport(marker, audit: audit, actor: options.actor, failure: "\(error)")
            throw error
        }
        do {
            _ = try await settlePendingImport(marker, audit: audit, actor: options.actor, failure: nil)
        } catch {
            throw StoreError(.auditFailed, "import #\(importID) was committed, but its outcome could not be recorded (\(error)); it is recorded when the node is next opened")
        }
        return ImportReport(
            kind: kind, file: path, sha256: summary.sha256, rowsAccepted: summary.accepted,
            rowsRejected: summary.rejected, importID: importID, duplicateOf: duplicateOf,
            rejectsPath: options.skipInvalid ? options.rejectsPath : nil, sampleRejections: summary.samples,
            at: CivilTime.date(unixSeconds: nowSeconds), notes: summary.notes)
    }

    /// The earliest committed import of a file with this kind and SHA-256, if any.
    static func earlierImport(db: Database, kind: ImportKind, sha256: String) throws -> ImportRecord? {
        try Row.fetchOne(db, sql: """
            SELECT id, kind, file_name, sha256, rows_accepted, rows_rejected, at FROM imports
            WHERE kind = ? AND sha256 = ? ORDER BY id LIMIT 1
            """, arguments: [kind.rawValue, sha256]).map(ImportRecord.init(row:))
    }

    /// One more than every import id ever handed out: committed (`imports`), rolled back
    /// (`imports_rolled_back`) and pending (markers of imports whose outcome is not audited yet).
    static func nextImportID(db: Database, directory: NodeDirectory) throws -> Int64 {
        let stored = try Int64.fetchOne(db, sql: """
            SELECT max(coalesce((SELECT max(id) FROM imports), 0), coalesce((SELECT max(id) FROM imports_rolled_back), 0))
            """) ?? 0
        let pending = try PendingImportMarker.all(directory).map(\.importID).max() ?? 0
        let (next, overflow) = max(stored, pending).addingReportingOverflow(1)
        guard !overflow, next <= Audit.Entry.maxSafeInteger else {
            throw StoreError(.database, "import ids are exhausted")
        }
        return next
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
            let pseudonym: Data = row[6]
            events.append(.consent(
                granted: action == ConsentAction.grant.rawValue, actor: actor, pseudonym: Pseudonym.hex(pseudonym),
                purpose: row[1], at: CivilTime.iso8601(unixSeconds: row[3]), source: .import(id: importID),
                method: row[4], policyVersion: row[5]))
        }
        return (events, lastID)
    }
}
