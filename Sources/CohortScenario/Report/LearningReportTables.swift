import CohortAnalytics
import CohortLearning
import CohortStudy
import Foundation

/// The tables of a learning study's section (k-means clusters and profiles, the churn model's
/// coefficients, evaluation and calibration, quantiles and RFM cut points), as text cells, so
/// that `report.md` and `report.html` show the same numbers. Each noised figure is shown with its
/// standard error; central figures (scenario runs only) beside the federated ones.
struct LearningReportTables {
    /// One table.
    struct Table {
        /// Heading above the table.
        var title: String
        /// Column headings.
        var headers: [String]
        /// Rows of text cells.
        var rows: [[String]]
        /// Right-aligned columns.
        var numeric: Set<Int>
        /// A sentence under the table, if any.
        var note: String?
    }

    /// The tables, in order.
    var tables: [Table] = []

    /// The tables of `study`'s release; none when it has no learning release. O(k · d + bins).
    init(_ study: ScenarioSummary.StudySummary) {
        guard let learning = study.learning else { return }
        switch learning.model {
        case .kmeans(let r): kmeans(r, comparison: study.kmeans, rounds: learning.rounds)
        case .logisticRegression(let r): model(r, comparison: study.model, rounds: learning.rounds)
        case .quantiles(let r): quantiles(r)
        case .evaluation(let r): evaluation(r, comparison: study.model)
        }
    }

    static func n(_ value: Double?, _ digits: Int) -> String { HTMLText.number(value, digits) }

    /// `value ± se` with `digits` decimals (one more for the SE); `–` when absent.
    static func pm(_ e: Learning.Estimate?, _ digits: Int) -> String {
        guard let e else { return "–" }
        return "\(n(e.value, digits)) ± \(n(e.standardError, digits + 1))"
    }

    /// A feature's name in natural units: `log_recency` → `recency`, `tenure_years` → `tenure`.
    static func naturalName(_ feature: String) -> String {
        var name = feature.hasPrefix("log_") ? String(feature.dropFirst(4)) : feature
        if name.hasSuffix("_years") { name = String(name.dropLast(6)) }
        return name
    }

    /// Decimals for a natural-unit value of about `scale`.
    static func d(_ scale: Double) -> Int { min(HTMLText.digits(forScale: abs(scale)) + 1, 4) }

    mutating func kmeans(_ r: Learning.KMeansResult, comparison: ScenarioSummary.KMeansSummary?, rounds: Int) {
        let numeric = r.space.numeric
        let units = numeric.map { Self.naturalName($0.rawValue) + " (\($0.naturalUnit))" }
        tables.append(Table(
            title: "Clusters (released)",
            headers: ["cluster", "name", "customers ± SE", "share"] + units,
            rows: r.clusters.map { c in
                [String(c.cluster), c.name, Self.pm(c.size, 0), "\(Self.n(c.share * 100, 1)) %"]
                    + c.centroidNatural.map { Self.n($0, Self.d($0)) }
            },
            numeric: Set(2..<(4 + units.count)),
            note: "\(r.k) clusters after \(r.lloydIterations) Lloyd round\(r.lloydIterations == 1 ? "" : "s") (\(r.converged ? "converged" : "round limit reached"); \(rounds) rounds in all). Centroids in natural units (the clipped features converted back)."))
        tables.append(Table(
            title: "Cluster profiles (released)",
            headers: ["cluster", "mean recency (days)", "mean purchases", "mean spend (major units)", "churn rate", "value tier high / mid / basic"],
            rows: r.clusters.map { c in
                [String(c.cluster), Self.pm(c.meanRecencyDays, 1), Self.pm(c.meanFrequency, 2), Self.pm(c.meanMonetary, 0),
                 Self.pm(c.churnRate, 3), c.valueTierShares.map { Self.n($0.value, 2) }.joined(separator: " / ")]
            },
            numeric: [1, 2, 3, 4],
            note: nil))
        if let comparison, !comparison.central.isEmpty {
            tables.append(Table(
                title: "Central k-means (best of 10 k-means++ restarts on the union), matched to the released clusters",
                headers: ["cluster", "central customers"] + units,
                rows: comparison.central.enumerated().map { i, c in
                    [String(i + 1), Self.n(c.size, 0)] + (c.centroidNatural ?? []).map { Self.n($0, Self.d($0)) }
                },
                numeric: Set(1..<(2 + units.count)),
                note: "Inertia ratio (federated / central, on the union): \(Self.n(comparison.inertiaRatio, 4)); adjusted Rand index of the labels: \(Self.n(comparison.adjustedRandIndex, 3))."))
        }
    }

