import ArgumentParser
import CohortAudit

/// `cohort audit consistency`: a consistency proof file between two tree sizes.
struct AuditConsistencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency",
        abstract: "Write a consistency proof (JSON) between tree sizes --from N and --to M, or check one with --check."
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "Older tree size.")
    var from: UInt64?

    @Option(help: "Newer tree size (default: the whole log).")
    var to: UInt64?

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Option(help: "Check an existing proof file instead of writing one.")
    var check: String?

    func run() throws {
        if let check {
            let file = try Audit.decodeJSON(Audit.ConsistencyProofFile.self, from: readTextFile(check), source: check)
            try file.verify()
            print("proof ok: the tree of size \(file.from) (root \(file.fromRoot)) is a prefix of the tree of size \(file.to) (root \(file.toRoot))")
            return
        }
        guard let from else { throw ValidationError("give --from N (or --check <file>)") }
        let reader = try location.openReader()
        let file = try Audit.ConsistencyProofFile(reader: reader, from: from, to: try to ?? reader.size())
        try emit(try Audit.encodeJSON(file), to: output)
    }
}
