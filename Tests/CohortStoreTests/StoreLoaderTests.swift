import CohortCore
import CohortAnalytics
import Foundation
import Testing
@testable import CohortStore

@Suite("analytics loaders")
struct StoreLoaderTests {
    @Test("loads exactly the consenting customers and their transactions up to the date")
    func consenting() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        // Transactions deliberately out of customer/time order.
        let tx = try node.temp.write("tx.csv", """
            customer_id,ts,amount_minor,currency,channel,category
            c4,2024-01-03T00:00:00Z,40,EUR,app,toys
            c1,2024-01-02T00:00:00Z,20,EUR,web,books
            c2,2024-01-01T00:00:00Z,99,EUR,web,books
            c1,2024-01-01T00:00:00Z,10,EUR,store,toys
            c4,2024-01-01T00:00:00Z,30,EUR,web,books
            c1,2024-06-01T00:00:00Z,50,EUR,web,books

            """)
        _ = try await node.store.importCSV(.transactions, from: tx, audit: node.audit)
        for id in ["c1", "c4"] {
            try await node.store.recordConsent(customerID: id, purpose: .benchmarking, action: .grant, at: utc("2024-01-01"), audit: node.audit)
        }
        let (customers, transactions) = try node.store.loadAnalyticsTables(purpose: .benchmarking, consentAt: utc("2024-03-01"), transactionsUpTo: utc("2024-03-01"))
        #expect(customers.ids == ["c1", "c4"])
        #expect(customers.signupDay == [Int32(CivilTime.parseDate("2023-01-05") ?? 0), Int32(CivilTime.parseDate("2023-04-20") ?? 0)])
        #expect(customers.nps == [9, 7])
        #expect(customers.churned == [false, false])
        #expect(transactions.customer == [0, 0, 1, 1])
        #expect(transactions.amountMinor == [10, 20, 30, 40])
        #expect(transactions.timestamp == [utc("2024-01-01"), utc("2024-01-02"), utc("2024-01-01"), utc("2024-01-03")]
            .map { CivilTime.unixSeconds($0) })
        let channels = transactions.channel.map { transactions.channelNames[Int($0)] }
        let categories = transactions.category.map { transactions.categoryNames[Int($0)] }
        #expect(channels == ["store", "web", "web", "app"])
        #expect(categories == ["toys", "books", "books", "toys"])

        let all = try node.store.loadAllAnalyticsTables()
        #expect(all.customers.ids == ["c1", "c2", "c3", "c4"])
        #expect(all.customers.birthYear == [1980, nil, 1990, 1975])
        #expect(all.customers.churnDay[1] == Int32(CivilTime.parseDate("2024-01-10") ?? 0))
        #expect(all.transactions.count == 6)
        #expect(all.transactions.customer == [0, 0, 0, 1, 3, 3])
    }

    @Test("no consenting customers gives empty tables")
    func empty() async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let (customers, transactions) = try node.store.loadAnalyticsTables(purpose: .modelTraining, consentAt: Date(), transactionsUpTo: Date())
        #expect(customers.count == 0)
        #expect(transactions.count == 0)
    }
}