    mutating func model(_ r: Learning.LogisticRegressionResult, comparison: ScenarioSummary.ModelSummary?, rounds: Int) {
        let central = comparison?.coefficients
        var rows = [["intercept", Self.n(r.model.intercept, 4), central.flatMap { $0.first { $0.name == "intercept" }?.central }.map { Self.n($0, 4) } ?? "–"]]
        for c in r.model.coefficients {
            rows.append([c.name, Self.n(c.weight, 4), central.flatMap { $0.first { $0.name == c.name }?.central }.map { Self.n($0, 4) } ?? "–"])
        }
        tables.append(Table(
            title: "Churn model coefficients", headers: ["term", "federated", "central"], rows: rows, numeric: [1, 2],
            note: "Weights on the bounded, standardized features (log of recency, purchases, spend, …; regions one-hot). \(r.steps) gradient step\(r.steps == 1 ? "" : "s") (\(r.converged ? "converged" : "step limit reached")), \(rounds) rounds in all; \(Self.pm(r.trainingCount, 0)) training customers (released)."))
        evaluation(r.evaluation, comparison: comparison)
    }

    /// The holdout metrics and the calibration table of a federated evaluation (of the
    /// logistic-regression study's own round, or of an `evaluation` study).
    mutating func evaluation(_ e: Learning.EvaluationReport, comparison: ScenarioSummary.ModelSummary?) {
        var metrics: [[String]] = [
            ["AUC", Self.pm(e.auc, 4), Self.n(comparison?.federatedAUC, 4), Self.n(comparison?.centralAUC, 4)],
            ["accuracy at 0.5", Self.pm(e.accuracy, 4), Self.n(comparison?.federatedAccuracy, 4), Self.n(comparison?.centralAccuracy, 4)],
            ["log-loss", Self.pm(e.logLoss, 4), "–", "–"],
        ]
        metrics.append(["holdout churned / not", "\(Self.pm(e.positives, 0)) / \(Self.pm(e.negatives, 0))", "", ""])
        tables.append(Table(
            title: "Holdout evaluation", headers: ["metric", "released (noised) ± SE", "federated model, exact", "central model, exact"],
            rows: metrics, numeric: [1, 2, 3],
            note: comparison == nil ? "Released: computed from the noised score histogram of the holdout customers."
                : "Released: from the noised score histogram. Exact: on the union's holdout customers (a simulation only), the central model being an L2 logistic regression on the same training customers."))
        tables.append(Table(
            title: "Calibration (released)", headers: ["predicted probability", "customers ± SE", "mean predicted", "observed churn rate ± SE"],
            rows: e.calibration.map { row in
                ["\(Self.n(row.lower, 2))–\(Self.n(row.upper, 2))", Self.pm(row.customers, 0), Self.n(row.meanPredicted, 3), Self.pm(row.observedRate, 3)]
            },
            numeric: [1, 2, 3], note: nil))
    }

    mutating func quantiles(_ r: Learning.QuantileResult) {
        let measures: [(String, [Learning.Estimate], Int)] = [
            ("recency (days)", r.recencyDays, 1), ("purchases", r.frequency, 2), ("spend (major units)", r.monetaryMajor, 0),
        ]
        tables.append(Table(
            title: "Quantiles (released)",
            headers: ["measure"] + r.probabilities.map(Centralized.quantileLabel),
            rows: measures.map { name, values, digits in [name] + values.map { Self.pm($0, digits) } },
            numeric: Set(1...max(r.probabilities.count, 1)), note: nil))
        if let cuts = try? r.rfmCutPoints() {
            tables.append(Table(
                title: "RFM cut points (quintiles)", headers: ["score", "cut 1", "cut 2", "cut 3", "cut 4"],
                rows: [["recency (days)"] + cuts.recency.map { Self.n($0, 1) },
                       ["frequency (purchases)"] + cuts.frequency.map { Self.n($0, 2) },
                       ["monetary (minor units)"] + cuts.monetary.map { Self.n($0, 0) }],
                numeric: [1, 2, 3, 4],
                note: "Every node can score its customers with these consortium cut points (cuts made non-decreasing)."))
        }
    }
}
