import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort budget …`: the node's privacy budget.
struct BudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Show the node's privacy budget.",
        subcommands: [BudgetStatusCommand.self]
    )
}

/// `cohort budget status --node <dir> [--json]`: spent and remaining ε per purpose.
struct BudgetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Spent and remaining ε per purpose in the current period.",
        discussion: "Spends compose in zCDP/RDP and are converted to ε at the policy's δ, so 'spent' can be less than the sum of the per-release ε."
    )

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// JSON output.
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        let config = try store.loadConfig()
        let lines = try NodeBudget.report(store: store, config: config, at: Date())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(lines), as: UTF8.self))
            return
        }
        print("Privacy budget of node \(config.node.name) (δ = \(config.privacy.delta))")
        print("purpose          cap ε/period  period  cap ε/study  spent ε   remaining ε  releases")
        for line in lines {
            guard line.allowed else {
                print(line.purpose.padding(toLength: 17, withPad: " ", startingAt: 0) + "not allowed by the node policy")
                continue
            }
            let cells = [
                line.purpose.padding(toLength: 17, withPad: " ", startingAt: 0),
                Self.pad(String(format: "%.3f", line.capEpsilon ?? 0), 12),
                Self.pad("\(line.periodDays ?? 0) d", 7),
                Self.pad(String(format: "%.3f", line.studyCapEpsilon ?? 0), 12),
                Self.pad(String(format: "%.4f", line.spentEpsilon ?? 0), 9),
                Self.pad(String(format: "%.4f", line.remainingEpsilon ?? 0), 12),
                Self.pad("\(line.releases ?? 0)", 9),
            ]
            print(cells.joined(separator: " "))
        }
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }
}
