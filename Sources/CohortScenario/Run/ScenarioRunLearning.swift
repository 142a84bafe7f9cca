import CohortLearning
import CohortStudy
import Foundation

extension ScenarioRun {
    /// Records a published learning study (`kmeans`, `logistic-regression`, `quantiles`) into
    /// `summary`: the release, what each node spent, the released customers, and the comparison
    /// with the central baseline on the union of the nodes' consenting customers (read now, as
    /// the nodes read them for the study). Prints the release and the comparison.
    mutating func recordLearning(
        _ result: Study.Result, title: String, nodeDirectories: [URL], into summary: inout ScenarioSummary.StudySummary
    ) throws {
        guard let learning = result.learning else {
            throw ScenarioError(.studyFailed, "study \(summary.name) is a \(result.spec.kind.rawValue) study but its result has no learning section")
        }
        summary.status = .published
        summary.learning = learning
        summary.spends = result.participants.map { .init(node: $0.node, epsilon: $0.epsilon, delta: $0.delta, rho: $0.rho) }
        if let released = learning.releasedCustomers {
            summary.releasedCustomers = released.value
            summary.releasedCustomersStandardError = released.standardError
        }
        summary.valueLabel = result.spec.kind == .quantiles ? "quantile" : ""
        let customers = try Centralized.learningCustomers(spec: result.spec, nodeDirectories: nodeDirectories)
        var lines = [title, ""] + result.textTable().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let f: (Double) -> String = { String(format: "%.5f", $0) }
        switch learning.model {
        case .kmeans(let r):
            let k = try Centralized.kmeans(r, spec: result.spec, customers: customers)
            summary.kmeans = k
            summary.centralCustomers = customers.count
            lines.append("central k-means (best of 10 restarts) on \(customers.count) customers: inertia ratio (federated / central) "
                + "\(k.inertiaRatio.map(f) ?? "–"), adjusted Rand index \(k.adjustedRandIndex.map(f) ?? "–")")
        case .logisticRegression(let r):
            let (m, training) = try Centralized.model(r, spec: result.spec, customers: customers)
            summary.model = m
            summary.centralCustomers = training
            lines.append("holdout AUC federated \(m.federatedAUC.map(f) ?? "–") vs central \(m.centralAUC.map(f) ?? "–"); "
                + "accuracy federated \(m.federatedAccuracy.map(f) ?? "–") vs central \(m.centralAccuracy.map(f) ?? "–") (central L2 logistic regression, same holdout)")
        case .quantiles(let r):
            summary.cells = try Centralized.quantiles(r, spec: result.spec, customers: customers)
            summary.errors = .of(summary.cells)
            summary.centralCustomers = customers.count
            lines.append("exact quantiles on \(customers.count) customers beside the released ones in the report")
        case .evaluation(let r):
            summary.centralCustomers = customers.count
            lines.append("released AUC \(r.auc.map { f($0.value) } ?? "–") ± \(r.auc.map { f($0.standardError) } ?? "–") of the evaluated model")
        }
        if result.simulatedNoise {
            learningNoiseSimulated = true
            lines.append("NOTE: simulated (seeded or zero) noise was used by at least one node")
        }
        say(lines.joined(separator: "\n"))
    }
}
