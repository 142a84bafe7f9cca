import CohortNode
import Foundation

/// Runs a node-local command in the running node or, when none runs, in this process.
///
/// The running node is the audit log's one writer: while it runs, every command that reads
/// customer data or writes the log goes through its admin socket (`running`); when it does not,
/// the command opens the node directory itself (`offline`). This is the only place that decides.
enum NodeRouting {
    /// Whether a node is serving `node` now.
    static func isRunning(_ node: String) -> Bool {
        AdminClient.runningNode(nodeDirectory: node) != nil
    }

    /// Runs `running` through the admin socket when a node serves `node`, else `offline`.
    static func route<T: Sendable>(
        node: String, timeout: Duration = .seconds(3600),
        running: (AdminClient) async throws -> T, offline: () async throws -> T
    ) async throws -> T {
        if isRunning(node) {
            return try await AdminClient.withConnection(nodeDirectory: node, timeout: timeout, running)
        }
        return try await offline()
    }
}
