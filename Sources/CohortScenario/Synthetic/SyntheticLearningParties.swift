public import CohortCore
import CohortAnalytics
public import CohortLearning

extension Synthetic {
    /// The demo's three synthetic partners (retail 60k, telecom 40k, bank 20k customers at
    /// scale 1) as learning inputs: features as of the generator's as-of date, restricted to the
    /// customers whose latest consent event for `purpose` is a grant — what each node's learning
    /// study reads. Used by the quality table (`cohort-bench quality`) and the learning tests.
    public enum LearningParties {
        /// The partners and their full sizes.
        public static let sizes: [(Profile, Int)] = [(.retail, 60_000), (.telecom, 40_000), (.bank, 20_000)]

        /// The three parties at `scale` (at least 200 customers each), seeded from `seed`.
        /// O(customers + transactions).
        public static func make(scale: Double, purpose: Purpose, seed: UInt64 = 7) throws -> [Learning.Customers] {
            try sizes.enumerated().map { index, entry in
                let generator = try Generator(
                    profile: entry.0, customers: max(200, Int((Double(entry.1) * scale).rounded())), seed: seed &+ UInt64(index))
                let dataset = generator.generate()
                let tables = dataset.analyticsTables
                let features = try Analytics.Features.compute(
                    customers: tables.customers, transactions: tables.transactions, asOf: generator.asOf.daysSinceEpoch)
                var granted = [Bool](repeating: false, count: features.count)
                let consent = dataset.consent
                for e in 0..<consent.count where consent.purpose[e] == purpose {
                    granted[Int(consent.customer[e])] = consent.action[e] == .grant
                }
                let all = try Learning.Customers(features: features, regions: tables.customers.region)
                return all.selecting((0..<all.count).filter { granted[$0] })
            }
        }
    }
}
