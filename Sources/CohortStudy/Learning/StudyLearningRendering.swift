import CohortLearning
import Foundation

extension Study.LearningRelease {
    /// Terminal lines of the release: for k-means one row per cluster (name, size and share,
    /// centroid in natural units, mean recency/frequency/monetary, churn rate, value-tier
    /// shares); for the churn model the coefficients by feature name, the holdout evaluation
    /// and the calibration table; for an evaluation study the same evaluation lines; for
    /// quantiles one row per probability. Every noised figure shows `± standard error`.
    public func textLines() -> [String] {
        var lines: [String] = []
        switch model {
        case .kmeans(let r):
            lines.append("k-means: \(r.k) segments after \(r.lloydIterations) Lloyd round(s)\(r.converged ? ", converged" : ", stopped at the round limit")")
            let numeric = r.space.numeric
            var header = ["cluster", "name", "customers", "share"]
            header += numeric.map { "\($0.rawValue) (\($0.naturalUnit))" }
            header += ["recency_days", "frequency", "monetary", "churn_rate", "tier high/mid/basic"]
            var rows: [[String]] = []
            for c in r.clusters {
                var row = [String(c.cluster), c.name, Self.estimate(c.size, 0), String(format: "%.1f%%", c.share * 100)]
                row += c.centroidNatural.map { Self.number($0) }
                row += [Self.estimate(c.meanRecencyDays, 0), Self.estimate(c.meanFrequency, 1), Self.estimate(c.meanMonetary, 0),
                        Self.estimate(c.churnRate, 3)]
                row.append(c.valueTierShares.map { String(format: "%.2f", $0.value) }.joined(separator: "/"))
                rows.append(row)
            }
            lines += Self.table(header: header, rows: rows, leftColumns: 2)
        case .logisticRegression(let r):
            lines.append("churn model: logistic regression, \(r.steps) gradient round(s)\(r.converged ? ", converged" : "")")
            lines.append("trained on \(Self.estimate(r.trainingCount, 0)) customers (released, noised)")
            var rows = [["intercept", Self.signed(r.model.intercept)]]
            rows += r.model.coefficients.map { [$0.name, Self.signed($0.weight)] }
            lines += Self.table(header: ["feature (standardized to the clip range)", "weight"], rows: rows, leftColumns: 1)
            lines.append("")
            lines += Self.evaluationLines(r.evaluation, title: "holdout evaluation")
        case .evaluation(let e):
            lines += Self.evaluationLines(e, title: "churn model evaluation")
        case .quantiles(let r):
            lines.append("quantiles of recency, frequency and monetary value")
            let rows = r.probabilities.indices.map { i in
                [String(format: "%.2f", r.probabilities[i]), Self.estimate(r.recencyDays[i], 1), Self.estimate(r.frequency[i], 2),
                 Self.estimate(r.monetaryMajor[i], 2)]
            }
            lines += Self.table(header: ["probability", "recency_days", "frequency", "monetary (major units)"], rows: rows, leftColumns: 0)
            if (try? r.rfmCutPoints()) != nil {
                lines.append("these quintiles are consortium RFM cut points: `rfm_cut_points: { study: <this study> }` scores RFM with them")
            }
        }
        lines.append("rounds run: \(rounds)")
        return lines
    }

