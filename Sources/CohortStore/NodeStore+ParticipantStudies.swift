public import Foundation
import GRDB

extension NodeStore {
    /// Writes (durably, in one transaction) the state of participant study `study`, replacing
    /// what was stored. The bytes are opaque to the store (the study engine's encoding).
    public func saveParticipantStudy(_ study: String, state: Data) throws {
        try mapDatabaseErrors {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO participant_studies (study, state, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT(study) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                        """,
                    arguments: [study, state, Int64(Date().timeIntervalSince1970)])
            }
        }
    }

    /// Removes the stored state of participant study `study` (no error if there is none).
    public func deleteParticipantStudy(_ study: String) throws {
        try mapDatabaseErrors {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM participant_studies WHERE study = ?", arguments: [study])
            }
        }
    }

    /// Every stored participant study state, by study id. O(n) in the stored studies.
    public func participantStudies() throws -> [String: Data] {
        try mapDatabaseErrors {
            try pool.read { db in
                var out: [String: Data] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT study, state FROM participant_studies") {
                    out[row["study"]] = row["state"]
                }
                return out
            }
        }
    }
}
