import CohortStudy
import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort privacy plan <spec> --node <dir> [--parties N] [--json]`: what standard error per
/// cell the spec's ε buys on this node's data, and how many such studies fit the period budget.
struct PrivacyPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Standard error per cell that a study's ε buys on this node's data, and how many such studies fit the budget.",
        discussion: """
            Reads this node's customers consenting to the spec's purpose (audited as data.accessed; \
            through the running node when it runs) to count them per cell; spends nothing. The \
            standard errors assume every party adds noise for the spec's (ε, δ) and, for the \
            expected totals, has about as many customers per cell as this node.
            """
    )

    /// The spec file.
    @Argument(help: "The study specification (YAML or JSON), histogram or mean.")
    var spec: String

    /// The node directory.
    @Option(help: "The node directory (its data and budget).")
    var node: String

    /// Parties adding noise.
    @Option(help: "Number of parties that add noise (default: the spec's participants plus the lead).")
    var parties: Int?

    /// Audit actor.
    @Option(help: "Who asks, for the audit log (default: $USER).")
    var actor: String?

    /// JSON output.
    @Flag(help: "Print JSON (snake_case keys).")
    var json = false

    func validate() throws {
        if let parties, !(1...1000).contains(parties) { throw ValidationError("--parties \(parties) must be in 1…1000") }
    }

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: spec, encoding: .utf8)
        } catch {
            throw CLIError.notFound("cannot read the study spec \(spec): \(error.localizedDescription)")
        }
        do {
            _ = try Study.Spec.load(yaml: text)
        } catch {
            throw ValidationError("\(spec): \(error)")
        }
        let request = LocalAnalysis.Request(
            command: .plan, asOf: "", actor: actor ?? NodeSession.defaultActor, json: json, spec: text, parties: parties)
        try await LocalAnalysis.route(request, node: node, sink: LocalAnalysis.standardOutput)
    }
}
