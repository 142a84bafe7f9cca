import CohortCore
import CohortLearning
public import CohortStudy
import CohortNode
import Foundation

extension ScenarioSummary.StudySummary {
    /// The study section of a released result as a partner sees it: the federated cells ± their
    /// noise standard errors (a learning study: its release), what each node spent, no central
    /// values (a partner has none).
    /// Times are seconds from the study's start. `name` defaults to the study id.
    public init(result: Study.Result, name: String? = nil) {
        let kind = result.spec.kind
        let isMean = result.spec.mean != nil
        let duration = max(0, result.completedAt.timeIntervalSince(result.startedAt))
        let nodes = [result.lead] + result.spec.participants.filter { $0 != result.lead }
        let label = result.spec.mean.map { "mean \($0.measure.rawValue) (\($0.measure.unit))" } ?? "customers"
        self.init(
            name: name ?? result.study, id: result.study, kind: kind.rawValue, purpose: result.spec.purpose.rawValue,
            lead: result.lead, participants: nodes, status: .published, dimensions: result.spec.dimensions.map(\.rawValue),
            valueLabel: label, startedAtSeconds: 0, endedAtSeconds: duration,
            rounds: [ScenarioSummary.Round(index: 1, startedAtSeconds: 0, endedAtSeconds: duration, contributors: result.participants.map(\.node))],
            cells: result.cells.map { cell in
                ScenarioSummary.Cell(
                    labels: cell.labels, federated: cell.suppressed ? nil : cell.value(for: kind),
                    standardError: cell.suppressed ? nil : (isMean ? cell.meanStandardError : cell.countStandardError),
                    central: nil, suppressed: cell.suppressed)
            },
            spends: result.participants.map { ScenarioSummary.Spend(node: $0.node, epsilon: $0.epsilon, delta: $0.delta, rho: $0.rho) },
            releasedCustomers: result.releasedCustomers, releasedCustomersStandardError: result.releasedCustomersStandardError)
        if let learning = result.learning {
            self.learning = learning
            valueLabel = kind == .quantiles ? "quantile" : ""
            if let released = learning.releasedCustomers {
                releasedCustomers = released.value
                releasedCustomersStandardError = released.standardError
            }
            if case .quantiles(let q) = learning.model { cells = Centralized.quantileCells(q, central: nil) }
        }
    }
}
