import ArgumentParser
import CohortAudit

/// `cohort audit verify`: replays the whole log and checks chain, tree and checkpoints.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay every entry, recompute chain and tree, check all checkpoints. Exit 0 if intact, 1 if not."
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "Verifier key (name+keyid+key, or a file holding it). Default: the key recorded in the log.")
    var key: String?

    @Option(help: "A signed checkpoint kept outside the log (file); the log must be consistent with it.")
    var checkpoint: String?

    @Option(help: "Cores to use (default: all). 1 replays on one thread, for a busy machine.")
    var threads: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1 (got \(threads))")
        }
    }

    func run() throws {
        let reader = try location.openReader()
        let verifier = try key.map(loadVerifierKey)
        let external = try checkpoint.map { try Audit.SignedCheckpoint(parsing: readTextFile($0)) }
        let result = try reader.verify(key: verifier, external: external, threads: threads)
        switch result {
        case .intact(let size, let root):
            if json {
                print("{\"result\":\"intact\",\"root\":\"\(root.hex)\",\"size\":\(size)}")
            } else {
                print("intact: \(size) entries, root \(root.hex) (origin \(reader.origin))")
            }
        case .broken(let index, let reason):
            if json {
                let escaped = reason.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                print("{\"index\":\(index),\"reason\":\"\(escaped)\",\"result\":\"broken\"}")
            } else {
                print("BROKEN at index \(index): \(reason)")
            }
            throw ExitCode(1)
        }
    }
}
