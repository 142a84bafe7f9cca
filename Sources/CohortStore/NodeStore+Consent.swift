public import CohortCore
public import CohortAudit
public import Foundation
import GRDB

/// One stored consent event.
public struct ConsentEvent: Sendable, Equatable {
    /// `consent_events.id` (insertion order; breaks ties between equal times).
    public var id: Int64
    /// The partner's customer id.
    public var customerID: String
    /// The purpose.
    public var purpose: Purpose
    /// Grant or withdraw.
    public var action: ConsentAction
    /// When it took effect (whole seconds, UTC).
    public var at: Date
    /// How consent was collected (e.g. `web-form`), if recorded.
    public var method: String?
    /// The privacy-policy version the customer saw, if recorded.
    public var policyVersion: String?
}

/// Consent counts for one purpose as of a date.
public struct ConsentStatusCounts: Sendable, Equatable {
    /// The purpose.
    public var purpose: Purpose
    /// Customers whose latest event (at or before the date) is a grant.
    public var granted: Int
    /// Customers whose latest event is a withdrawal.
    public var withdrawn: Int
    /// Customers with no event for the purpose at or before the date.
    public var neverAsked: Int

    /// Creates counts.
    public init(purpose: Purpose, granted: Int, withdrawn: Int, neverAsked: Int) {
        self.purpose = purpose
        self.granted = granted
        self.withdrawn = withdrawn
        self.neverAsked = neverAsked
    }
}

