import CohortSecureAggregation

/// The secure-aggregation protocol core in memory (no network), at the sizes: 3 and 10
/// parties, an 11-cell histogram and a 10 000-coordinate vector. Wall time of a whole
/// aggregation, and the bytes each party sends and receives over what a plain contribution
/// would send (the key exchange included).
enum SecureAggregationBench {
    static let sizes = [(3, 11), (10, 11), (3, 10_000), (10, 10_000)]

    static func workloads() -> [BenchWorkload] {
        sizes.flatMap { parties, length in
            [
                BenchWorkload(
                    name: "secagg.protocol.\(parties)-parties.\(length)", unit: "ms", target: nil, higherIsBetter: false,
                    run: {
                        let report = try SecureAggregation.Benchmark.measure(parties: parties, vectorLength: length, repetitions: 5)
                        return report.protocolSeconds * 1000
                    }),
                // The masked vector against the plain one (the "≤ 1.1 ×" part) …
                BenchWorkload(
                    name: "secagg.vector-bytes-ratio.\(parties)-parties.\(length)", unit: "×", target: 1.1, higherIsBetter: false,
                    run: {
                        let sizes = SecureAggregation.MessageSizes(parties: parties, vectorLength: length)
                        let masked = sizes.stages.first { $0.name == "masked input" }?.sentPerParty ?? 0
                        return Double(masked) / Double(sizes.plainPerParty)
                    }),
                // … and the key exchange on top (keys, shares, unmasking; sent plus received per
                // party, without the certificate each advertisement carries, about 0.6 KiB).
                BenchWorkload(
                    name: "secagg.key-exchange-bytes.\(parties)-parties.\(length)", unit: "B", target: nil, higherIsBetter: false,
                    run: {
                        let sizes = SecureAggregation.MessageSizes(parties: parties, vectorLength: length)
                        return Double(sizes.stages.filter { $0.name != "masked input" }.reduce(0) { $0 + $1.sentPerParty + $1.receivedPerParty })
                    }),
            ]
        }
    }
}
