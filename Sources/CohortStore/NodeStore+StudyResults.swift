import CohortCore
public import Foundation
import GRDB

/// A study result this node released (as lead) or received (as participant), as stored in
/// `study_results`.
public struct StoredStudyResult: Sendable, Equatable {
    /// Study identifier.
    public var study: String
    /// `lead` or `participant`.
    public var role: String
    /// The lead node.
    public var lead: String
    /// Purpose of the study.
    public var purpose: String
    /// Study kind (`histogram`, `mean`).
    public var kind: String
    /// The released result, canonical JSON (the exact bytes whose digest was audited).
    public var resultJSON: Data
    /// SHA-256 of `resultJSON`, lowercase hex.
    public var digestHex: String
    /// When this node stored it (whole seconds, UTC).
    public var storedAt: Date

    /// Creates a value.
    public init(
        study: String, role: String, lead: String, purpose: String, kind: String, resultJSON: Data,
        digestHex: String, storedAt: Date
    ) {
        self.study = study
        self.role = role
        self.lead = lead
        self.purpose = purpose
        self.kind = kind
        self.resultJSON = resultJSON
        self.digestHex = digestHex
        self.storedAt = storedAt
    }
}

extension NodeStore {
    /// Stores a released result. A result is released once: storing the same study again is an
    /// error unless the digest is identical (then it is a no-op).
    public func saveStudyResult(_ result: StoredStudyResult) throws {
        try mapDatabaseErrors {
            try pool.write { db in
                if let existing = try String.fetchOne(
                    db, sql: "SELECT digest FROM study_results WHERE study = ?", arguments: [result.study]) {
                    guard existing == result.digestHex else {
                        throw StoreError(.invalidArgument,
                            "study \(result.study) already has a different released result (digest \(existing))")
                    }
                    return
                }
                try db.execute(sql: """
                    INSERT INTO study_results (study, role, lead, purpose, kind, result_json, digest, stored_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [result.study, result.role, result.lead, result.purpose, result.kind,
                                     result.resultJSON, result.digestHex, CivilTime.unixSeconds(result.storedAt)])
            }
        }
    }

    /// The stored result of `study`, or nil.
    public func studyResult(study: String) throws -> StoredStudyResult? {
        try mapDatabaseErrors {
            try pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT study, role, lead, purpose, kind, result_json, digest, stored_at
                    FROM study_results WHERE study = ?
                    """, arguments: [study]).map(Self.studyResult(row:))
            }
        }
    }

    /// Every stored result, newest first.
    public func studyResults() throws -> [StoredStudyResult] {
        try mapDatabaseErrors {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT study, role, lead, purpose, kind, result_json, digest, stored_at
                    FROM study_results ORDER BY stored_at DESC, study
                    """).map(Self.studyResult(row:))
            }
        }
    }

    private static func studyResult(row: Row) -> StoredStudyResult {
        StoredStudyResult(
            study: row[0], role: row[1], lead: row[2], purpose: row[3], kind: row[4], resultJSON: row[5],
            digestHex: row[6], storedAt: CivilTime.date(unixSeconds: row[7]))
    }
}
