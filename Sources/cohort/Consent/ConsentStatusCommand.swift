import CohortCore
import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort consent status --node <dir> [--purpose p] [--as-of date] [--json]`.
struct ConsentStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Count customers per purpose: granted, withdrawn, never asked (as of a date).",
        discussion: "Works whether the node runs or not (asks the running node when it runs).")

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Restrict to one purpose.
    @Option(help: "segmentation, benchmarking or model-training (default: all)")
    var purpose: String?

    /// The reference date.
    @Option(help: "As of this date/time (UTC; a bare date includes that whole day; default: now).")
    var asOf: String?

    /// JSON output.
    @Flag(help: "Print JSON (snake_case keys).")
    var json = false

    func run() async throws {
        let purpose = try self.purpose.map(Purpose.parse)
        let when = try asOf.map { try CivilTime.parseArgument($0, option: "--as-of", endOfDay: true) } ?? Date()
        let counts = try await NodeRouting.route(node: node, timeout: .seconds(60)) { client in
            try await client.consentStatus(purpose: purpose, asOf: when)
        } offline: {
            let store = try NodeStore.open(directory: node)
            defer { try? store.close() }
            return try store.consentStatus(purpose: purpose, asOf: when)
        }
        print(json ? try Self.json(counts, at: when) : Self.text(counts, at: when), terminator: "")
    }

    /// The table: one row per purpose.
    static func text(_ counts: [ConsentStatusCounts], at when: Date) -> String {
        var lines = ["Consent as of \(CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(when)))"]
        lines.append("purpose".padding(toLength: 16, withPad: " ", startingAt: 0) + "   granted  withdrawn  never-asked")
        for row in counts {
            let cells = [row.granted, row.withdrawn, row.neverAsked].enumerated().map { i, n in
                let text = String(n)
                let width = [10, 11, 13][i]
                return String(repeating: " ", count: max(0, width - text.count)) + text
            }
            lines.append(row.purpose.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + cells.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON document: `{"as_of": …, "purposes": [{"purpose", "granted", "withdrawn", "never_asked"}]}`.
    static func json(_ counts: [ConsentStatusCounts], at when: Date) throws -> String {
        struct Row: Encodable { var purpose: String; var granted: Int; var withdrawn: Int; var neverAsked: Int }
        struct Document: Encodable { var asOf: String; var purposes: [Row] }
        return try JSONOutput.text(Document(
            asOf: CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(when)),
            purposes: counts.map { Row(purpose: $0.purpose.rawValue, granted: $0.granted, withdrawn: $0.withdrawn, neverAsked: $0.neverAsked) })) + "\n"
    }
}
