import CohortStudy
/// The HTML section of one study: what it was, whether it published, the federated answer ± its
/// noise error beside the central value (chart and table), the error metrics, what each node
/// spent, and the k-means profiles or churn-model curves when the study has them. Shared by the
/// scenario report and `cohort study result --html` (where there is no central value).
public enum StudySectionHTML {
    /// The `<section>` for `study`; `anchor` is its element id. O(cells + curve points).
    public static func render(_ study: ScenarioSummary.StudySummary, anchor: String) -> String {
        let p = "study.\(study.name)"
        var out = "<section class=\"study\" id=\"\(HTMLText.escape(anchor))\">"
        out += "<h3>\(HTMLText.escape(study.name))</h3>"
        var meta = ["kind \(study.kind)", "purpose \(study.purpose)", "lead \(study.lead)",
                    "parties: \(study.participants.joined(separator: ", "))"]
        if let id = study.id { meta.append("id \(id)") }
        if !study.dimensions.isEmpty { meta.append("dimensions: \(study.dimensions.joined(separator: " × "))") }
        out += "<p class=\"meta\">\(HTMLText.escape(meta.joined(separator: " · ")))</p>"
        switch study.status {
        case .published:
            out += "<p><span class=\"pass\">published</span> after \(HTMLText.escape(HTMLText.number(study.endedAtSeconds - study.startedAtSeconds, 1))) s"
        case .failed:
            out += "<p><span class=\"fail\">failed</span>: \(HTMLText.escape(study.failureReason ?? "no reason given"))"
        }
        let roundCount = study.learning?.rounds ?? study.rounds.count
        out += ", \(roundCount) round\(roundCount == 1 ? "" : "s")"
        if let released = study.releasedCustomers {
            out += "; customers in the study \(HTMLText.escape(HTMLText.number(released, 0)))"
            if let se = study.releasedCustomersStandardError { out += " ± \(HTMLText.escape(HTMLText.number(se, 1)))" }
            out += " released (noised)"
            if let central = study.centralCustomers { out += ", \(HTMLText.escape(HTMLText.number(Double(central), 0))) in the central baseline" }
        }
        out += ".</p>"
        out += HTMLTable(headers: ["metric", "value"], numericColumns: [1], rows: [
            [.text("rounds"), .integer(study.rounds.count, metric: "\(p).rounds")],
            [.text("duration (s)"), .number(study.endedAtSeconds - study.startedAtSeconds, 1, metric: "\(p).duration_seconds")],
        ] + (study.releasedCustomers.map { [[.text("customers released (noised)"), .number($0, 1, metric: "\(p).released_customers")]] } ?? []),
            style: "compact").html()

        for table in LearningReportTables(study).tables {
            out += "<h4>\(HTMLText.escape(table.title))</h4>"
            out += HTMLTable(headers: table.headers, numericColumns: table.numeric, rows: table.rows.map { $0.map { .text($0) } }).html()
            if let note = table.note { out += "<p class=\"meta\">\(HTMLText.escape(note))</p>" }
        }
        if !study.cells.isEmpty { out += cells(study, prefix: p) }
        if let errors = study.errors { out += errorTable(errors, prefix: p, digits: digits(study)) }
        if let kmeans = study.kmeans { out += kmeansBlock(kmeans, prefix: p) }
        if let model = study.model { out += modelBlock(model, prefix: p) }
        if !study.spends.isEmpty {
            out += "<h4>Privacy spent for this study</h4>"
            out += HTMLTable(headers: ["node", "ε", "δ", "ρ (zCDP)"], numericColumns: [1, 2, 3], rows: study.spends.map {
                [.text($0.node), .number($0.epsilon, 3), .text(HTMLText.exact($0.delta)), .number($0.rho, 5)]
            }).html()
        }
        if !study.rounds.isEmpty && study.rounds.count > 1 || study.rounds.contains(where: { !$0.dropped.isEmpty }) {
            out += "<h4>Rounds</h4>"
            out += HTMLTable(headers: ["round", "start (s)", "end (s)", "contributors", "dropped"], numericColumns: [0, 1, 2], rows: study.rounds.map {
                [.integer($0.index), .number($0.startedAtSeconds, 1), .number($0.endedAtSeconds, 1),
                 .text($0.contributors.joined(separator: ", ")), .text($0.dropped.isEmpty ? "–" : $0.dropped.joined(separator: ", "))]
            }).html()
        }
        return out + "</section>"
    }

