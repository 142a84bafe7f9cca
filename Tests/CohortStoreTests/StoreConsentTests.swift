import GRDB
import CohortCore
import CohortAudit
import Foundation
import Testing
@testable import CohortStore

@Suite("consent and erasure")
struct StoreConsentTests {
    @Test("latest event at or before the date decides; same-time ties go to the later row")
    func asOf() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let s = node.store
        let a = node.audit
        try await s.recordConsent(customerID: "c1", purpose: .segmentation, action: .grant, at: utc("2024-01-01"), audit: a)
        try await s.recordConsent(customerID: "c1", purpose: .segmentation, action: .withdraw, at: utc("2024-03-01"), audit: a)
        try await s.recordConsent(customerID: "c2", purpose: .segmentation, action: .grant, at: utc("2024-02-01"), audit: a)
        // Same timestamp: withdraw then grant -> grant wins (inserted later).
        try await s.recordConsent(customerID: "c3", purpose: .segmentation, action: .withdraw, at: utc("2024-01-15"), audit: a)
        try await s.recordConsent(customerID: "c3", purpose: .segmentation, action: .grant, at: utc("2024-01-15"), audit: a)
        // Same timestamp: grant then withdraw -> withdrawn.
        try await s.recordConsent(customerID: "c4", purpose: .segmentation, action: .grant, at: utc("2024-01-15"), audit: a)
        try await s.recordConsent(customerID: "c4", purpose: .segmentation, action: .withdraw, at: utc("2024-01-15"), audit: a)
        // Other purpose does not count.
        try await s.recordConsent(customerID: "c2", purpose: .benchmarking, action: .withdraw, at: utc("2024-01-01"), audit: a)

        #expect(try s.consentingCustomers(purpose: .segmentation, asOf: utc("2023-12-31")) == [])
        #expect(try s.consentingCustomers(purpose: .segmentation, asOf: utc("2024-01-01")) == ["c1"])
        #expect(try s.consentingCustomers(purpose: .segmentation, asOf: utc("2024-01-15")) == ["c1", "c3"])
        #expect(try s.consentingCustomers(purpose: .segmentation, asOf: utc("2024-02-01")) == ["c1", "c2", "c3"])
        #expect(try s.consentingCustomers(purpose: .segmentation, asOf: utc("2024-03-01")) == ["c2", "c3"])
        #expect(try s.consentingCustomers(purpose: .benchmarking, asOf: utc("2024-03-01")) == [])
        #expect(try s.consentState(customerID: "c4", purpose: .segmentation, asOf: utc("2024-06-01")) == .withdraw)
        #expect(try s.consentState(customerID: "c4", purpose: .modelTraining, asOf: utc("2024-06-01")) == nil)

        let status = try s.consentStatus(asOf: utc("2024-03-01"))
        #expect(status == [
            ConsentStatusCounts(purpose: .segmentation, granted: 2, withdrawn: 2, neverAsked: 0),
            ConsentStatusCounts(purpose: .benchmarking, granted: 0, withdrawn: 1, neverAsked: 3),
            ConsentStatusCounts(purpose: .modelTraining, granted: 0, withdrawn: 0, neverAsked: 4),
        ])
        #expect(try s.consentStatus(purpose: .segmentation, asOf: utc("2024-01-10"))
                == [ConsentStatusCounts(purpose: .segmentation, granted: 1, withdrawn: 0, neverAsked: 3)])

        let events = await a.events.filter { $0.type == .consentGranted || $0.type == .consentWithdrawn }
        #expect(events.count == 8)
        #expect(events[0].subject == (try s.pseudonym(customerID: "c1")))
        #expect(events[0].purpose == "segmentation")
    }

    @Test("consent for an unknown customer is refused and not audited")
    func unknownCustomer() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = await node.audit.events.count
        await #expect(throws: StoreError.self) {
            try await node.store.recordConsent(customerID: "ghost", purpose: .segmentation, action: .grant, at: Date(), audit: node.audit)
        }
        #expect(await node.audit.events.count == before)
    }

    @Test("erase deletes rows and mapping, audits the pseudonym")
    func erase() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        _ = try await node.store.importCSV(.transactions, from: try node.temp.write("tx.csv", TestNode.transactionsCSV), audit: node.audit)
        try await node.store.recordConsent(customerID: "c1", purpose: .segmentation, action: .grant, at: utc("2024-01-01"), audit: node.audit)
        let pseudonym = try #require(try node.store.pseudonym(customerID: "c1"))
        let report = try await node.store.eraseCustomer(customerID: "c1", audit: node.audit)
        #expect(report == ErasureReport(pseudonym: pseudonym, transactionsDeleted: 2, consentEventsDeleted: 1))
        #expect(try node.store.pseudonym(customerID: "c1") == nil)
        #expect(try node.store.counts() == (3, 3, 0))
        let last = await node.audit.events.last
        #expect(last?.type == .subjectErased)
        #expect(last?.subject == pseudonym)
        let leftover = try await node.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM customers WHERE hex(pseudonym) = upper(?)", arguments: [pseudonym])
        }
        #expect(leftover == 0)
    }

    @Test("erasing an unknown customer is an error and changes nothing")
    func eraseUnknown() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = try node.snapshot()
        do {
            try await node.store.eraseCustomer(customerID: "ghost", audit: node.audit)
            Issue.record("erased an unknown customer")
        } catch let error as StoreError {
            #expect(error.code == .unknownCustomer)
            #expect(error.description.contains("ghost"))
        }
        let after = try node.snapshot()
        #expect(after.content == before.content)
        #expect(after.fileHash == before.fileHash)
    }

    @Test("the consent generation moves with every consent event and erasure, and with nothing else; future-dated events are reported")
    func consentGeneration() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let s = node.store
        let a = node.audit
        let start = try s.consentGeneration()
        try await s.recordConsent(customerID: "c1", purpose: .segmentation, action: .grant, at: utc("2024-01-01"), audit: a)
        let afterGrant = try s.consentGeneration()
        #expect(afterGrant > start)
        // Reads and a consent check change nothing.
        _ = try s.consentingCustomers(purpose: .segmentation, asOf: utc("2024-06-01"))
        #expect(try s.consentGeneration() == afterGrant)
        try await s.recordConsent(customerID: "c2", purpose: .modelTraining, action: .withdraw, at: utc("2024-01-02"), audit: a)
        let afterWithdrawal = try s.consentGeneration()
        #expect(afterWithdrawal > afterGrant)
        try await s.eraseCustomer(customerID: "c3", audit: a)
        #expect(try s.consentGeneration() > afterWithdrawal)

        #expect(try s.nextConsentChange(purpose: .segmentation, after: utc("2024-06-01")) == nil)
        try await s.recordConsent(customerID: "c1", purpose: .segmentation, action: .withdraw, at: utc("2030-01-01"), audit: a)
        #expect(try s.nextConsentChange(purpose: .segmentation, after: utc("2024-06-01")) == utc("2030-01-01"))
        #expect(try s.nextConsentChange(purpose: .benchmarking, after: utc("2024-06-01")) == nil)
        #expect(try s.nextConsentChange(purpose: .segmentation, after: utc("2030-01-01")) == nil)
    }
}
