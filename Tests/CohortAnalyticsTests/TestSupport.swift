import CohortAnalytics
import Foundation

/// Tiny deterministic generator for tests (xorshift64*; independent of the module's SplitMix64).
struct TestGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal by Box–Muller.
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * Analytics.Math.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Seconds since epoch of `day` at `seconds` past midnight.
func ts(_ day: Int64, _ seconds: Int64 = 43_200) -> Int64 { day * 86_400 + seconds }

/// Builds a transaction table from (customer, day, amount, channel) tuples (already sorted).
func transactions(_ rows: [(Int32, Int64, Int64, UInt16)], seconds: [Int64]? = nil, channels: [String] = ["web", "store", "app"])
    -> Analytics.TransactionTable {
    Analytics.TransactionTable(
        customer: rows.map(\.0),
        timestamp: rows.enumerated().map { i, r in ts(r.1, seconds?[i] ?? 43_200) },
        amountMinor: rows.map(\.2), channel: rows.map(\.3), category: rows.map { _ in 0 },
        channelNames: channels, categoryNames: ["general"])
}

/// A random population: `n` customers with 0…2·mean purchases over the last 500 days.
func randomTables(n: Int, meanTransactions: Int, seed: UInt64, asOf: Int32 = 1000)
    -> (Analytics.CustomerTable, Analytics.TransactionTable) {
    var g = TestGenerator(seed: seed)
    var customers = Analytics.CustomerTable()
    var rows: [(Int32, Int64, Int64, UInt16)] = []
    for i in 0..<n {
        let activity = g.uniform()   // churn-prone customers stop buying early
        let churned = activity < 0.3
        let npsValue = Int8(g.next() % 11)
        customers.append(id: "cust-\(i)", signupDay: asOf - Int32(g.next() % 700), nps: g.next() % 4 == 0 ? nil : npsValue,
                         churned: g.next() % 10 == 0 ? nil : churned)
        let count = Int(g.next() % UInt64(2 * meanTransactions + 1))
        let lastDay = churned ? Int64(asOf) - 200 - Int64(g.next() % 200) : Int64(asOf) - Int64(g.next() % 60)
        var days = (0..<count).map { _ in lastDay - Int64(g.next() % 300) }
        days.sort()
        for d in days {
            let amount = Int64(100 + g.next() % 10_000)
            rows.append((Int32(i), d, g.next() % 15 == 0 ? -amount / 2 : amount, UInt16(g.next() % 3)))
        }
    }
    return (customers, transactions(rows))
}
