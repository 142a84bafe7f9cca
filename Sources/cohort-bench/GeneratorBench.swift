import CohortScenario
import Foundation

/// Benchmark workloads of the synthetic data generator.
enum GeneratorBench {
    /// Each workload returns one measured figure.
    static func workloads() -> [BenchWorkload] {
        [
            BenchWorkload(
                name: "generator.retail.1m-customers.write", unit: "s", target: 60,
                higherIsBetter: false,
                run: { try timedWrite(profile: .retail, customers: 1_000_000).seconds }),
            BenchWorkload(
                name: "generator.bank.100k-customers.transactions-rate", unit: "rows/s",
                target: 10_000_000.0 / 60, higherIsBetter: true,
                run: {
                    let result = try timedWrite(profile: .bank, customers: 100_000)
                    return Double(result.transactions) / result.seconds
                }),
        ]
    }

    /// Writes a dataset into a fresh temporary directory (removed afterwards) and times it.
    private static func timedWrite(
        profile: Synthetic.Profile, customers: Int
    ) throws -> (seconds: Double, transactions: Int) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cohort-bench-generator-\(profile)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let generator = try Synthetic.Generator(profile: profile, customers: customers, seed: 20_260_630)
        let clock = ContinuousClock()
        let start = clock.now
        let summary = try generator.write(to: directory)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (seconds, summary.transactionCount)
    }
}
