import CohortPrivacy

extension Learning {
    /// Runs a federated study in memory: every party contributes, adds its own discrete Gaussian
    /// noise from a seeded source (simulation: the result is NOT private and says so through the
    /// seed), the contributions are summed with overflow checks and the lead advances — exactly
    /// the round loop of the study machines, without the network.
    public enum Simulation {
        /// The outcome of a simulated study.
        public struct Outcome<Result: Sendable>: Sendable {
            /// The released result.
            public var result: Result
            /// Rounds run (≤ the algorithm's ``FederatedAlgorithm/maximumRounds``).
            public var rounds: Int
        }

        /// Runs `algorithm` over `parties`. Party `p`'s noise in round `r` comes from
        /// a seeded stream derived from `seed`, `p` and `r`; its sampling randomness from another derived
        /// stream. With `noise: false` nothing is added (σ = 0 known-answer runs).
        /// O(rounds · Σ contribution cost).
        /// - Throws: whatever the algorithm throws; `overflow` if a sum leaves Int64;
        ///   `invalidPayload` if the algorithm does not finish within its maximum rounds.
        public static func run<A: FederatedAlgorithm>(
            _ algorithm: A, parties: [Customers], seed: UInt64, noise: Bool = true
        ) throws -> Outcome<A.Result> {
            var payload = algorithm.initialPayload
            let root = Privacy.SeededGenerator(seed: seed)
            for round in 0..<algorithm.maximumRounds {
                let plan = try algorithm.roundNoise(for: payload)
                var sum = [Int64](repeating: 0, count: plan.dimension)
                for (p, customers) in parties.enumerated() {
                    var sampling = root.derived(UInt64(p) &* 1_000_003 &+ UInt64(round) &* 7 &+ 1)
                    let local = try algorithm.localContribution(payload, customers: customers, using: &sampling)
                    var seedStream = root.derived(UInt64(p) &* 1_000_003 &+ UInt64(round) &* 7 &+ 2)
                    var rng = Privacy.SeededRandomness(seed: seedStream.next())
                    let noised = noise ? try plan.addNoise(to: local, using: &rng) : local
                    guard noised.count == sum.count else {
                        throw LearningError(.dimensionMismatch, "party \(p) sent \(noised.count) values in round \(round), expected \(sum.count)")
                    }
                    for j in sum.indices {
                        let (s, o) = sum[j].addingReportingOverflow(noised[j])
                        guard !o else { throw LearningError(.overflow, "round \(round): sum at index \(j) overflows Int64") }
                        sum[j] = s
                    }
                }
                switch try algorithm.advance(payload, aggregate: sum, round: round) {
                case .nextRound(let next): payload = next
                case .finished(let result): return Outcome(result: result, rounds: round + 1)
                }
            }
            throw LearningError(.invalidPayload, "the study did not finish within its \(algorithm.maximumRounds) budgeted rounds")
        }
    }
}
