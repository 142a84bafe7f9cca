import CohortCore
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

/// `cohort budget status --node <dir> [--json]`: spent and remaining ε per purpose, per study.
struct BudgetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Spent and remaining ε per purpose in the current period, and what each study spent.",
        discussion: """
            Composition (zCDP): each study's noise costs ρ; ρ adds up over the studies of a period, and \
            the spent ε is converted once from the total ρ at the policy's δ — so five studies of ε = 1 \
            spend less than ε = 5. Reads node.sqlite only; works whether the node runs or not.
            """
    )

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// JSON output.
    @Flag(help: "Print JSON (snake_case keys).")
    var json = false

    func run() async throws {
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        let config = try store.loadConfig()
        let lines = try NodeBudget.report(store: store, config: config, at: Date())
        if json {
            print(try JSONOutput.text(BudgetDocument(node: config.node.name, delta: config.privacy.delta, purposes: lines)))
            return
        }
        print(Self.text(node: config.node.name, delta: config.privacy.delta, lines: lines), terminator: "")
    }

    /// The `budget status --json` document.
    struct BudgetDocument: Encodable {
        /// Node name.
        var node: String
        /// The policy δ.
        var delta: Double
        /// One entry per purpose.
        var purposes: [NodeBudget.Line]
    }

    /// The human-readable status: the per-purpose table, then each purpose's studies and how
    /// they compose.
    static func text(node: String, delta: Double, lines: [NodeBudget.Line]) -> String {
        var out = ["Privacy budget of node \(node) (δ = \(HumanNumber.exact(delta)))"]
        out.append(["purpose".padding(toLength: 17, withPad: " ", startingAt: 0), pad("cap ε/period", 12), pad("period", 7),
                    pad("cap ε/study", 12), pad("spent ε", 9), pad("remaining ε", 12), pad("releases", 9)].joined(separator: " "))
        for line in lines {
            guard line.allowed else {
                out.append(line.purpose.padding(toLength: 17, withPad: " ", startingAt: 0) + "not allowed by the node policy")
                continue
            }
            let cells = [
                line.purpose.padding(toLength: 17, withPad: " ", startingAt: 0),
                pad(String(format: "%.3f", line.capEpsilon ?? 0), 12),
                pad("\(line.periodDays ?? 0) d", 7),
                pad(String(format: "%.3f", line.studyCapEpsilon ?? 0), 12),
                pad(String(format: "%.4f", line.spentEpsilon ?? 0), 9),
                pad(String(format: "%.4f", line.remainingEpsilon ?? 0), 12),
                pad("\(line.releases ?? 0)", 9),
            ]
            out.append(cells.joined(separator: " "))
        }
        for line in lines where line.allowed {
            guard let studies = line.studies, !studies.isEmpty else { continue }
            out.append("")
            out.append("\(line.purpose): \(studies.count) \(studies.count == 1 ? "study" : "studies") in the current \(line.periodDays ?? 0)-day period")
            let width = max(5, studies.map(\.study.count).max() ?? 0)
            out.append("  " + "study".padding(toLength: width, withPad: " ", startingAt: 0) + "  releases   ρ (zCDP)  ε alone")
            for s in studies {
                out.append("  " + s.study.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad("\(s.releases)", 8)
                           + "  " + pad(s.rho.map { String(format: "%.4f", $0) } ?? "–", 9) + "  " + pad(String(format: "%.4f", s.epsilon), 7))
            }
            let sum = line.sumOfStudyEpsilons ?? 0
            let spent = line.spentEpsilon ?? 0
            if let rho = line.spentRho {
                out.append("  " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad("\(line.releases ?? 0)", 8)
                           + "  " + pad(String(format: "%.4f", rho), 9) + "  " + pad(String(format: "%.4f", spent), 7))
                out.append("  How they compose (zCDP): the studies' ρ add up to \(String(format: "%.4f", rho)); the spent ε is converted once from that total at δ = \(HumanNumber.exact(line.delta ?? delta)): ε = \(String(format: "%.4f", spent)), less than the \(String(format: "%.4f", sum)) that adding each study's own ε would give.")
            } else {
                out.append("  " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad("\(line.releases ?? 0)", 8)
                           + "  " + pad("–", 9) + "  " + pad(String(format: "%.4f", spent), 7))
                out.append("  How they compose (Rényi DP): the studies' RDP curves add up and the total is converted once at δ = \(HumanNumber.exact(line.delta ?? delta)): ε = \(String(format: "%.4f", spent)), at most the \(String(format: "%.4f", sum)) that adding each study's own ε would give.")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }
}
