import ArgumentParser

/// `cohort scenario …`: simulated multi-party studies with real node processes.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Validate and run scenario files (scenarios/*.yaml): parties, studies, faults and expectations.",
        subcommands: [ScenarioValidateCommand.self, ScenarioRunCommand.self]
    )
}
