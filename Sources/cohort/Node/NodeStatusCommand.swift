import CohortCore
import ArgumentParser
import CohortNode
import Foundation

/// `cohort node status --node <dir>`: asks the running node over its admin socket.
struct NodeStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running node's peers (reachable or not), studies and budget."
    )

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    /// Skip peer probing.
    @Flag(help: "Do not call Hello on every peer.")
    var noProbe = false

    func run() async throws {
        let status = try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30)) {
            try await $0.status(probePeers: !noProbe)
        }
        if json {
            print(try JSONOutput.text(status))
            return
        }
        if let alert = status.auditAlert {
            print("AUDIT ALERT: \(alert) — the node signs nothing more and refuses every audited action")
        }
        print("node \(status.node) (consortium \(status.consortium), \(status.mode)), pid \(status.pid), peer port \(status.peerPort), audit entries \(status.auditEntries.map(String.init) ?? "?")")
        print("peers:")
        for peer in status.peers {
            let state = peer.reachable.map { $0 ? "reachable" : "UNREACHABLE: \(peer.error ?? "")" } ?? "not probed"
            print("  \(peer.name) at \(peer.address): \(state)")
        }
        print("studies:")
        if status.studies.isEmpty { print("  none") }
        for study in status.studies {
            print("  \(study.id) [\(study.role.rawValue), lead \(study.lead), \(study.kind), \(study.purpose)]: \(study.state)")
        }
        print("budget:")
        for line in status.budget {
            if line.allowed {
                print("  \(line.purpose): spent ε \(String(format: "%.4f", line.spentEpsilon ?? 0)) of \(String(format: "%.3f", line.capEpsilon ?? 0)) per \(line.periodDays ?? 0) days, remaining \(String(format: "%.4f", line.remainingEpsilon ?? 0))")
            } else {
                print("  \(line.purpose): not allowed")
            }
        }
    }
}
