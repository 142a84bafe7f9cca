extension ScenarioSummary {
    /// Every numeric metric of this run, by a stable dotted name, in a stable order: O(cells).
    ///
    /// Names (`<study>` and `<node>` as in the scenario; cell labels joined by `×`):
    /// `study.<study>.{mean_absolute_error,max_absolute_error,root_mean_squared_error,max_z,
    /// released_customers,rounds,duration_seconds}`, `study.<study>.cell.<labels>.{federated,error}`,
    /// `study.<study>.{kmeans_inertia_ratio,adjusted_rand_index,federated_auc,central_auc,auc_ratio,
    /// federated_accuracy,central_accuracy}`,
    /// `budget.<node>.<purpose>.spent_epsilon`, `audit.<node>.entries`, `audit.<node>.refusals`,
    /// `duration_seconds`. Undefined values are left out.
    public func metricValues() -> [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        func add(_ name: String, _ value: Double?) {
            if let value, value.isFinite { out.append((name, value)) }
        }
        for study in studies {
            let p = "study.\(study.name)"
            if let e = study.errors {
                add("\(p).mean_absolute_error", e.meanAbsoluteError)
                add("\(p).max_absolute_error", e.maxAbsoluteError)
                add("\(p).root_mean_squared_error", e.rootMeanSquaredError)
                add("\(p).max_z", e.maxZ)
            }
            add("\(p).released_customers", study.releasedCustomers)
            add("\(p).rounds", Double(study.rounds.count))
            add("\(p).duration_seconds", study.endedAtSeconds - study.startedAtSeconds)
            for cell in study.cells where !cell.suppressed {
                let c = "\(p).cell.\(cell.labels.joined(separator: "×"))"
                add("\(c).federated", cell.federated)
                add("\(c).error", cell.error)
            }
            if let k = study.kmeans {
                add("\(p).kmeans_inertia_ratio", k.inertiaRatio)
                add("\(p).adjusted_rand_index", k.adjustedRandIndex)
            }
            if let m = study.model {
                add("\(p).federated_auc", m.federatedAUC)
                add("\(p).central_auc", m.centralAUC)
                add("\(p).auc_ratio", m.aucRatio)
                add("\(p).federated_accuracy", m.federatedAccuracy)
                add("\(p).central_accuracy", m.centralAccuracy)
            }
        }
        for budget in budgets { add("budget.\(budget.node).\(budget.purpose).spent_epsilon", budget.spentEpsilon) }
        for audit in audits {
            add("audit.\(audit.node).entries", Double(audit.entries))
            add("audit.\(audit.node).refusals", Double(audit.refusalCount))
        }
        add("duration_seconds", durationSeconds)
        return out
    }

    /// The summary of a `--seeds N` run: the first run's sections, every run's seed, the
    /// expectations of all runs (each prefixed with its seed when N ≥ 2), the total duration, and
    /// mean ± sd of every metric (``metricValues()``) over the runs: O(runs · metrics).
    /// Throws ``ScenarioError/Code/invalidArgument`` when `runs` is empty.
    public static func combining(_ runs: [ScenarioSummary]) throws -> ScenarioSummary {
        guard var combined = runs.first else {
            throw ScenarioError(.invalidArgument, "no scenario runs to combine")
        }
        guard runs.count > 1 else { return combined }
        combined.seeds = runs.flatMap(\.seeds)
        combined.durationSeconds = runs.reduce(0) { $0 + $1.durationSeconds }
        combined.simulatedNoise = runs.contains { $0.simulatedNoise }
        combined.expectations = runs.flatMap { run in
            run.expectations.map {
                Expectation(name: "seed \(run.seeds.first.map(String.init) ?? "?"): \($0.name)", passed: $0.passed, detail: $0.detail)
            }
        }
        var order: [String] = []
        var values: [String: [Double]] = [:]
        for run in runs {
            for (name, value) in run.metricValues() {
                if values[name] == nil { order.append(name) }
                values[name, default: []].append(value)
            }
        }
        combined.seedStatistics = order.map { MetricStatistics(metric: $0, values: values[$0] ?? []) }
        return combined
    }
}
