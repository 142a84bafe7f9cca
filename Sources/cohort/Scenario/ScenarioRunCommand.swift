import CohortNet
import ArgumentParser
import CohortScenario
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `cohort scenario run <file>`: the scenario with real node processes, then its report.
struct ScenarioRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario: a fresh PKI, one `cohort node run` per party, the studies and events, the report.",
        discussion: """
            Writes summary.json, report.md and report.html into --out (node directories under \
            --out/nodes). On a terminal, progress lines show each step; otherwise only the final \
            summary is printed. Ctrl-C or SIGTERM stops every node started. Exit status: 0 every \
            expectation held; 1 an expectation failed (named), a node failed to start, or the file \
            has a problem; 66 the file cannot be read.
            """)

    /// The scenario file.
    @Argument(help: "The scenario file (YAML).")
    var file: String

    /// Report folder.
    @Option(help: "Write the report and node directories here (default: ./<scenario name>-report).")
    var out: String?

    /// Number of seeds.
    @Option(help: "Run the scenario N times with N seeds and report mean ± sd of every metric.")
    var seeds: Int = 1

    /// Size multiplier.
    @Option(help: "Multiply every synthetic party's customer count.")
    var scale: Double = 1

    /// Replace --out's contents.
    @Flag(help: "Replace the report folder when it exists and is not empty.")
    var force = false

    /// Progress even when not a terminal.
    @Flag(help: "Show progress lines even when standard output is not a terminal.")
    var progress = false

    /// Remove node directories at the end.
    @Flag(help: "Remove the node directories at the end (the report stays).")
    var removeNodes = false

    func validate() throws {
        guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100") }
        guard scale > 0, scale <= 20, scale.isFinite else { throw ValidationError("--scale must be in (0, 20]") }
    }

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError.notFound("no scenario file at \(file)") }
        let check = try Scenario.check(file: file)
        guard let definition = check.definition else {
            for diagnostic in check.diagnostics { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
            throw CLIError.failed("\(file): \(check.diagnostics.count) problem\(check.diagnostics.count == 1 ? "" : "s"); nothing was started")
        }
        let output = URL(fileURLWithPath: out ?? "\(definition.name)-report")
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: output.path), !contents.isEmpty {
            guard force else { throw ValidationError("\(output.path) exists and is not empty (use --force to replace it)") }
            try FileManager.default.removeItem(at: output)
        }
        let terminal = progress || isatty(STDOUT_FILENO) == 1
        ScenarioChildren.installSignalHandlers()
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let clock = ContinuousClock()
        let started = clock.now
        let outcome: ScenarioRunner.Outcome
        let printLine: @Sendable (String) -> Void = { (line: String) in print(line) }
        let say: (@Sendable (String) -> Void)? = terminal ? printLine : nil
        let options = ScenarioRunner.Options(
            output: output, seeds: seeds, executable: executable, scale: scale, removeNodes: removeNodes, file: file,
            say: say, progress: terminal)
        do {
            outcome = try await ScenarioRunner.run(definition, options: options)
        } catch {
            ScenarioChildren.killAll()
            throw CLIError.failed("scenario \(definition.name): \(error)")
        }
        let seconds = Double((clock.now - started).components.seconds) + Double((clock.now - started).components.attoseconds) / 1e18
        let summary = outcome.summary
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        print("\nScenario \(definition.name): " + [
            count(definition.parties.count, "party", "parties"), count(definition.studies.count, "study", "studies"),
            count(definition.events.count, "event", "events"), count(seeds, "seed", "seeds"),
        ].joined(separator: ", ") + String(format: " — %.1f s", seconds))
        for study in outcome.runs.first?.studies ?? [] {
            var line = "  study \(study.name): \(study.status.rawValue)"
            if let e = study.errors {
                line += String(format: ", mean abs error %.4g (%@), max %.2f SE", e.meanAbsoluteError, study.valueLabel, e.maxZ ?? 0)
            }
            if let reason = study.failureReason { line += " — \(reason)" }
            print(line)
        }
        if seeds > 1 {
            print("Over \(seeds) seeds (mean ± sd; every metric is in summary.json and the report):")
            for stat in summary.seedStatistics where stat.metric.hasPrefix("study.") && !stat.metric.contains(".cell.")
                && (stat.metric.hasSuffix(".mean_absolute_error") || stat.metric.hasSuffix(".max_z")) {
                print(String(format: "  %@: %.4g ± %.2g", stat.metric, stat.mean, stat.sd))
            }
        }
        let failed = outcome.failedExpectations
        print("Expectations: \(summary.expectations.count - failed.count) of \(summary.expectations.count) held")
        for expectation in summary.expectations {
            print("  \(expectation.passed ? "ok  " : "FAIL") \(expectation.name): \(expectation.detail)")
        }
        print("Report: " + outcome.reportFiles.map(\.path).joined(separator: ", "))
        if !failed.isEmpty {
            throw CLIError.failed("expectation failed: " + failed.map(\.name).joined(separator: "; "))
        }
    }
}
