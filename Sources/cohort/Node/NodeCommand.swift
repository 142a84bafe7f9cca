import ArgumentParser

/// `cohort node …`: create, run and inspect a node.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Create, run and inspect a node.",
        subcommands: [NodeInitCommand.self, NodeRunCommand.self, NodeStatusCommand.self]
    )
}
