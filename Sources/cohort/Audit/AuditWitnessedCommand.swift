import CohortNet
import ArgumentParser
import CohortAudit
import CohortNode
import Foundation

/// `cohort audit witnessed`: writes the checkpoints of a log that a witness cosigned, and the
/// witness's verifier key, into a directory for `cohort audit verify --witnesses <dir>`.
struct AuditWitnessedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witnessed",
        abstract: "Collect cosigned checkpoints of a log into a directory (for verify --witnesses).",
        discussion: """
            Without --peers: reads the witness log at --node-dir/--audit (a peer's node) and writes every \
            checkpoint of --origin it cosigned. With --peers: asks those peers of the node at --node-dir over \
            the peer service. Files: <witness>-<size>.note and <witness>.vkey; existing files are left alone.
            """
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "The log whose checkpoints to collect, e.g. cohort.audit/acme (default with --peers: the node's own log).")
    var origin: String?

    @Option(help: "Peer names (comma-separated) to ask instead of reading a local witness log.")
    var peers: String?

    @Option(name: [.customShort("o"), .customLong("output-dir")], help: "Directory to write into (created 0700 if missing).")
    var outputDir: String

    func run() async throws {
        var written = 0
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let peers {
            let names = peers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let wanted = try origin ?? location.openReader().origin
            for fetched in try await WitnessCollection.fetch(nodeDirectory: location.nodeDir, peers: names, origin: wanted) {
                written += try write(witness: fetched.peer, key: fetched.witnessKey, notes: fetched.notes)
            }
        } else {
            guard let origin else { throw ValidationError("--origin is required when reading a local witness log") }
            let reader = try location.openReader()
            written += try write(witness: reader.node, key: reader.verifier.text, notes: try reader.witnessedCheckpoints(origin: origin))
        }
        print("wrote \(written) cosigned checkpoints to \(outputDir)")
    }

    private func write(witness: String, key: String, notes: [String]) throws -> Int {
        try create("\(witness).vkey", key + "\n")
        var n = 0
        for note in notes {
            let cp = try Audit.SignedCheckpoint(parsing: note)
            if try create("\(witness)-\(cp.checkpoint.size).note", note) { n += 1 }
        }
        return n
    }

    /// Creates a file exclusively; returns false if it already exists with the same content.
    @discardableResult
    private func create(_ name: String, _ text: String) throws -> Bool {
        let path = (outputDir as NSString).appendingPathComponent(name)
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            guard existing == text else {
                throw AuditError(.fileAccess, "\(path) exists with other content; left alone")
            }
            return false
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw AuditError(.fileAccess, "cannot create \(path)")
        }
        return true
    }
}
