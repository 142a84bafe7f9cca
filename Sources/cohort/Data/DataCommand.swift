import ArgumentParser

/// `cohort data …`: the node's private customer data.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Import, generate, export and erase the node's private customer data.",
        subcommands: [
            DataImportCommand.self, DataGenerateCommand.self, DataFeaturesCommand.self,
            DataEraseCommand.self,
        ]
    )
}
