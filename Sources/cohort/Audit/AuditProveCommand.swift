import ArgumentParser
import CohortAudit

/// `cohort audit prove`: an inclusion proof file for one entry.
struct AuditProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Write an inclusion proof (JSON) for entry --index N, or check one with --check."
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "Entry index.")
    var index: UInt64?

    @Option(help: "Tree size to prove against (default: the latest checkpoint covering the entry, else the whole log).")
    var size: UInt64?

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Option(help: "Check an existing proof file instead of writing one.")
    var check: String?

    @Option(help: "Verifier key to check the proof's checkpoint with (with --check).")
    var key: String?

    func run() throws {
        if let check {
            let file = try Audit.decodeJSON(Audit.InclusionProofFile.self, from: readTextFile(check), source: check)
            try file.verify(key: try key.map(loadVerifierKey))
            print("proof ok: entry \(file.index) is in the tree of size \(file.treeSize) with root \(file.root)")
            return
        }
        guard let index else { throw ValidationError("give --index N (or --check <file>)") }
        let reader = try location.openReader()
        let total = try reader.size()
        guard index < total else {
            throw AuditError(.outOfRange, "index \(index) is beyond the log (\(total) entries)")
        }
        var treeSize = size ?? total
        if size == nil, let cp = try reader.storedCheckpoints().last(where: { $0.size > index }) {
            treeSize = cp.size
        }
        let file = try Audit.InclusionProofFile(reader: reader, index: index, size: treeSize)
        try emit(try Audit.encodeJSON(file), to: output)
    }
}
