extension SecureAggregation {
    /// A release-build micro benchmark of the protocol core (no network): the lead can call it
    /// from a benchmark command. Timings depend on the machine; tests never assert them.
    public enum Benchmark {
        /// Measured times, medians over the repetitions, in seconds.
        public struct Report: Sendable, Hashable {
            /// n.
            public let parties: Int
            /// L.
            public let vectorLength: Int
            /// One whole in-memory aggregation with no dropouts (all parties and the lead).
            public let protocolSeconds: Double
            /// The same with one party dropping after sharing its keys (recovery path).
            public let protocolWithDropoutSeconds: Double
            /// One mask expansion of L words.
            public let maskExpansionSeconds: Double
            /// Adding the n plain vectors (the work without secure aggregation).
            public let plainSumSeconds: Double
            /// Estimated payload bytes per party (see ``MessageSizes``).
            public let sizes: MessageSizes
        }

        /// Runs `repetitions` (1…1000) aggregations of `parties` random vectors of `vectorLength`
        /// words with the minimum safe threshold, and times the parts. O(repetitions·n²·L).
        /// - Throws: ``SecureAggregationError`` for an invalid configuration or repetition count,
        ///   or when a run does not release the exact sum.
        public static func measure(parties: Int, vectorLength: Int, repetitions: Int = 5) throws -> Report {
            guard repetitions >= 1, repetitions <= 1000 else {
                throw SecureAggregationError(.invalidParameter, "repetitions must be in 1…1000, got \(repetitions)")
            }
            let names = (0 ..< parties).map { "party-\($0)" }
            let config = try Configuration(study: "benchmark", round: 1, parties: names, threshold: Configuration.minimumThreshold(parties: parties), vectorLength: vectorLength, inputBound: 1 << 20)
            var inputs: [String: [Int64]] = [:]
            var expected = [Int64](repeating: 0, count: vectorLength)
            for (k, name) in names.enumerated() {
                var v = [Int64]()
                v.reserveCapacity(vectorLength)
                for i in 0 ..< vectorLength {
                    let raw: Int = (i &* 7919 &+ k &* 104_729) % (1 << 20)
                    v.append(Int64(raw) - (1 << 19))
                }
                inputs[name] = v
                for i in 0 ..< vectorLength { expected[i] += v[i] }
            }
            let clock = ContinuousClock()
            func median(_ body: () throws -> Void) rethrows -> Double {
                var times = [Double]()
                for _ in 0 ..< repetitions {
                    let d = try clock.measure(body)
                    times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
                }
                times.sort()
                return times[times.count / 2]
            }
            let full = try median {
                let outcome = try LocalRun.run(configuration: config, inputs: inputs, seed: 1)
                guard outcome.result?.values == expected else {
                    throw SecureAggregationError(.sumOutOfBound, "benchmark run did not release the exact sum: \(outcome.failure?.description ?? "wrong values")")
                }
            }
            let dropout = try median {
                let outcome = try LocalRun.run(configuration: config, inputs: inputs, dropouts: [names[0]: .beforeMaskedInput], seed: 2)
                guard outcome.result != nil else {
                    throw SecureAggregationError(.tooFewSurvivors, "benchmark dropout run released nothing: \(outcome.failure?.description ?? "")")
                }
            }
            var sink = [UInt64](repeating: 0, count: vectorLength)
            let seed = try Seed(bytes: [UInt8](repeating: 7, count: 32))
            let expansion = try median { try MaskGenerator.apply(seed, domain: .pairwise, sign: .add, to: &sink) }
            let plain = median {
                var total = [Int64](repeating: 0, count: vectorLength)
                for name in names {
                    guard let v = inputs[name] else { continue }
                    for i in 0 ..< vectorLength { total[i] &+= v[i] }
                }
                sink[0] &+= UInt64(bitPattern: total[0])
            }
            return Report(parties: parties, vectorLength: vectorLength, protocolSeconds: full, protocolWithDropoutSeconds: dropout,
                          maskExpansionSeconds: expansion, plainSumSeconds: plain, sizes: MessageSizes(parties: parties, vectorLength: vectorLength))
        }
    }
}
