import ArgumentParser

/// The `cohort` command-line tool: a federated customer-analytics node.
@main
struct Cohort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohort",
        abstract: "A federated customer-analytics node: private data stays home, only DP summaries travel.",
        subcommands: [
            DemoCommand.self,
            NodeCommand.self,
            DataCommand.self,
            ConsentCommand.self,
            AnalyzeCommand.self,
            StudyCommand.self,
            BudgetCommand.self,
            PrivacyCommand.self,
            AuditCommand.self,
            PKICommand.self,
            BenchCommand.self,
        ]
    )
}
