import ArgumentParser

/// `cohort consent grant|withdraw|status`.
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record and inspect purpose-bound consent.",
        subcommands: [ConsentGrantCommand.self, ConsentWithdrawCommand.self, ConsentStatusCommand.self])
}
