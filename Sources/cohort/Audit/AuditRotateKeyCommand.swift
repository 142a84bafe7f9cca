import ArgumentParser
import CohortAudit
import Foundation

/// `cohort audit rotate-key`: replaces the audit signing key, explicitly and on record.
struct AuditRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Rotate the audit signing key (node stopped): key.rotated + a checkpoint signed by both keys.",
        discussion: """
            The old key is kept as keys/audit-signing.<keyid>.retired and the old verifier as \
            audit-verifier.<keyid>.txt; the new verifier is written to audit-verifier.txt. `verify` accepts \
            either key: each checkpoint must be signed by the key in effect at its size.
            """
    )

    @Option(name: [.customLong("node-dir"), .customLong("node")], help: "Node directory.")
    var nodeDir: String = "."

    @Option(help: "Who rotates (recorded as the actor).")
    var actor: String = ProcessInfo.processInfo.environment["USER"] ?? "operator"

    func run() async throws {
        let node = try Audit.LogReader.open(path: (nodeDir as NSString).appendingPathComponent("audit.sqlite")).node
        let r = try await Audit.Log.rotateKey(nodeDirectory: nodeDir, node: node, actor: actor)
        print("rotated the audit key of \(r.oldVerifier.name)")
        print("old verifier: \(r.oldVerifier.text) (kept in \(r.retiredVerifierFile))")
        print("new verifier: \(r.newVerifier.text)")
        print("handover checkpoint signed by both keys at size \(r.handoverSize)")
    }
}