    /// Decimals for the study's values (counts: whole numbers; means: about 3 significant digits).
    static func digits(_ study: ScenarioSummary.StudySummary) -> Int {
        if study.kind == "histogram" { return 0 }
        let values = study.cells.compactMap { $0.federated ?? $0.central }.map(abs).sorted()
        return values.isEmpty ? 3 : HTMLText.digits(forScale: values[values.count / 2]) + 1
    }

    static func cells(_ study: ScenarioSummary.StudySummary, prefix p: String) -> String {
        let hasCentral = study.cells.contains { $0.central != nil }
        let d = digits(study)
        let labels = study.cells.map { $0.labels.joined(separator: " × ") }
        var series = [BarChart.Series(
            name: "federated ± 1.96 SE", values: study.cells.map { $0.suppressed ? nil : $0.federated },
            errors: study.cells.map { $0.standardError.map { 1.96 * $0 } })]
        if hasCentral { series.append(BarChart.Series(name: "central (exact)", values: study.cells.map(\.central))) }
        let label = study.valueLabel.isEmpty ? "value" : study.valueLabel
        // Quantiles mix units (days, purchases, money): a table only.
        var out = ""
        if study.kind != "quantiles" {
            out += "<figure>" + BarChart(
                title: "\(study.name): \(label) per cell, federated\(hasCentral ? " vs central" : "")",
                categories: labels, series: series, axisLabel: label).svg()
            out += "<figcaption>Error bars: ±1.96 standard errors of the privacy noise (about 95 %).\(hasCentral ? " Central: the same definitions computed exactly on every party's consenting customers." : "")</figcaption></figure>"
        } else if hasCentral {
            out += "<p class=\"meta\">Central: the exact quantiles of every party's consenting customers, read off the same histograms without noise.</p>"
        }
        var headers = ["cell", "federated \(label)", "± SE"]
        if hasCentral { headers += ["central", "error", "error / SE"] }
        let rows: [[HTMLTable.Cell]] = study.cells.map { cell in
            let name = "\(p).cell.\(cell.labels.joined(separator: "×"))"
            var row: [HTMLTable.Cell] = [.text(cell.labels.joined(separator: " × "))]
            if cell.suppressed {
                row += [.text("suppressed", style: "muted"), .text("")]
            } else {
                row += [.number(cell.federated, d, metric: "\(name).federated"), .number(cell.standardError, d + 1)]
            }
            if hasCentral {
                row.append(.number(cell.central, d))
                if cell.suppressed {
                    row += [.text(""), .text("")]
                } else {
                    let z: Double? = cell.error.flatMap { e in cell.standardError.flatMap { $0 > 0 ? e / $0 : nil } }
                    row += [.number(cell.error, d + 1, metric: "\(name).error"), .number(z, 2)]
                }
            }
            return row
        }
        out += HTMLTable(headers: headers, numericColumns: Set(1..<headers.count), rows: rows).html()
        return out
    }

    static func errorTable(_ e: ScenarioSummary.ErrorMetrics, prefix p: String, digits d: Int) -> String {
        "<h4>Error against the central baseline</h4>" + HTMLTable(headers: ["metric", "value"], numericColumns: [1], rows: [
            [.text("cells compared"), .integer(e.cellsCompared)],
            [.text("cells suppressed"), .integer(e.cellsSuppressed)],
            [.text("mean absolute error"), .number(e.meanAbsoluteError, d + 1, metric: "\(p).mean_absolute_error")],
            [.text("largest absolute error"), .number(e.maxAbsoluteError, d + 1, metric: "\(p).max_absolute_error")],
            [.text("root mean squared error"), .number(e.rootMeanSquaredError, d + 1, metric: "\(p).root_mean_squared_error")],
            [.text("largest |error| / SE"), .number(e.maxZ, 2, metric: "\(p).max_z")],
        ], style: "compact").html()
    }

