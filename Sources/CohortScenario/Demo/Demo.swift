import CohortWire
import CohortNet
import CohortStudy
import CohortAudit
import CohortNode
import CohortStore
public import Foundation

/// `cohort demo`: the scenario `scenarios/demo.yaml` — three partners on loopback, end to end,
/// with real node processes, the development PKI, and the centralized truth beside the
/// federated answer — printed as a story.
public enum Demo {
    /// How to run the demo.
    public struct Options: Sendable {
        /// Where to put the node directories; a fresh temporary directory when nil.
        public var directory: URL?
        /// Keep the directory afterwards.
        public var keep: Bool
        /// Multiplies the scenario's party sizes (retail 60k, telecom 40k, bank 20k in demo.yaml).
        public var scale: Double
        /// Seed of the synthetic data (party i gets `seed + 7919 i`).
        public var seed: UInt64
        /// ε per node per study.
        public var epsilon: Double
        /// The `cohort` executable that runs the node processes.
        public var executable: URL
        /// Where the development PKI lives (`certs/dev`); a fresh one is made when nil or absent.
        public var devPKI: URL?
        /// The scenario file (`scenarios/demo.yaml`).
        public var scenario: URL

        /// Creates options.
        public init(
            directory: URL? = nil, keep: Bool = false, scale: Double = 1, seed: UInt64 = 20_261_122,
            epsilon: Double = 1.0, executable: URL, devPKI: URL? = nil, scenario: URL
        ) {
            self.directory = directory
            self.keep = keep
            self.scale = scale
            self.seed = seed
            self.epsilon = epsilon
            self.executable = executable
            self.devPKI = devPKI
            self.scenario = scenario
        }
    }

    /// The demo's consortium name (the dev PKI's).
    public static let consortium = "demo"

    /// What the demo found.
    public struct Report: Sendable {
        /// The demo directory.
        public var directory: URL
        /// One comparison per published study.
        public var studies: [StudyComparison]
        /// Audit verification per node (`intact …` or the failure).
        public var audits: [String: String]
        /// Whether every audit log verified.
        public var allAuditsIntact: Bool
        /// The scenario's expectations that did not hold (`name: detail`).
        public var failedExpectations: [String]
        /// Seconds from start to end.
        public var seconds: Double
    }

    /// Runs the demo scenario, printing progress and the tables through `say`.
    /// - Throws: ``ScenarioError`` when the scenario file has a problem or a node cannot start
    ///   (every node started is stopped first).
    public static func run(_ options: Options, say: @escaping @Sendable (String) -> Void) async throws -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let definition = try Scenario.load(file: options.scenario.path)
        let base = try options.directory ?? makeTemporaryDirectory()
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        say("Demo directory: \(base.path)")
        let outcome: ScenarioRunner.Outcome
        do {
            outcome = try await ScenarioRunner.run(definition, options: .init(
                output: base, executable: options.executable, scale: options.scale, seed: options.seed,
                epsilon: options.epsilon, developmentPKI: options.devPKI, file: options.scenario.path, say: say))
        } catch {
            if !options.keep && options.directory == nil { try? FileManager.default.removeItem(at: base) }
            throw error
        }
        let run = outcome.runs.first ?? outcome.summary
        var audits: [String: String] = [:]
        for audit in run.audits { audits[audit.node] = "\(audit.status.rawValue): \(audit.detail)" }
        let failed = outcome.failedExpectations.map { "\($0.name): \($0.detail)" }
        let d = clock.now - start
        let elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        if !failed.isEmpty {
            say("\nExpectations that did not hold:")
            for line in failed { say("  \(line)") }
        }
        say(String(format: "\nDemo finished in %.1f s.", elapsed))
        if options.keep || options.directory != nil {
            say("Node directories and the report (report.html, report.md, summary.json) kept in \(base.path)")
        } else {
            try? FileManager.default.removeItem(at: base)
        }
        return Report(
            directory: base, studies: outcome.comparisons, audits: audits,
            allAuditsIntact: run.audits.allSatisfy { $0.status == .intact }, failedExpectations: failed, seconds: elapsed)
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cohort-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
