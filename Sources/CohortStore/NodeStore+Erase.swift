public import CohortAudit
import Foundation
import GRDB

/// What ``NodeStore/eraseCustomer(customerID:actor:audit:)`` deleted.
public struct ErasureReport: Sendable, Equatable {
    /// The erased customer's pseudonym (lowercase hex), as written to the audit log.
    public var pseudonym: String
    /// Transactions deleted.
    public var transactionsDeleted: Int
    /// Consent events deleted.
    public var consentEventsDeleted: Int
}

extension NodeStore {
    /// Erases a customer: deletes its transactions, consent events and customer row (which
    /// holds the pseudonym mapping), audited as `subject.erased` (subject = the pseudonym,
    /// captured before deletion) before the deletion commits. Deleted pages are overwritten
    /// (`secure_delete`) and the WAL is checkpointed afterwards, so the rows do not linger in
    /// the files.
    ///
    /// - Throws: ``StoreError`` `.unknownCustomer` if the id is not in the store.
    @discardableResult
    public func eraseCustomer(customerID: String, actor: String = "operator", audit: any AuditRecording) async throws -> ErasureReport {
        let session = try WriteSession(directory: directory, label: "erase", secureDelete: true, enforceForeignKeys: false)
        defer { session.close() }
        let report = try await session.begin { db in
            try mapDatabaseErrors {
                guard let row = try Row.fetchOne(db, sql: "SELECT id, pseudonym FROM customers WHERE customer_id = ?", arguments: [customerID]) else {
                    throw StoreError(.unknownCustomer, "unknown customer '\(customerID)' (nothing erased)")
                }
                let customer: Int64 = row[0]
                let pseudonym: Data = row[1]
                try db.execute(sql: "DELETE FROM transactions WHERE customer = ?", arguments: [customer])
                let transactions = db.changesCount
                try db.execute(sql: "DELETE FROM consent_events WHERE customer = ?", arguments: [customer])
                let consents = db.changesCount
                // Custom attributes and mapped-import order keys (foreign keys are off here).
                try db.execute(sql: "DELETE FROM customer_attributes WHERE customer = ?", arguments: [customer])
                try db.execute(sql: "DELETE FROM import_keys WHERE customer = ?", arguments: [customer])
                try db.execute(sql: "DELETE FROM customers WHERE id = ?", arguments: [customer])
                return ErasureReport(pseudonym: Pseudonym.hex(pseudonym), transactionsDeleted: transactions, consentEventsDeleted: consents)
            }
        }
        try await session.auditThenCommit([
            .subjectErased(
                actor: actor, pseudonym: report.pseudonym, transactions: report.transactionsDeleted,
                consentEvents: report.consentEventsDeleted),
        ], audit: audit)
        try? checkpoint()
        return report
    }
}