    static func kmeansBlock(_ k: ScenarioSummary.KMeansSummary, prefix p: String) -> String {
        var out = "<h4>Cluster profiles</h4><div class=\"charts\">"
        for (i, cluster) in k.federated.enumerated() {
            var series = [BarChart.Series(name: "federated", values: cluster.centroid.map { Optional($0) })]
            if i < k.central.count { series.append(BarChart.Series(name: "central", values: k.central[i].centroid.map { Optional($0) })) }
            out += "<figure>" + BarChart(title: "cluster \(i + 1): centroid per feature", categories: k.features, series: series,
                                        axisLabel: "standardized value").svg()
            out += "<figcaption>Cluster \(i + 1): \(HTMLText.escape(HTMLText.number(cluster.size, 0))) customers (released)"
            if i < k.central.count { out += ", \(HTMLText.escape(HTMLText.number(k.central[i].size, 0))) central" }
            out += ".</figcaption></figure>"
        }
        out += "</div>"
        out += HTMLTable(headers: ["metric", "value"], numericColumns: [1], rows: [
            [.text("federated inertia"), .number(k.federatedInertia, 1)],
            [.text("central inertia"), .number(k.centralInertia, 1)],
            [.text("inertia ratio (federated / central)"), .number(k.inertiaRatio, 4, metric: "\(p).kmeans_inertia_ratio")],
            [.text("adjusted Rand index"), .number(k.adjustedRandIndex, 3, metric: "\(p).adjusted_rand_index")],
        ], style: "compact").html()
        return out
    }

    static func modelBlock(_ m: ScenarioSummary.ModelSummary, prefix p: String) -> String {
        func points(_ curve: [ScenarioSummary.CurvePoint]) -> [LineChart.Point] { curve.map { LineChart.Point(x: $0.x, y: $0.y) } }
        func bins(_ b: [ScenarioSummary.CalibrationBin]) -> [LineChart.Point] { b.map { LineChart.Point(x: $0.predicted, y: $0.observed) } }
        var out = "<h4>Churn model</h4><div class=\"charts\">"
        var roc: [LineChart.Series] = []
        if !m.federatedROC.isEmpty { roc.append(.init(name: "federated", points: points(m.federatedROC))) }
        if !m.centralROC.isEmpty { roc.append(.init(name: "central", points: points(m.centralROC))) }
        if !roc.isEmpty {
            out += "<figure>" + LineChart(title: "ROC curve", series: roc, xLabel: "false-positive rate", yLabel: "true-positive rate",
                                          xDomain: 0...1, yDomain: 0...1, diagonal: "chance").svg() + "<figcaption>ROC on the holdout customers.</figcaption></figure>"
        }
        var cal: [LineChart.Series] = []
        if !m.federatedCalibration.isEmpty { cal.append(.init(name: "federated", points: bins(m.federatedCalibration), markers: true)) }
        if !m.centralCalibration.isEmpty { cal.append(.init(name: "central", points: bins(m.centralCalibration), markers: true)) }
        if !cal.isEmpty {
            out += "<figure>" + LineChart(title: "Calibration", series: cal, xLabel: "mean predicted churn probability", yLabel: "observed churn rate",
                                          xDomain: 0...1, yDomain: 0...1, diagonal: "perfect").svg() + "<figcaption>Observed churn per bin of predicted probability.</figcaption></figure>"
        }
        out += "</div>"
        out += HTMLTable(headers: ["metric", "federated", "central"], numericColumns: [1, 2], rows: [
            [.text("holdout AUC (exact)"), .number(m.federatedAUC, 4, metric: "\(p).federated_auc"), .number(m.centralAUC, 4, metric: "\(p).central_auc")],
            [.text("holdout accuracy at 0.5 (exact)"), .number(m.federatedAccuracy, 4, metric: "\(p).federated_accuracy"), .number(m.centralAccuracy, 4, metric: "\(p).central_accuracy")],
            [.text("AUC ratio (federated / central)"), .number(m.aucRatio, 3, metric: "\(p).auc_ratio"), .text("")],
        ], style: "compact").html()
        return out
    }
}
