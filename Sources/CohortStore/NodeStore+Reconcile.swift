public import CohortAudit
public import Foundation
import GRDB

/// How a pending import was settled (see ``NodeStore/reconcileImports(audit:actor:)``).
public struct ImportSettlement: Sendable, Equatable {
    /// Whether the import's rows are stored.
    public enum Outcome: String, Sendable, Equatable {
        /// The transaction committed: `import.committed` was recorded.
        case committed
        /// The transaction did not commit: `import.rolled_back` was recorded.
        case rolledBack = "rolled-back"
    }

    /// The import id.
    public var importID: Int64
    /// The file's last path component.
    public var file: String
    /// What the store holds.
    public var outcome: Outcome
}

/// An import whose rows were rolled back after its id was handed out (`imports_rolled_back`).
public struct RolledBackImport: Sendable, Equatable {
    /// The import id (never reused).
    public var id: Int64
    /// The schema of the file.
    public var kind: ImportKind
    /// The file's last path component.
    public var fileName: String
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
    /// Why it was rolled back.
    public var reason: String
    /// When the rollback was recorded (whole seconds).
    public var at: Date
}

extension NodeStore {
    /// Settles every import whose outcome is not yet in the audit log: an import whose process
    /// stopped (killed, crashed, power loss) after its first audit entry and before its outcome
    /// entry. For each pending marker (``PendingImportMarker``): if the store holds the import
    /// (`imports` row with its id), records `import.committed`; otherwise records
    /// `import.rolled_back` (details.reconciled = 1), so the consent entries the import had
    /// logged are marked as not in force, and keeps the id in `imports_rolled_back`. Then removes
    /// the marker. (Stopped in between, the next call records the outcome again: an outcome
    /// entry may repeat, it never contradicts.)
    ///
    /// Call it whenever the node's store and audit log are opened together, before anything else
    /// (the node's `NodeSession.run` and runtime do); no import of this store may be
    /// in progress. O(pending imports).
    ///
    /// - Returns: the imports settled, oldest first (usually none).
    /// - Throws: ``StoreError`` `.auditFailed` if an outcome cannot be recorded (the marker stays),
    ///   `.io` for an unreadable marker, `.database`.
    @discardableResult
    public func reconcileImports(audit: any AuditRecording, actor: String) async throws -> [ImportSettlement] {
        PendingImportMarker.removeStrayTemporaries(directory)
        var settled: [ImportSettlement] = []
        for marker in try PendingImportMarker.all(directory) {
            settled.append(try await settlePendingImport(marker, audit: audit, actor: actor, failure: nil, reconciled: true))
        }
        return settled
    }

    /// Records the outcome of the import `marker` names, as the store holds it, and removes the
    /// marker. `failure` is the error that stopped the import in this process (nil: none known).
    func settlePendingImport(
        _ marker: PendingImportMarker, audit: any AuditRecording, actor: String, failure: String?,
        reconciled: Bool = false
    ) async throws -> ImportSettlement {
        let committed = try mapDatabaseErrors {
            try pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM imports WHERE id = ?)", arguments: [marker.importID]) ?? false
            }
        }
        let event: Audit.Event
        let reason = failure ?? "the importing process stopped before the import committed"
        if committed {
            event = .importCommitted(actor: actor, importID: marker.importID, reconciled: reconciled)
        } else {
            event = .importRolledBack(actor: actor, importID: marker.importID, reason: reason, reconciled: reconciled)
        }
        // Audited first: with the log down nothing changes, and the marker keeps the id taken.
        do {
            _ = try await audit.record(event)
        } catch {
            throw StoreError(.auditFailed, "cannot record the outcome of import #\(marker.importID) (\(marker.file)) in the audit log: \(error)")
        }
        if !committed {
            try mapDatabaseErrors {
                try pool.write { db in
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO imports_rolled_back (id, kind, file_name, sha256, reason, at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [marker.importID, marker.kind.rawValue, marker.file, marker.sha256, reason,
                                         CivilTime.unixSeconds(Date())])
                }
            }
        }
        try marker.remove(directory)
        return ImportSettlement(importID: marker.importID, file: marker.file, outcome: committed ? .committed : .rolledBack)
    }

    /// Imports whose rows were rolled back after their id was handed out, oldest first.
    public func rolledBackImports() throws -> [RolledBackImport] {
        try mapDatabaseErrors {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, kind, file_name, sha256, reason, at FROM imports_rolled_back ORDER BY id")
                    .map { row in
                        RolledBackImport(
                            id: row[0], kind: ImportKind(rawValue: row[1]) ?? .customers, fileName: row[2],
                            sha256: row[3], reason: row[4], at: CivilTime.date(unixSeconds: row[5]))
                    }
            }
        }
    }
}
