import ArgumentParser
import Foundation

/// The `cohort` command-line tool: a federated customer-analytics node.
@main
struct Cohort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohort",
        abstract: "A federated customer-analytics node: private data stays home, only DP summaries travel.",
        discussion: """
            Exit status: 0 success, 1 failed, 64 usage, 66 not found, 69 node not running, 77 refused \
            (see README, "Exit codes"). Shell completions: cohort --generate-completion-script bash|zsh|fish.
            """,
        version: CohortVersion.text,
        subcommands: [
            DemoCommand.self,
            ScenarioCommand.self,
            NodeCommand.self,
            DataCommand.self,
            ConsentCommand.self,
            AnalyzeCommand.self,
            StudyCommand.self,
            BudgetCommand.self,
            PrivacyCommand.self,
            AuditCommand.self,
            PKICommand.self,
        ]
    )

    /// Parses and runs the command, mapping errors to the documented exit statuses
    /// (``CLIExitStatus``); usage errors keep ArgumentParser's message and status 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            guard let status = CLIExitStatus.of(error) else { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(status.rawValue)
        }
    }
}
