import ArgumentParser
import CohortNode
import CohortStore

/// `cohort node init <dir> --name <node> [--consortium c] [--force]`.
struct NodeInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node data directory (config, database, keys/, tls/, audit log).",
        discussion: """
            Creates (or tightens) the directory to 0700, writes a commented cohort.yaml, creates \
            node.sqlite with the schema migrations and the audit log with a node.initialized entry \
            (both 0600, with their -wal/-shm files), and keys/ and tls/ (0700). Refuses a directory \
            that is not empty unless --force (which never deletes data), and never starts a fresh \
            node.sqlite beside an audit log that has entries.
            """)

    /// The directory to create.
    @Argument(help: "The node directory to create.")
    var directory: String

    /// The node name.
    @Option(help: "The node name (lowercase letters, digits, '-').")
    var name: String

    /// The consortium name.
    @Option(help: "The consortium name.")
    var consortium: String = "default"

    /// Initialize a non-empty directory.
    @Flag(help: "Initialize even if the directory is not empty (keeps existing data and audit log).")
    var force = false

    func run() async throws {
        let node = try await NodeHome.initialize(
            directory: directory, name: name, consortium: consortium, force: force, actor: NodeSession.defaultActor)
        print("Initialized node '\(name)' (consortium '\(consortium)') in \(node.root)")
        print("  config:   \(node.configPath)")
        print("  data:     \(node.databasePath)")
        print("  audit:    \(node.auditDatabasePath)")
    }
}