extension NodeStore {
    /// Records one consent grant or withdrawal for a customer, audited
    /// (`consent.granted` / `consent.withdrawn`, subject = pseudonym hex) before it commits.
    ///
    /// - Parameters:
    ///   - at: when the consent decision was made (stored in whole seconds).
    ///   - method: how consent was collected (free text), optional.
    ///   - policyVersion: the policy version shown, optional.
    ///   - actor: who records it (audit actor).
    /// - Throws: ``StoreError`` `.invalidArgument` (`at` outside ``CivilTime/supportedSeconds``),
    ///   `.unknownCustomer`, `.auditFailed`, `.database`.
    @discardableResult
    public func recordConsent(
        customerID: String, purpose: Purpose, action: ConsentAction, at: Date,
        method: String? = nil, policyVersion: String? = nil, actor: String = "operator",
        audit: any AuditRecording
    ) async throws -> ConsentEvent {
        let seconds = try CivilTime.checkedUnixSeconds(at, what: "consent time (at)")
        let session = try WriteSession(directory: directory, label: "consent")
        defer { session.close() }
        let (event, pseudonym) = try await session.begin { db in
            try mapDatabaseErrors {
                guard let row = try Row.fetchOne(db, sql: "SELECT id, pseudonym FROM customers WHERE customer_id = ?", arguments: [customerID]) else {
                    throw StoreError(.unknownCustomer, "unknown customer '\(customerID)'")
                }
                let customer: Int64 = row[0]
                let pseudonym: Data = row[1]
                try db.execute(
                    sql: "INSERT INTO consent_events (customer, purpose, action, at, method, policy_version) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [customer, purpose.rawValue, action.rawValue, seconds, method, policyVersion])
                let event = ConsentEvent(
                    id: db.lastInsertedRowID, customerID: customerID, purpose: purpose, action: action,
                    at: CivilTime.date(unixSeconds: seconds), method: method, policyVersion: policyVersion)
                return (event, Pseudonym.hex(pseudonym))
            }
        }
        try await session.auditThenCommit([
            .consent(
                granted: action == .grant, actor: actor, pseudonym: pseudonym, purpose: purpose.rawValue,
                at: CivilTime.iso8601(unixSeconds: seconds), source: .cli, method: method, policyVersion: policyVersion),
        ], audit: audit)
        return event
    }

    /// The customer row ids whose latest consent event for `purpose` at or before `asOf`
    /// is a grant (ties on the same timestamp: the later inserted event wins), ascending.
    /// O(events for the purpose).
    func consentingRowIDs(_ db: Database, purpose: Purpose, asOf: Int64) throws -> [Int64] {
        var result: [Int64] = []
        // Ordered by (customer, at, id) via index consent_by_purpose (rowid is its tail).
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT customer, action FROM consent_events INDEXED BY consent_by_purpose
            WHERE purpose = ? AND at <= ? ORDER BY customer, at, id
            """, arguments: [purpose.rawValue, asOf])
        var current: Int64 = -1
        var granted = false
        while let row = try cursor.next() {
            let customer: Int64 = row[0]
            if customer != current {
                if current >= 0 && granted { result.append(current) }
                current = customer
            }
            let action: String = row[1]
            granted = action == ConsentAction.grant.rawValue
        }
        if current >= 0 && granted { result.append(current) }
        return result
    }

    /// The partner customer ids that consent to `purpose` as of `asOf` (latest event at or
    /// before `asOf` is a grant; same-time ties: later inserted wins), in customer row order.
    public func consentingCustomers(purpose: Purpose, asOf: Date) throws -> [String] {
        try mapDatabaseErrors {
            try pool.read { db in
                let rows = try consentingRowIDs(db, purpose: purpose, asOf: CivilTime.unixSeconds(asOf))
                let ids = Set(rows)
                var out: [String] = []
                out.reserveCapacity(rows.count)
                let cursor = try Row.fetchCursor(db, sql: "SELECT id, customer_id FROM customers ORDER BY id")
                while let row = try cursor.next() {
                    let id: Int64 = row[0]
                    if ids.contains(id) { out.append(row[1]) }
                }
                return out
            }
        }
    }

    /// A number that changes whenever a consent event is added or deleted or a customer is
    /// deleted (erasure, import rollback), in any purpose. Equal values at two times mean no
    /// consenting set can have lost anyone in between, except through an event already stored
    /// with a later time becoming effective (see ``nextConsentChange(purpose:after:)``). O(1).
    public func consentGeneration() throws -> Int64 {
        try mapDatabaseErrors {
            try pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT value FROM consent_generation WHERE id = 1") ?? 0
            }
        }
    }

    /// The earliest time after `after` at which a stored consent event for `purpose` takes
    /// effect (an event recorded with a future time), or `nil` if there is none.
    /// O(events for the purpose).
    public func nextConsentChange(purpose: Purpose, after: Date) throws -> Date? {
        try mapDatabaseErrors {
            try pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT min(at) FROM consent_events WHERE purpose = ? AND at > ?",
                                   arguments: [purpose.rawValue, CivilTime.unixSeconds(after)])
                    .map { CivilTime.date(unixSeconds: $0) }
            }
        }
    }

    /// The customer's consent state for `purpose` as of `asOf`: the latest event's action,
    /// or nil if never asked. Throws `.unknownCustomer` for an unknown id.
    public func consentState(customerID: String, purpose: Purpose, asOf: Date) throws -> ConsentAction? {
        try mapDatabaseErrors {
            try pool.read { db in
                guard let customer = try Int64.fetchOne(db, sql: "SELECT id FROM customers WHERE customer_id = ?", arguments: [customerID]) else {
                    throw StoreError(.unknownCustomer, "unknown customer '\(customerID)'")
                }
                let action = try String.fetchOne(db, sql: """
                    SELECT action FROM consent_events WHERE customer = ? AND purpose = ? AND at <= ?
                    ORDER BY at DESC, id DESC LIMIT 1
                    """, arguments: [customer, purpose.rawValue, CivilTime.unixSeconds(asOf)])
                return action.flatMap(ConsentAction.init(rawValue:))
            }
        }
    }

    /// All consent events of a customer, oldest first (by time, then insertion).
    public func consentHistory(customerID: String) throws -> [ConsentEvent] {
        try mapDatabaseErrors {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT e.id, e.purpose, e.action, e.at, e.method, e.policy_version
                    FROM consent_events e JOIN customers c ON c.id = e.customer
                    WHERE c.customer_id = ? ORDER BY e.at, e.id
                    """, arguments: [customerID]).compactMap { row in
                    guard let purpose = Purpose(rawValue: row[1]), let action = ConsentAction(rawValue: row[2]) else { return nil }
                    return ConsentEvent(id: row[0], customerID: customerID, purpose: purpose, action: action,
                                        at: CivilTime.date(unixSeconds: row[3]), method: row[4], policyVersion: row[5])
                }
            }
        }
    }

    /// Counts per purpose of customers granted / withdrawn / never asked, as of `asOf`.
    ///
    /// - Parameter purpose: one purpose, or nil for all (in ``Purpose/allCases`` order).
    public func consentStatus(purpose: Purpose? = nil, asOf: Date) throws -> [ConsentStatusCounts] {
        try mapDatabaseErrors {
            try pool.read { db in
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM customers") ?? 0
                let seconds = CivilTime.unixSeconds(asOf)
                return try (purpose.map { [$0] } ?? Purpose.allCases).map { purpose in
                    let granted = try consentingRowIDs(db, purpose: purpose, asOf: seconds).count
                    let asked = try Int.fetchOne(db, sql: """
                        SELECT count(DISTINCT customer) FROM consent_events WHERE purpose = ? AND at <= ?
                        """, arguments: [purpose.rawValue, seconds]) ?? 0
                    return ConsentStatusCounts(purpose: purpose, granted: granted, withdrawn: asked - granted, neverAsked: total - asked)
                }
            }
        }
    }
}
