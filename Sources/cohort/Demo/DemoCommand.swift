import CohortNet
import ArgumentParser
import CohortScenario
import Foundation

/// `cohort demo`: a three-party federated study on loopback with real node processes.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a three-party federated study on loopback and compare it with the centralized truth.",
        discussion: """
            Runs the scenario scenarios/demo.yaml: makes three node directories (retail, telecom \
            and bank partners), generates and imports their synthetic customers, starts three \
            `cohort node run` processes with the development PKI (DEV ONLY) on free loopback ports, \
            runs an RFM-segment histogram and a churn-rate-by-segment study, prints the federated \
            answers beside the centralized truth, verifies every audit log, checks the scenario's \
            expectations and shuts the nodes down. `cohort scenario run scenarios/demo.yaml` runs \
            the same with a fresh PKI and writes its report.
            """
    )

    /// Keep the directory.
    @Flag(help: "Keep the demo directory afterwards.")
    var keep = false

    /// Directory to use.
    @Option(help: "Put the node directories here (kept afterwards) instead of a temporary directory.")
    var dir: String?

    /// Size multiplier.
    @Option(help: "Multiply the party sizes of scenarios/demo.yaml (retail 60k, telecom 40k, bank 20k customers).")
    var scale: Double = 1

    /// Data seed.
    @Option(help: "Seed of the synthetic data.")
    var seed: UInt64 = 20_261_122

    /// ε per node per study.
    @Option(help: "ε each node spends per study.")
    var epsilon: Double = 1.0

    func validate() throws {
        guard scale > 0, scale <= 20, scale.isFinite else { throw ValidationError("--scale must be in (0, 20]") }
        guard epsilon > 0, epsilon <= 10, epsilon.isFinite else { throw ValidationError("--epsilon must be in (0, 10]") }
        if let dir, FileManager.default.fileExists(atPath: dir),
           let contents = try? FileManager.default.contentsOfDirectory(atPath: dir), !contents.isEmpty {
            throw ValidationError("--dir \(dir) exists and is not empty")
        }
    }

    func run() async throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        // The development PKI of the source tree this binary was built from.
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let devPKI = root.appendingPathComponent("certs").appendingPathComponent("dev")
        // The demo scenario of the source tree this binary was built from.
        let scenario = root.appendingPathComponent("scenarios").appendingPathComponent("demo.yaml")
        guard FileManager.default.fileExists(atPath: scenario.path) else {
            throw CLIError.notFound("the demo scenario \(scenario.path) is missing; run `cohort scenario run <file>` with a scenario file instead")
        }
        ScenarioChildren.installSignalHandlers()
        let report = try await Demo.run(
            .init(directory: dir.map { URL(fileURLWithPath: $0) }, keep: keep, scale: scale, seed: seed,
                  epsilon: epsilon, executable: executable, devPKI: devPKI, scenario: scenario),
            say: { print($0) })
        if !report.allAuditsIntact || !report.failedExpectations.isEmpty {
            throw ExitCode.failure
        }
    }
}
