import CohortAnalytics

/// Benchmark workloads of the analytics core (issue 2 targets). Synthetic inputs are built in the
/// untimed setup from a fixed seed; only the measured call is timed with `ContinuousClock`.
enum AnalyticsBench {
    /// Each workload returns one measured figure.
    static func workloads() -> [BenchWorkload] {
        [
            BenchWorkload(name: "analytics.features.1m-customers-10m-transactions", unit: "s", target: 3,
                          higherIsBetter: false) {
                let (customers, transactions, asOf) = syntheticTables(customers: 1_000_000, meanTransactions: 10, seed: 7)
                let seconds = try bestOf(2) {
                    _ = try Analytics.Features.compute(customers: customers, transactions: transactions, asOf: asOf)
                }
                return seconds
            },
            BenchWorkload(name: "analytics.kmeans.lloyd-step.1m-x8-k8", unit: "ms", target: 100,
                          higherIsBetter: false) {
                let points = randomMatrix(rows: 1_000_000, cols: 8, seed: 11)
                let centroids = points.selectingRows(Array(stride(from: 0, to: 8 * 1009, by: 1009)))
                return try bestOf(5) { _ = try Analytics.KMeans.stepSums(points: points, centroids: centroids) } * 1000
            },
            BenchWorkload(name: "analytics.logreg.gradient.1m-x16", unit: "ms", target: 50,
                          higherIsBetter: false) {
                let (x, labels, weights) = logisticInputs()
                return try bestOf(5) {
                    _ = try Analytics.LogisticRegression.gradientSum(
                        features: x, labels: labels, weights: weights, intercept: 0.1, includeLoss: false)
                } * 1000
            },
            BenchWorkload(name: "analytics.logreg.gradient-and-loss.1m-x16", unit: "ms", target: 50,
                          higherIsBetter: false) {
                let (x, labels, weights) = logisticInputs()
                return try bestOf(5) {
                    _ = try Analytics.LogisticRegression.gradientSum(features: x, labels: labels, weights: weights, intercept: 0.1)
                } * 1000
            },
        ]
    }

    /// 1M × 16 uniform features, random 0/1 labels and fixed weights.
    static func logisticInputs() -> (Analytics.Matrix, [Double], [Double]) {
        let x = randomMatrix(rows: 1_000_000, cols: 16, seed: 13)
        var generator = Analytics.SplitMix64(seed: 17)
        let labels = (0..<x.rows).map { _ in Double(generator.next() & 1) }
        return (x, labels, (0..<16).map { Double($0) / 40 - 0.2 })
    }

    /// Fastest of `runs` timed executions of `body`, in seconds.
    static func bestOf(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<runs {
            let elapsed = try clock.measure(body)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
        }
        return best
    }

    /// A `rows × cols` matrix of uniform values in [−1, 1).
    static func randomMatrix(rows: Int, cols: Int, seed: UInt64) -> Analytics.Matrix {
        var generator = Analytics.SplitMix64(seed: seed)
        let storage = (0..<(rows * cols)).map { _ in Double(generator.next() >> 11) * 0x1p-52 - 1 }
        return (try? Analytics.Matrix(rows: rows, cols: cols, storage: storage)) ?? Analytics.Matrix(rows: 0, cols: cols)
    }

    /// Synthetic customers (signups over 3 years) and on average `meanTransactions` transactions
    /// each (uniform 0…2·mean), sorted by customer then time, over the 2 years before the as-of
    /// day; 5 % refunds; 4 channels.
    static func syntheticTables(customers n: Int, meanTransactions: Int, seed: UInt64)
        -> (Analytics.CustomerTable, Analytics.TransactionTable, Int32) {
        var generator = Analytics.SplitMix64(seed: seed)
        let asOf: Int32 = 20_000
        var customers = Analytics.CustomerTable()
        customers.ids.reserveCapacity(n)
        var customer: [Int32] = [], timestamp: [Int64] = [], amount: [Int64] = []
        var channel: [UInt16] = [], category: [UInt16] = []
        let expected = n * meanTransactions
        customer.reserveCapacity(expected); timestamp.reserveCapacity(expected); amount.reserveCapacity(expected)
        channel.reserveCapacity(expected); category.reserveCapacity(expected)
        var times: [Int64] = []
        for i in 0..<n {
            let r = generator.next()
            let signup = asOf - Int32(r % 1095)
            let nps: Int8? = r >> 40 & 3 == 0 ? Int8(r >> 20 % 11) : nil
            customers.append(id: "C\(i)", signupDay: signup, nps: nps, churned: r >> 50 & 1 == 1)
            let count = Int(generator.next() % UInt64(2 * meanTransactions + 1))
            times.removeAll(keepingCapacity: true)
            let start = Int64(asOf - 730) * 86_400
            for _ in 0..<count { times.append(start + Int64(generator.next() % (731 * 86_400))) }
            times.sort()
            for t in times {
                let g = generator.next()
                customer.append(Int32(i))
                timestamp.append(t)
                let value = Int64(500 + g % 20_000)
                amount.append(g >> 32 % 20 == 0 ? -value / 2 : value)
                channel.append(UInt16(g >> 40 & 3))
                category.append(UInt16(g >> 48 % 10))
            }
        }
        let transactions = Analytics.TransactionTable(
            customer: customer, timestamp: timestamp, amountMinor: amount, channel: channel, category: category,
            channelNames: ["web", "store", "app", "phone"], categoryNames: (0..<10).map { "cat\($0)" })
        return (customers, transactions, asOf)
    }
}
