import CohortLearning
import CohortStudy
import Foundation

/// Checks a run's expectations against its summary.
enum ScenarioExpectationCheck {
    /// One outcome per expectation, named `<check> (line L)`.
    static func evaluate(
        _ expectations: [Scenario.Expectation], summary: ScenarioSummary, refusalCodes: [String: Set<String>],
        survivors: [Int32], problems: [String]
    ) -> [ScenarioSummary.Expectation] {
        var out: [ScenarioSummary.Expectation] = []
        for expectation in expectations {
            let line = expectation.place.split(separator: ":").dropLast().last.map(String.init) ?? "?"
            let (passed, detail) = check(expectation.check, summary: summary, refusalCodes: refusalCodes, survivors: survivors)
            out.append(.init(name: "\(expectation.check) (line \(line))", passed: passed, detail: detail))
        }
        for problem in problems {
            out.append(.init(name: "every injected fault is handled", passed: false, detail: problem))
        }
        return out
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.1f", value) : String(format: "%.4g", value)
    }

    /// The value of `metric` for a published study, nil when it is undefined.
    static func value(_ metric: Scenario.Metric, of study: ScenarioSummary.StudySummary) -> Double? {
        let released = study.cells.filter { !$0.suppressed }
        switch metric {
        case .meanAbsoluteError: return study.errors?.meanAbsoluteError
        case .maxAbsoluteError: return study.errors?.maxAbsoluteError
        case .maxZ: return study.errors?.maxZ
        case .meanRelativeError:
            let ratios = released.compactMap { cell -> Double? in
                guard let error = cell.error, let central = cell.central, central != 0 else { return nil }
                return abs(error) / abs(central)
            }
            return ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count)
        case .releasedCells: return Double(released.count)
        case .suppressedCells: return Double(study.cells.count - released.count)
        case .customersRelativeError:
            guard let released = study.releasedCustomers, let central = study.centralCustomers, central > 0 else { return nil }
            return abs(released - Double(central)) / Double(central)
        case .seconds: return study.endedAtSeconds - study.startedAtSeconds
        case .inertiaRatio: return study.kmeans?.inertiaRatio
        case .ari: return study.kmeans?.adjustedRandIndex
        case .auc: return study.model?.federatedAUC
        case .accuracy: return study.model?.federatedAccuracy
        case .aucGap:
            guard let f = study.model?.federatedAUC, let c = study.model?.centralAUC else { return nil }
            return abs(f - c)
        case .accuracyGap:
            guard let f = study.model?.federatedAccuracy, let c = study.model?.centralAccuracy else { return nil }
            return abs(f - c)
        case .logLoss:
            guard case .logisticRegression(let r)? = study.learning?.model else { return nil }
            return r.evaluation.logLoss?.value
        }
    }

    static func check(
        _ check: Scenario.Check, summary: ScenarioSummary, refusalCodes: [String: Set<String>], survivors: [Int32]
    ) -> (Bool, String) {
        func study(_ name: String) -> ScenarioSummary.StudySummary? { summary.studies.first { $0.name == name } }
        switch check {
        case .published(let name):
            guard let s = study(name) else { return (false, "the study never ran") }
            return s.status == .published ? (true, "published") : (false, "failed: \(s.failureReason ?? "no reason given")")
        case .failed(let name, let reason):
            guard let s = study(name) else { return (false, "the study never ran") }
            guard s.status == .failed else { return (false, "it was published") }
            let why = s.failureReason ?? ""
            if let reason, !why.lowercased().contains(reason.lowercased()) {
                return (false, "failed, but the reason does not mention '\(reason)': \(why)")
            }
            return (true, "failed: \(why)")
        case .metric(let name, let metric, let atMost, let atLeast):
            guard let s = study(name) else { return (false, "the study never ran") }
            guard s.status == .published else { return (false, "the study failed: \(s.failureReason ?? "")") }
            guard let v = value(metric, of: s) else { return (false, "\(metric.rawValue) is undefined (no released cell or central baseline to compare)") }
            var ok = true
            var parts: [String] = []
            if let atMost { ok = ok && v <= atMost; parts.append("≤ \(format(atMost))") }
            if let atLeast { ok = ok && v >= atLeast; parts.append("≥ \(format(atLeast))") }
            // Learning metrics compare figures near 1 (or gaps near 0) at 4–5 decimals.
            let shown = metric.kinds.isSubset(of: ["kmeans", "logistic-regression"]) ? String(format: "%.6g", v) : format(v)
            return (ok, "\(metric.rawValue) = \(shown) (wanted \(parts.joined(separator: " and ")))")
        case .withinStandardErrors(let name, let z):
            guard let s = study(name) else { return (false, "the study never ran") }
            guard s.status == .published else { return (false, "the study failed: \(s.failureReason ?? "")") }
            guard let worst = s.errors?.maxZ else { return (false, "no released cell has a standard error") }
            return (worst <= z, "worst cell is \(format(worst)) SE from the central value (wanted ≤ \(format(z)))")
        case .budgetWithinCap(let party):
            let lines = summary.budgets.filter { party == nil || $0.node == party }
            let over = lines.filter(\.overCap)
            guard over.isEmpty else {
                return (false, over.map { "\($0.node) \($0.purpose): ε \(format($0.spentEpsilon)) > cap \(format($0.capEpsilon ?? 0))" }.joined(separator: "; "))
            }
            let tightest = lines.compactMap { line in line.capEpsilon.map { line.spentEpsilon / $0 } }.max() ?? 0
            return (true, "\(lines.count) budgets within their caps (fullest at \(String(format: "%.0f", tightest * 100)) %)")
        case .audited(let party, let refusals, let types):
            let found = refusalCodes[party] ?? []
            let counts = summary.audits.first { $0.node == party }?.entriesByType ?? [:]
            let missing = refusals.filter { !found.contains($0) }.map { "refusal \($0)" } + types.filter { (counts[$0] ?? 0) == 0 }
            guard missing.isEmpty else { return (false, "\(party)'s audit log lacks \(missing.joined(separator: ", "))") }
            return (true, "found " + (refusals.map { "refusal \($0)" } + types.map { "\($0) ×\(counts[$0] ?? 0)" }).joined(separator: ", "))
        case .auditIntact:
            let bad = summary.audits.filter { $0.status != .intact }
            guard bad.isEmpty else { return (false, bad.map { "\($0.node): \($0.detail)" }.joined(separator: "; ")) }
            return (true, "\(summary.audits.count) logs intact, \(summary.audits.reduce(0) { $0 + $1.entries }) entries")
        case .noProcessLeft:
            return survivors.isEmpty ? (true, "every node process has exited") : (false, "still running: pids \(survivors.map(String.init).joined(separator: ", "))")
        }
    }
}
