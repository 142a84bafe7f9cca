import CohortAnalytics
import Testing

/// Issue 10, defect 10 (analytics half): amounts up to Int64.max were accepted and two of them
/// wrapped a customer's CLV (and monetary) silently. Sums are now checked: an overflow throws
/// `AnalyticsError(.overflow)` naming the customer row and the sum, never wraps, never traps.
@Suite struct SpendOverflowTests {
    static let half = Int64.max / 2 + 1

    static func customers(_ n: Int) -> Analytics.CustomerTable {
        var c = Analytics.CustomerTable()
        for i in 0..<n { c.append(id: "p\(i)", signupDay: 0) }
        return c
    }

    /// Two purchases of Int64.max/2+1 cents in the window overflow monetary and CLV.
    @Test func twoHalfMaxAmountsInTheWindowThrowNamingCustomerAndSum() {
        let t = transactions([(0, 990, 100, 0), (1, 995, Self.half, 0), (1, 996, Self.half, 1), (2, 999, 5, 0)])
        #expect {
            try Analytics.Features.compute(customers: Self.customers(3), transactions: t, asOf: 1000)
        } throws: { error in
            guard let e = error as? AnalyticsError else { return false }
            return e.code == .overflow && e.message.contains("customer p1 (row 1)")
                && e.message.contains("monetary") && e.message.contains("CLV")
        }
    }

    /// Outside the window only CLV (whole-history spend) overflows, and the message says so.
    @Test func twoHalfMaxAmountsBeforeTheWindowOverflowCLVOnly() {
        let t = transactions([(0, 10, Self.half, 0), (0, 20, Self.half, 0)])
        #expect {
            try Analytics.Features.compute(customers: Self.customers(1), transactions: t, asOf: 1000)
        } throws: { error in
            guard let e = error as? AnalyticsError else { return false }
            return e.code == .overflow && e.message.contains("row 0") && e.message.contains("CLV")
                && !e.message.contains("monetary")
        }
    }

    /// Refunds overflow downwards too.
    @Test func twoHugeRefundsThrow() {
        let t = transactions([(0, 995, Int64.min / 2 - 1, 0), (0, 996, Int64.min / 2 - 1, 0)])
        #expect {
            try Analytics.Features.compute(customers: Self.customers(1), transactions: t, asOf: 1000)
        } throws: { ($0 as? AnalyticsError)?.code == .overflow }
    }

    /// With customers split across parallel chunks, the lowest overflowing row is reported.
    @Test func lowestOverflowingRowIsNamedAcrossChunks() {
        let n = 12_000
        var rows: [(Int32, Int64, Int64, UInt16)] = []
        for i in 0..<n {
            let overflowing = i == 7_001 || i == 11_500
            rows.append((Int32(i), 990, overflowing ? Self.half : 100, 0))
            if overflowing { rows.append((Int32(i), 991, Self.half, 0)) }
        }
        #expect {
            try Analytics.Features.compute(customers: Self.customers(n), transactions: transactions(rows), asOf: 1000)
        } throws: { error in
            (error as? AnalyticsError)?.message.contains("customer p7001 (row 7001)") == true
        }
    }

    /// Sums up to Int64.max are fine (no false alarm): Int64.max/2 twice plus 1.
    @Test func largestRepresentableSumIsAccepted() throws {
        let t = transactions([(0, 995, Int64.max / 2, 0), (0, 996, Int64.max / 2, 0), (0, 997, 1, 0)])
        let f = try Analytics.Features.compute(customers: Self.customers(1), transactions: t, asOf: 1000)
        #expect(f.monetaryMinor == [Int64.max])
        #expect(f.clvMinor == [Int64.max])
    }

    @Test func clvHistoricalThrowsOnOverflow() {
        #expect {
            try Analytics.CLV.historical(amountsMinor: [Self.half, Self.half], days: [1, 2], asOfDay: 10)
        } throws: { error in
            guard let e = error as? AnalyticsError else { return false }
            return e.code == .overflow && e.message.contains("transaction 1")
        }
        // Amounts after the as-of day are not summed, so they cannot overflow it.
        #expect((try? Analytics.CLV.historical(amountsMinor: [Self.half, Self.half], days: [1, 20], asOfDay: 10)) == Self.half)
    }
}
