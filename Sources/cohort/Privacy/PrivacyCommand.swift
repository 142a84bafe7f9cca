import ArgumentParser

/// `cohort privacy …`: privacy cost estimates, study plans and exact noise sampling.
struct PrivacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "Estimate privacy costs, plan a study's standard errors and budget, and sample exact discrete noise.",
        subcommands: [PrivacyCostCommand.self, PrivacyPlanCommand.self, PrivacySampleCommand.self]
    )
}
