import CohortNet
import CohortNode
public import Foundation

/// Runs a scenario: a fresh PKI, one real `cohort node run` process per party on free loopback
/// ports, the studies and events as written, the centralized baseline, the expectations, and
/// the report (`summary.json`, `report.md`, `report.html`) written into the output folder.
///
/// ```swift
/// let scenario = try Scenario.load(file: "scenarios/retail-benchmark.yaml")
/// let outcome = try await ScenarioRunner.run(scenario, options: .init(output: out, executable: cohort))
/// if !outcome.failedExpectations.isEmpty { exit(1) }
/// ```
public enum ScenarioRunner {
    /// How to run.
    public struct Options: Sendable {
        /// Where the report goes; node directories go to `<output>/nodes` (with several seeds,
        /// `<output>/seed-<k>/nodes`).
        public var output: URL
        /// Number of runs, each with its own seed (`--seeds N`).
        public var seeds: Int
        /// The `cohort` executable that runs the node processes.
        public var executable: URL
        /// Multiplies every synthetic party's customer count (at least 200 each).
        public var scale: Double
        /// Replaces the parties' synthetic seeds by `seed + 7919 × index` (the demo's `--seed`).
        public var seed: UInt64?
        /// Replaces every study's ε (the demo's `--epsilon`).
        public var epsilon: Double?
        /// Use the development PKI in this folder (`certs/dev`, DEV ONLY) instead of a fresh
        /// CA, unless the scenario has hostile-peer events (they need the CA's key).
        public var developmentPKI: URL?
        /// Remove the node directories at the end (the report stays).
        public var removeNodes: Bool
        /// The scenario file as given (for the report).
        public var file: String?
        /// Narrative and progress lines (node start, each study, tables); nil for quiet.
        public var say: (@Sendable (String) -> Void)?
        /// Whether to poll and print each study's progress lines (a terminal).
        public var progress: Bool

        /// Creates options.
        public init(
            output: URL, seeds: Int = 1, executable: URL, scale: Double = 1, seed: UInt64? = nil, epsilon: Double? = nil,
            developmentPKI: URL? = nil, removeNodes: Bool = false, file: String? = nil,
            say: (@Sendable (String) -> Void)? = nil, progress: Bool = false
        ) {
            self.output = output
            self.seeds = seeds
            self.executable = executable
            self.scale = scale
            self.seed = seed
            self.epsilon = epsilon
            self.developmentPKI = developmentPKI
            self.removeNodes = removeNodes
            self.file = file
            self.say = say
            self.progress = progress
        }
    }

    /// What a run found.
    public struct Outcome: Sendable {
        /// The combined summary (every seed; mean ± sd with several seeds) that the report shows.
        public var summary: ScenarioSummary
        /// One summary per seed.
        public var runs: [ScenarioSummary]
        /// The first run's studies beside their centralized truth (what `cohort demo` prints).
        public var comparisons: [StudyComparison]
        /// The report files written.
        public var reportFiles: [URL]

        /// The expectations that did not hold (over every seed).
        public var failedExpectations: [ScenarioSummary.Expectation] { summary.expectations.filter { !$0.passed } }
    }

    /// Runs `definition` `options.seeds` times and writes the report.
    /// - Throws: ``ScenarioError`` when a node cannot be prepared or started (every node started
    ///   is stopped first), or the report cannot be written. Failed studies and expectations
    ///   are not errors: they are in the outcome.
    public static func run(_ definition: Scenario.Definition, options: Options) async throws -> Outcome {
        guard (1...100).contains(options.seeds) else {
            throw ScenarioError(.invalidArgument, "--seeds must be in 1…100, got \(options.seeds)")
        }
        guard options.scale > 0, options.scale <= 20, options.scale.isFinite else {
            throw ScenarioError(.invalidArgument, "the scale must be in (0, 20], got \(options.scale)")
        }
        if let epsilon = options.epsilon, !(epsilon > 0 && epsilon <= 10) {
            throw ScenarioError(.invalidArgument, "ε must be in (0, 10], got \(epsilon)")
        }
        do {
            try FileManager.default.createDirectory(at: options.output, withIntermediateDirectories: true)
        } catch {
            throw ScenarioError(.io, "cannot create \(options.output.path): \(error.localizedDescription)")
        }
        var runs: [ScenarioSummary] = []
        var comparisons: [StudyComparison] = []
        for index in 0..<options.seeds {
            let base = options.seeds == 1 ? options.output : options.output.appendingPathComponent("seed-\(index + 1)")
            var run = ScenarioRun(definition: definition, options: options, index: index, base: base.appendingPathComponent("nodes"))
            let (summary, studies) = try await run.execute()
            runs.append(summary)
            if index == 0 { comparisons = studies }
            if options.removeNodes { try? FileManager.default.removeItem(at: base.appendingPathComponent("nodes")) }
        }
        let summary = try ScenarioSummary.combining(runs)
        let files = try ScenarioReport.write(summary, to: options.output)
        return Outcome(summary: summary, runs: runs, comparisons: comparisons, reportFiles: files)
    }
}
