import CohortCore
import CohortNet
import CohortNetTestSupport
import CohortNode
import CohortScenario
import CohortStore
import CohortWire
import Foundation

/// End-to-end study benchmarks between three real node processes (mutual TLS over loopback),
/// nodes already running: the demo's parties at full size (retail 60k, telecom 40k, bank 20k
/// customers), a study proposed through the lead's admin socket and timed until it is
/// published. The cluster is prepared once; the first workload runs every study and the others
/// read their figures (issue 12 targets). The round overhead is measured on a second, tiny
/// cluster so that local computation does not count.
enum StudyBench {
    /// Each workload returns one measured figure (the median of ``repeats`` runs).
    static func workloads() -> [BenchWorkload] {
        [
            BenchWorkload(
                name: "study.histogram.rfm", unit: "s", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("histogram") }),
            BenchWorkload(
                name: "study.logistic-regression.5-rounds", unit: "s", target: 1.5, higherIsBetter: false,
                run: { try await Figures.shared.value("lr5") }),
            BenchWorkload(
                name: "study.kmeans.10-rounds", unit: "s", target: 3.0, higherIsBetter: false,
                run: { try await Figures.shared.value("kmeans10") }),
            // Protocol overhead of one round, local computation excluded: the marginal wall time of
            // one more gradient round (20-round minus 5-round study, over 15 rounds) between three
            // nodes of 2 000 customers each, whose local gradient takes about a millisecond.
            BenchWorkload(
                name: "study.round-overhead", unit: "ms", target: 20, higherIsBetter: false,
                run: { try await Figures.shared.value("overhead-per-round-ms") }),
            // The same marginal round at full size: overhead plus the slowest node's local gradient
            // over its customers (information; the target is on the overhead alone).
            BenchWorkload(
                name: "study.round-marginal.full-size", unit: "ms", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("per-round-ms") }),
            // Issue 13: the same RFM histogram securely aggregated, and its wall time over the
            // plain study's, measured side by side on one cluster (3 parties at full size; 10
            // parties of 2 000 customers each).
            BenchWorkload(
                name: "study.histogram.rfm.secure", unit: "s", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("histogram-secure") }),
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.3-parties", unit: "×", target: 1.10, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-3") }),
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.10-parties", unit: "×", target: 1.10, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-10") }),
        ]
    }

    /// Runs per study; the median is reported.
    static let repeats = 3

    /// Runs every study once per repeat on one prepared cluster and keeps the figures.
    actor Figures {
        static let shared = Figures()
        private var figures: [String: Double]?

        func value(_ key: String) async throws -> Double {
            if figures == nil {
                var all = try await StudyBench.measure(customers: [60_000, 40_000, 20_000], studies: StudyBench.studies)
                let small = try await StudyBench.measure(
                    customers: [2_000, 2_000, 2_000], studies: StudyBench.studies.filter { $0.0.hasPrefix("lr") })
                if let lr5 = small["lr5"], let lr20 = small["lr20"] {
                    all["overhead-per-round-ms"] = max(0, lr20 - lr5) / 15 * 1000
                }
                if let plain = all["histogram"], let secure = all["histogram-secure"] {
                    all["secure-ratio-3"] = secure / plain
                }
                let ten = try await StudyBench.measure(
                    customers: [Int](repeating: 2_000, count: 10),
                    studies: [("histogram", StudyBench.histogram(secure: false, participants: tenParticipants)),
                              ("histogram-secure", StudyBench.histogram(secure: true, participants: tenParticipants))])
                if let plain = ten["histogram"], let secure = ten["histogram-secure"] {
                    all["secure-ratio-10"] = secure / plain
                }
                figures = all
            }
            guard let value = figures?[key] else { throw BenchError("no study figure \(key)") }
            return value
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func spec(_ kind: String, purpose: String, learning: String?, dimensions: String?) -> String {
        var text = "kind: \(kind)\npurpose: \(purpose)\nas_of: 2026-06-30\n"
        if let dimensions { text += "dimensions: \(dimensions)\n" }
        if let learning { text += "learning: \(learning)\n" }
        return text + "privacy: { epsilon: 1.0, delta: 1.0e-6 }\nparticipants: [telecom, bank]\ndeadline_seconds: 600\n"
    }

    /// The nine participants of the 10-party cluster (the lead is `retail`).
    static let tenParticipants = ["telecom", "bank"] + (3..<10).map { "node\($0)" }

    /// The RFM histogram among the lead `retail` and `participants`, plainly or securely aggregated.
    static func histogram(secure: Bool, participants: [String]) -> String {
        "kind: histogram\npurpose: segmentation\nas_of: 2026-06-30\ndimensions: [rfm_segment]\n"
            + "privacy: { epsilon: 1.0, delta: 1.0e-6 }\nparticipants: [\(participants.joined(separator: ", "))]\n"
            + "deadline_seconds: 600\nsecure_aggregation: \(secure)\n"
    }

    /// The timed studies: key and spec text.
    static let studies: [(String, String)] = [
        ("histogram", spec("histogram", purpose: "segmentation", learning: nil, dimensions: "[rfm_segment]")),
        ("histogram-secure", histogram(secure: true, participants: ["telecom", "bank"])),
        ("lr5", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 5 }", dimensions: nil)),
        ("lr20", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 20 }", dimensions: nil)),
        ("kmeans10", spec("kmeans", purpose: "segmentation", learning: "{ k: 4, rounds: 8 }", dimensions: nil)),
    ]

    /// Prepares a cluster of retail, telecom and bank with `customers` customers each, starts it,
    /// runs each of `studies` ``repeats`` times and returns the median seconds per key (plus
    /// `per-round-ms` when both training studies ran).
    static func measure(customers: [Int], studies: [(String, String)]) async throws -> [String: Double] {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-study-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let pki = try PKI.TestPKI(consortium: "bench")
        let generous: @Sendable (inout NodeConfig) -> Void = { config in
            for purpose in ["segmentation", "benchmarking", "model-training"] {
                config.privacy.purposes[purpose] = .init(epsilonPerPeriod: 10_000, periodDays: 365, epsilonPerStudy: 10)
            }
        }
        let names = ["retail", "telecom", "bank"] + (3..<max(customers.count, 3)).map { "node\($0)" }
        let profiles: [Synthetic.Profile] = [.retail, .telecom, .bank]
        let members = try customers.indices.map { index in
            LocalCluster.Member(
                name: names[index], profile: profiles[index % 3], customers: customers[index],
                material: try pki.material(for: names[index]), configure: generous)
        }
        let cluster = try await LocalCluster.prepare(members: members, base: base, consortium: "bench", seed: 42, asOf: "2026-06-30")
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("cohort")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchError("the cohort executable is not beside cohort-bench (\(executable.path)); build the `cohort` product too")
        }
        let processes = try await cluster.start(executable: executable)
        defer { for p in processes { p.crash() } }
        let lead = try cluster.directory("retail").path
        var figures: [String: Double] = [:]
        for (key, text) in studies {
            var times: [Double] = []
            for _ in 0..<repeats {
                let clock = ContinuousClock()
                let start = clock.now
                let answer = try await AdminClient.withConnection(nodeDirectory: lead, timeout: .seconds(600)) {
                    try await $0.propose(spec: text)
                }
                let elapsed = clock.now - start
                guard answer.state == "completed" else {
                    throw BenchError("study \(key) ended \(answer.state): \(answer.reason)")
                }
                times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            figures[key] = times.sorted()[times.count / 2]
        }
        if let lr5 = figures["lr5"], let lr20 = figures["lr20"] {
            figures["per-round-ms"] = max(0, lr20 - lr5) / 15 * 1000
        }
        return figures
    }
}