    /// RFC 4180 CSV of the release (CRLF line ends, full precision): k-means one row per
    /// cluster; the churn model one row per coefficient; quantiles one row per probability; an
    /// evaluation one row per metric (`auc`, `accuracy`, `log_loss`, `positives`, `negatives`)
    /// and three per calibration group (`calibration_customers`, `calibration_mean_predicted`,
    /// `calibration_observed_rate`, with the group's `lower` and `upper` predicted probability).
    public func csv() -> String {
        var lines: [[String]] = []
        switch model {
        case .kmeans(let r):
            lines.append(["cluster", "name", "customers", "customers_se", "share"] + r.space.numeric.map(\.rawValue)
                         + ["churn_rate", "churn_rate_se"])
            for c in r.clusters {
                lines.append([String(c.cluster), c.name, "\(c.size.value)", "\(c.size.standardError)", "\(c.share)"]
                             + c.centroidNatural.map { "\($0)" } + [c.churnRate.map { "\($0.value)" } ?? "", c.churnRate.map { "\($0.standardError)" } ?? ""])
            }
        case .logisticRegression(let r):
            lines.append(["feature", "weight"])
            lines.append(["intercept", "\(r.model.intercept)"])
            lines += r.model.coefficients.map { [$0.name, "\($0.weight)"] }
        case .evaluation(let e):
            lines.append(["metric", "lower", "upper", "value", "standard_error"])
            func row(_ name: String, _ value: Learning.Estimate?, lower: Double? = nil, upper: Double? = nil) -> [String] {
                [name, lower.map { "\($0)" } ?? "", upper.map { "\($0)" } ?? "", value.map { "\($0.value)" } ?? "",
                 value.map { "\($0.standardError)" } ?? ""]
            }
            lines += [row("auc", e.auc), row("accuracy", e.accuracy), row("log_loss", e.logLoss),
                      row("positives", e.positives), row("negatives", e.negatives)]
            for g in e.calibration {
                lines.append(row("calibration_customers", g.customers, lower: g.lower, upper: g.upper))
                lines.append(["calibration_mean_predicted", "\(g.lower)", "\(g.upper)", g.meanPredicted.map { "\($0)" } ?? "", ""])
                lines.append(row("calibration_observed_rate", g.observedRate, lower: g.lower, upper: g.upper))
            }
        case .quantiles(let r):
            lines.append(["probability", "recency_days", "recency_days_se", "frequency", "frequency_se", "monetary", "monetary_se"])
            for i in r.probabilities.indices {
                lines.append(["\(r.probabilities[i])", "\(r.recencyDays[i].value)", "\(r.recencyDays[i].standardError)",
                              "\(r.frequency[i].value)", "\(r.frequency[i].standardError)",
                              "\(r.monetaryMajor[i].value)", "\(r.monetaryMajor[i].standardError)"])
            }
        }
        return lines.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// The evaluation's counts, AUC, accuracy and log-loss with their standard errors, and
    /// the calibration table.
    private static func evaluationLines(_ e: Learning.EvaluationReport, title: String) -> [String] {
        var lines = ["\(title) (federated, \(e.bins) score bins): positives \(estimate(e.positives, 0)), negatives \(estimate(e.negatives, 0))"]
        lines.append("  AUC \(estimate(e.auc, 4))   accuracy at 0.5 \(estimate(e.accuracy, 4))   log-loss \(estimate(e.logLoss, 4))")
        let calibration = e.calibration.map { row in
            [String(format: "%.1f–%.1f", row.lower, row.upper), estimate(row.customers, 0),
             row.meanPredicted.map { String(format: "%.3f", $0) } ?? "", estimate(row.observedRate, 3)]
        }
        if !calibration.isEmpty {
            lines += table(header: ["predicted", "customers", "mean predicted", "observed churn"], rows: calibration, leftColumns: 1)
        }
        return lines
    }

    private static func estimate(_ e: Learning.Estimate?, _ decimals: Int) -> String {
        guard let e else { return "—" }
        return String(format: "%.\(decimals)f ± %.\(decimals)f", e.value, e.standardError)
    }

    private static func number(_ x: Double) -> String {
        abs(x) >= 100 ? String(format: "%.0f", x) : String(format: "%.2f", x)
    }

    private static func signed(_ x: Double) -> String { String(format: "%+.4f", x) }

    private static func table(header: [String], rows: [[String]], leftColumns: Int) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { c, text in
                let pad = String(repeating: " ", count: max(0, widths[c] - text.count))
                return c < leftColumns ? text + pad : pad + text
            }.joined(separator: "  ")
        }
        return [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
