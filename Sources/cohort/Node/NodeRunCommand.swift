import ArgumentParser
import CohortNode
import Foundation
import Logging

/// `cohort node run --node <dir>`: serves peers, the admin socket and metrics until SIGTERM/SIGINT.
struct NodeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node: mTLS peer service, admin socket (run/admin.sock) and Prometheus metrics.",
        discussion: "Stops gracefully on SIGTERM or SIGINT. Writes run/node.json with the bound ports once serving."
    )

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Seeded noise for simulations.
    @Option(help: "Seed the noise generator (simulation mode only; a production node refuses it).")
    var simulationSeed: UInt64?

    /// Log level.
    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cohort.node")
        try await NodeRuntime.run(
            .init(directory: node, randomness: simulationSeed.map { .seeded($0) } ?? .system), logger: logger)
    }
}
