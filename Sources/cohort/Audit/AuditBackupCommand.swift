import ArgumentParser
import CohortAudit

/// `cohort audit backup <file>`: an online, verified, single-file copy of the audit log.
struct AuditBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the audit log to a new file with SQLite's online backup (safe while the node runs), then verify the copy.",
        discussion: """
            Copying audit.sqlite with cp misses entries still in audit.sqlite-wal; this command does not. \
            The copy is created exclusively with mode 0600 (an existing file is refused), written as one \
            self-contained file and fsynced, then verified with the log's key. Prints the copy's entries and \
            root. Exit 0 if the copy is intact; non-zero with the reason if it verifies broken (the copy is kept) or on any error.
            """
    )

    @Argument(help: "The backup file to create (must not exist).")
    var destination: String

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "Verifier key (name+keyid+key, or a file holding it). Default: the key recorded in the log.")
    var key: String?

    @Option(help: "Cores to use when verifying the copy (default: all).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1 (got \(threads))")
        }
    }

    func run() throws {
        let reader = try location.openReader()
        let verifier = try key.map(loadVerifierKey)
        switch try reader.backup(to: destination, key: verifier, threads: threads) {
        case .intact(let size, let root):
            print("backup \(destination): intact: \(size) entries, root \(root.hex) (origin \(reader.origin))")
        case .broken(let index, let reason):
            print("backup \(destination) written, but it is BROKEN at index \(index): \(reason)")
            throw ExitCode(1)
        }
    }
}
