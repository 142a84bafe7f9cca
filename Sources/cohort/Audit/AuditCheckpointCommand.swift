import ArgumentParser
import CohortAudit
import Foundation

/// `cohort audit checkpoint`: sign a checkpoint of the current log now and print it.
struct AuditCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign a checkpoint now (needs the node directory and its key; not while the node runs) and print it."
    )

    @Option(name: [.customLong("node-dir"), .customLong("node")], help: "Node directory.")
    var nodeDir: String = "."

    @Option(name: .shortAndLong, help: "Also write the signed checkpoint to this file.")
    var output: String?

    func run() async throws {
        let path = (nodeDir as NSString).appendingPathComponent("audit.sqlite")
        let node = try Audit.LogReader.open(path: path).node
        let log = try await Audit.Log.open(nodeDirectory: nodeDir, node: node)
        do {
            let cp = try await log.signCheckpoint()
            await log.close()
            print(cp.serialized, terminator: "")
            if let output { try emit(cp.serialized, to: output) }
        } catch {
            await log.close()
            throw error
        }
    }
}
