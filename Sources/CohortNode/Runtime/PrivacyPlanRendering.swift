import CohortStore
import Foundation

extension PrivacyPlan {
    /// The plan as JSON: snake_case keys, sorted, pretty-printed (the CLI's `--json` style).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The plan for a terminal: what the noise is, the standard error per cell, and how many
    /// such studies the budget admits, in plain words.
    public func text() -> String {
        let n = HumanNumber.format
        var out: [String] = []
        out.append("Privacy plan: \(kind) study of \(measure.map { "\($0) by " } ?? "")\(dimensions.joined(separator: " × ")) for \(purpose)")
        out.append("ε = \(n(epsilon)), δ = \(n(delta)) per node → ρ = \(String(format: "%.4f", rho)) (zCDP); each node adds discrete Gaussian noise with σ = \(String(format: "%.2f", sigmaPerNode)) per \(kind == "mean" ? "cell count" : "count")")
        out.append("\(parties) \(parties == 1 ? "party adds" : "parties add") noise: standard error per released count = √\(parties) × σ = \(String(format: "%.2f", cells.first?.countStandardError ?? 0))")
        out.append("This node has \(customersInScope) customers consenting to \(purpose).")
        out.append("")
        var header = dimensions + ["this node", "expected total", "SE count"]
        if kind == "mean" { header += ["this node's mean", "SE mean"] } else { header += ["relative SE"] }
        var rows: [[String]] = [header]
        for cell in cells {
            var row = cell.labels + [String(cell.localCount), String(cell.expectedCount), String(format: "%.2f", cell.countStandardError)]
            if kind == "mean" {
                row += [cell.localMean.map { String(format: "%.4f", $0) } ?? "–", cell.meanStandardError.map { String(format: "%.4f", $0) } ?? "–"]
            } else {
                row += [cell.expectedCount > 0 ? String(format: "%.2f%%", 100 * cell.countStandardError / Double(cell.expectedCount)) : "–"]
            }
            rows.append(row)
        }
        let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for (i, row) in rows.enumerated() {
            out.append(row.enumerated().map { c, text in
                c < dimensions.count ? text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - text.count) + text
            }.joined(separator: "  "))
            if i == 0 { out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        out.append("")
        if budget.allowed, let cap = budget.periodCapEpsilon, let days = budget.periodDays, let policyDelta = budget.policyDelta {
            out.append("Budget for \(purpose): ε \(n(cap)) per \(days) days at δ = \(n(policyDelta)), at most ε \(n(budget.studyCapEpsilon ?? 0)) per study; spent ε \(String(format: "%.4f", budget.spentEpsilon ?? 0)) in the current period.")
            out.append("Such studies (ε \(String(format: "%.4f", budget.studyEpsilon ?? 0)) each at the policy δ) that fit now: \(budget.studiesFittingNow ?? 0); in an empty period: \(budget.studiesPerPeriod ?? 0).")
            out.append("(zCDP: the studies' ρ add up and the total is converted to ε once at δ, so k studies cost less than k × ε.)")
            if let limit = budget.limit { out.append("The next one is refused: \(limit)") }
        } else {
            out.append("Budget: \(budget.limit ?? "the purpose is not allowed") — no such study fits.")
        }
        out.append("")
        out.append("Assumptions: " + assumptions.joined(separator: "; ") + ".")
        return out.joined(separator: "\n")
    }
}
