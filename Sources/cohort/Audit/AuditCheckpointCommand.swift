import ArgumentParser
import CohortAudit
import CohortNode
import Foundation

/// `cohort audit checkpoint`: sign a checkpoint of the current log now and print it.
struct AuditCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign a checkpoint now and print it (asks the running node when it runs; it holds the log and key)."
    )

    @Option(name: [.customLong("node-dir"), .customLong("node")], help: "Node directory.")
    var nodeDir: String = "."

    @Option(name: .shortAndLong, help: "Also write the signed checkpoint to this file.")
    var output: String?

    func run() async throws {
        let serialized = try await NodeRouting.route(node: nodeDir, timeout: .seconds(60)) { client in
            try await client.signCheckpoint()
        } offline: {
            let path = (nodeDir as NSString).appendingPathComponent("audit.sqlite")
            let node = try Audit.LogReader.open(path: path).node
            let log = try await Audit.Log.open(nodeDirectory: nodeDir, node: node)
            do {
                let cp = try await log.signCheckpoint()
                await log.close()
                return cp.serialized
            } catch {
                await log.close()
                throw error
            }
        }
        print(serialized, terminator: "")
        if let output { try emit(serialized, to: output) }
    }
}
