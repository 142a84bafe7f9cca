public import CohortAudit
public import CohortStore
import Foundation

/// Opens a node's store, config and audit log for one CLI command and closes them after.
public enum NodeSession {
    /// Opens `directory` (store + validated config + `Audit.Log`), settles any import a stopped
    /// process left without an audited outcome (``NodeStore/reconcileImports(audit:actor:)``),
    /// runs `body`, then closes the audit log (flushing it) and the store, also when `body` throws.
    public static func run<T>(
        directory: String, _ body: (NodeStore, NodeConfig, Audit.Log) async throws -> T
    ) async throws -> T {
        let store = try NodeStore.open(directory: directory)
        let config: NodeConfig
        do {
            config = try store.loadConfig()
        } catch {
            try? store.close()
            throw error
        }
        let log: Audit.Log
        do {
            log = try await Audit.Log.open(nodeDirectory: directory, node: config.node.name)
        } catch {
            try? store.close()
            throw NodeError(.auditFailed, "cannot open the audit log: \(error)")
        }
        do {
            try await store.reconcileImports(audit: log, actor: "system")
            let result = try await body(store, config, log)
            await log.close()
            try store.close()
            return result
        } catch {
            await log.close()
            try? store.close()
            throw error
        }
    }

    /// The default audit actor: `$USER`, or `operator`.
    public static var defaultActor: String {
        ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "operator"
    }
}
