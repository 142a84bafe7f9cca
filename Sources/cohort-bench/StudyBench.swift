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
            // nodes of 2 000 customers each, whose local gradient takes about a millisecond. The
            // issue 12 target is on the plain protocol's round; the default (secure aggregation
            // with three parties) adds three request/response steps to every round.
            BenchWorkload(
                name: "study.round-overhead.plain", unit: "ms", target: 20, higherIsBetter: false,
                run: { try await Figures.shared.value("overhead-per-round-ms-plain") }),
            BenchWorkload(
                name: "study.round-overhead.secure", unit: "ms", target: nil, higherIsBetter: false,
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
                name: "study.secure-aggregation.extra-seconds.3-parties", unit: "s", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-extra-3") }),
            // Ten parties holding the demo's 120 000 customers between them (12 000 each), and ten
            // small parties of 2 000 each, where the fixed cost of the protocol weighs most.
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.10-parties", unit: "×", target: 1.10, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-10") }),
            // One aggregation of a 9 900-coordinate vector: every built-in dimension crossed.
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.3-parties.9900-cells", unit: "×", target: 1.10, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-3-fine") }),
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.10-parties.9900-cells", unit: "×", target: 1.10, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-10-fine") }),
            BenchWorkload(
                name: "study.secure-aggregation.extra-seconds.10-parties", unit: "s", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-extra-10") }),
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.10-small-parties", unit: "×", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-10-small") }),
            BenchWorkload(
                name: "study.secure-aggregation.extra-seconds.10-small-parties", unit: "s", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-extra-10-small") }),
            // A long vector and many rounds: the k-means study's first round is a 10⁵-cell grid
            // histogram, and each of its ten rounds is one aggregation (information: the issue's
            // target is on one aggregation; every secure round adds its three steps).
            BenchWorkload(
                name: "study.kmeans.10-rounds.plain", unit: "s", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("kmeans10-plain") }),
            BenchWorkload(
                name: "study.secure-aggregation.wall-ratio.kmeans-3-parties", unit: "×", target: nil, higherIsBetter: false,
                run: { try await Figures.shared.value("secure-ratio-kmeans") }),
        ]
    }

    /// Runs per study; the median is reported. The studies run interleaved (every study once,
    /// then again, in reverse order every other time so that neither of a pair always runs
    /// first), so a secure/plain ratio compares runs made moments apart: each ratio is the
    /// median of the per-repeat ratios.
    static let repeats = 7

    /// Runs every study once per repeat on one prepared cluster and keeps the figures.
    actor Figures {
        static let shared = Figures()
        private var figures: [String: Double]?

        func value(_ key: String) async throws -> Double {
            if figures == nil {
                let full = try await StudyBench.measure(customers: [60_000, 40_000, 20_000], studies: StudyBench.studies)
                var all = full.medians
                if let lr5 = all["lr5"], let lr20 = all["lr20"] {
                    all["per-round-ms"] = max(0, lr20 - lr5) / 15 * 1000
                }
                let small = try await StudyBench.measure(customers: [2_000, 2_000, 2_000], studies: StudyBench.roundStudies)
                if let lr5 = small.medians["lr5"], let lr20 = small.medians["lr20"] {
                    all["overhead-per-round-ms"] = max(0, lr20 - lr5) / 15 * 1000
                }
                if let lr5 = small.medians["lr5-plain"], let lr20 = small.medians["lr20-plain"] {
                    all["overhead-per-round-ms-plain"] = max(0, lr20 - lr5) / 15 * 1000
                }
                all["secure-ratio-3"] = full.ratio("histogram-secure", over: "histogram")
                all["secure-extra-3"] = full.difference("histogram-secure", over: "histogram")
                all["secure-ratio-3-fine"] = full.ratio("fine-secure", over: "fine")
                all["secure-ratio-kmeans"] = full.ratio("kmeans10", over: "kmeans10-plain")
                let tenStudies = [("histogram", StudyBench.histogram(secure: false, participants: tenParticipants)),
                                  ("histogram-secure", StudyBench.histogram(secure: true, participants: tenParticipants))]
                let fine = [("fine", StudyBench.histogram(secure: false, participants: tenParticipants, dimensions: fineDimensions)),
                            ("fine-secure", StudyBench.histogram(secure: true, participants: tenParticipants, dimensions: fineDimensions))]
                let ten = try await StudyBench.measure(customers: [Int](repeating: 12_000, count: 10), studies: tenStudies + fine)
                all["secure-ratio-10"] = ten.ratio("histogram-secure", over: "histogram")
                all["secure-ratio-10-fine"] = ten.ratio("fine-secure", over: "fine")
                all["secure-extra-10"] = ten.difference("histogram-secure", over: "histogram")
                let tenSmall = try await StudyBench.measure(customers: [Int](repeating: 2_000, count: 10), studies: tenStudies)
                all["secure-ratio-10-small"] = tenSmall.ratio("histogram-secure", over: "histogram")
                all["secure-extra-10-small"] = tenSmall.difference("histogram-secure", over: "histogram")
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

    /// A spec among retail (the lead), telecom and bank; `secure` nil leaves `secure_aggregation`
    /// out (the default: secure with three parties).
    static func spec(_ kind: String, purpose: String, learning: String?, dimensions: String?, secure: Bool? = nil) -> String {
        var text = "kind: \(kind)\npurpose: \(purpose)\nas_of: 2026-06-30\n"
        if let dimensions { text += "dimensions: \(dimensions)\n" }
        if let learning { text += "learning: \(learning)\n" }
        if let secure { text += "secure_aggregation: \(secure)\n" }
        return text + "privacy: { epsilon: 1.0, delta: 1.0e-6 }\nparticipants: [telecom, bank]\ndeadline_seconds: 600\n"
    }

    /// The nine participants of the 10-party cluster (the lead is `retail`).
    static let tenParticipants = ["telecom", "bank"] + (3..<10).map { "node\($0)" }

    /// Every built-in dimension crossed, with two listed regions: 11 × 5 × 3 × 5 × 4 × 3 = 9 900
    /// cells, the issue's "10k-coordinate vector" in one aggregation.
    static let fineDimensions = "[rfm_segment, lifecycle_stage, value_tier, channel_band, nps_class, region]\nregions: [north, south]"

    /// The RFM histogram (or one over `dimensions`) among the lead `retail` and `participants`,
    /// plainly or securely aggregated.
    static func histogram(secure: Bool, participants: [String], dimensions: String = "[rfm_segment]") -> String {
        "kind: histogram\npurpose: segmentation\nas_of: 2026-06-30\ndimensions: \(dimensions)\n"
            + "privacy: { epsilon: 1.0, delta: 1.0e-6 }\nparticipants: [\(participants.joined(separator: ", "))]\n"
            + "deadline_seconds: 600\nsecure_aggregation: \(secure)\n"
    }

    /// The timed studies: key and spec text. The learning studies use the default aggregation
    /// (secure with three parties); `histogram` and `kmeans10-plain` turn it off.
    static let studies: [(String, String)] = [
        ("histogram", histogram(secure: false, participants: ["telecom", "bank"])),
        ("histogram-secure", histogram(secure: true, participants: ["telecom", "bank"])),
        ("fine", histogram(secure: false, participants: ["telecom", "bank"], dimensions: fineDimensions)),
        ("fine-secure", histogram(secure: true, participants: ["telecom", "bank"], dimensions: fineDimensions)),
        ("lr5", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 5 }", dimensions: nil)),
        ("lr20", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 20 }", dimensions: nil)),
        ("kmeans10", spec("kmeans", purpose: "segmentation", learning: "{ k: 4, rounds: 8 }", dimensions: nil)),
        ("kmeans10-plain", spec("kmeans", purpose: "segmentation", learning: "{ k: 4, rounds: 8 }", dimensions: nil, secure: false)),
    ]

    /// The training studies whose difference gives the round overhead, with the default
    /// aggregation (secure) and plain.
    static let roundStudies: [(String, String)] = [
        ("lr5", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 5 }", dimensions: nil)),
        ("lr20", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 20 }", dimensions: nil)),
        ("lr5-plain", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 5 }", dimensions: nil, secure: false)),
        ("lr20-plain", spec("logistic-regression", purpose: "model-training", learning: "{ rounds: 20 }", dimensions: nil, secure: false)),
    ]

    /// Seconds of every run of every study, in run order.
    struct Timings {
        /// Per study key, the seconds of each repeat.
        var runs: [String: [Double]] = [:]

        /// The median seconds per key.
        var medians: [String: Double] {
            runs.mapValues { $0.sorted()[$0.count / 2] }
        }

        /// The median over repeats of `key`'s time over `base`'s in the same repeat (nil when
        /// either did not run).
        func ratio(_ key: String, over base: String) -> Double? {
            guard let a = runs[key], let b = runs[base], a.count == b.count, !a.isEmpty else { return nil }
            let ratios = zip(a, b).map { $0 / $1 }.sorted()
            return ratios[ratios.count / 2]
        }

        /// The median over repeats of `key`'s seconds minus `base`'s in the same repeat.
        func difference(_ key: String, over base: String) -> Double? {
            guard let a = runs[key], let b = runs[base], a.count == b.count, !a.isEmpty else { return nil }
            let differences = zip(a, b).map { $0 - $1 }.sorted()
            return differences[differences.count / 2]
        }
    }

    /// Prepares a cluster of retail, telecom and bank with `customers` customers each, starts it,
    /// runs every one of `studies` in turn, ``repeats`` times over, and returns every run's
    /// seconds (the medians add `per-round-ms` when both training studies ran).
    static func measure(customers: [Int], studies: [(String, String)]) async throws -> Timings {
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
        var timings = Timings()
        for pass in 0..<repeats {
            for (key, text) in pass % 2 == 0 ? studies : studies.reversed() {
                let clock = ContinuousClock()
                let start = clock.now
                let answer = try await AdminClient.withConnection(nodeDirectory: lead, timeout: .seconds(600)) {
                    try await $0.propose(spec: text)
                }
                let elapsed = clock.now - start
                guard answer.state == "completed" else {
                    throw BenchError("study \(key) ended \(answer.state): \(answer.reason)")
                }
                timings.runs[key, default: []].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
        return timings
    }
}
