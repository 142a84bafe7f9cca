import ArgumentParser

/// `cohort privacy …`: privacy cost estimates and exact noise sampling.
struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "Estimate privacy costs and sample exact discrete noise.",
        subcommands: [PrivacyCostCommand.self, PrivacySampleCommand.self]
    )
}
