import ArgumentParser
import CohortScenario
import Foundation

/// `cohort scenario validate <file>`: every problem of a scenario file, with its place.
struct ScenarioValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario file without running it; problems are printed as file:line:column with the fix.",
        discussion: "Exit status: 0 valid, 1 the file has a problem, 66 the file cannot be read.")

    /// The scenario file.
    @Argument(help: "The scenario file (YAML).")
    var file: String

    /// JSON output.
    @Flag(help: "Print the problems as JSON.")
    var json = false

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError.notFound("no scenario file at \(file)") }
        let result: Scenario.Validation
        do {
            result = try Scenario.check(file: file)
        } catch {
            throw CLIError.notFound("\(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result.diagnostics), as: UTF8.self))
        } else if let definition = result.definition {
            print("\(file): valid — \(definition.parties.count) parties, \(definition.studies.count) studies, \(definition.events.count) events, \(definition.expectations.count) expectations")
        } else {
            for diagnostic in result.diagnostics { print(diagnostic) }
        }
        if !result.diagnostics.isEmpty {
            throw CLIError.failed("\(file): \(result.diagnostics.count) problem\(result.diagnostics.count == 1 ? "" : "s")")
        }
    }
}
