import ArgumentParser
import CohortStore
import Foundation

/// `cohort consent status --node <dir> [--purpose p] [--as-of date]`.
struct ConsentStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Count customers per purpose: granted, withdrawn, never asked (as of a date).")

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Restrict to one purpose.
    @Option(help: "segmentation, benchmarking or model-training (default: all)")
    var purpose: String?

    /// The reference date.
    @Option(help: "As of this date/time (UTC; a bare date includes that whole day; default: now).")
    var asOf: String?

    func run() async throws {
        let purpose = try self.purpose.map(ConsentPurpose.parse)
        let when = try asOf.map { try CivilTime.parseArgument($0, option: "--as-of", endOfDay: true) } ?? Date()
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        let counts = try store.consentStatus(purpose: purpose, asOf: when)
        print("Consent as of \(CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(when)))")
        print("purpose".padding(toLength: 16, withPad: " ", startingAt: 0) + "   granted  withdrawn  never-asked")
        for row in counts {
            let cells = [row.granted, row.withdrawn, row.neverAsked].enumerated().map { i, n in
                let text = String(n)
                let width = [10, 11, 13][i]
                return String(repeating: " ", count: max(0, width - text.count)) + text
            }
            print(row.purpose.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + cells.joined())
        }
    }
}
