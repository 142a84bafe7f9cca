/// `report.html` of a scenario run: a self-contained page (``HTMLPage``) with the verdict, the
/// expectations, the parties, every study (``StudySectionHTML``), the privacy budgets against
/// their caps, the timeline, the audit logs and, with `--seeds N`, mean ± sd of every metric.
/// Every number of ``ScenarioSummary/metricValues()`` appears in a table cell with its exact
/// value in `data-value` and its name in `data-metric`.
public enum ScenarioReportHTML {
    /// The page. O(size of the summary).
    public static func render(_ summary: ScenarioSummary) -> String {
        var body = verdict(summary)
        body += expectations(summary)
        body += parties(summary)
        body += "<section id=\"studies\"><h2>Studies</h2>"
        if summary.studies.isEmpty { body += "<p class=\"muted\">No study ran.</p>" }
        for (i, study) in summary.studies.enumerated() {
            body += StudySectionHTML.render(study, anchor: "study-\(i + 1)")
        }
        body += "</section>"
        body += budgets(summary)
        body += timeline(summary)
        body += audits(summary)
        body += seeds(summary)
        let seedText = summary.seeds.count == 1 ? "seed \(summary.seeds[0])" : "\(summary.seeds.count) seeds"
        let subtitle = "Scenario run \(summary.startedAt), \(seedText), \(HTMLText.number(summary.durationSeconds, 1)) s"
            + (summary.file.map { " — \($0)" } ?? "")
        return HTMLPage(title: "Scenario \(summary.scenario)", subtitle: subtitle, body: body).html()
    }

    static func verdict(_ s: ScenarioSummary) -> String {
        var out = ""
        let failed = s.expectations.filter { !$0.passed }
        if s.expectations.isEmpty {
            out += "<p class=\"banner\">No expectations were stated.</p>"
        } else if failed.isEmpty {
            out += "<p class=\"banner good\">All \(s.expectations.count) expectations held.</p>"
        } else {
            out += "<p class=\"banner bad\">\(failed.count) of \(s.expectations.count) expectations failed: "
                + HTMLText.escape(failed.map(\.name).joined(separator: "; ")) + "</p>"
        }
        if s.simulatedNoise {
            out += "<p class=\"banner\">Simulated (seeded) noise: these numbers carry no privacy guarantee.</p>"
        }
        out += HTMLTable(headers: ["run", "value"], numericColumns: [1], rows: [
            [.text("duration (s)"), .number(s.durationSeconds, 1, metric: "duration_seconds")],
            [.text("seeds"), .text(s.seeds.map(String.init).joined(separator: ", "))],
        ], style: "compact").html()
        return out
    }

    static func expectations(_ s: ScenarioSummary) -> String {
        guard !s.expectations.isEmpty else { return "" }
        return "<section id=\"expectations\"><h2>Expectations</h2>" + HTMLTable(
            headers: ["expectation", "outcome", "measured"],
            rows: s.expectations.map {
                [.text($0.name), .text($0.passed ? "held" : "FAILED", style: $0.passed ? "pass" : "fail"), .text($0.detail)]
            }).html() + "</section>"
    }

    static func parties(_ s: ScenarioSummary) -> String {
        let purposes = Array(Set(s.parties.flatMap(\.consenting.keys))).sorted()
        let headers = ["party", "data", "customers", "transactions"] + purposes.map { "consenting: \($0)" }
        return "<section id=\"parties\"><h2>Parties</h2>" + HTMLTable(
            headers: headers, numericColumns: Set(2..<headers.count),
            rows: s.parties.map { party in
                [.text(party.name), .text(party.data), .integer(party.customers),
                 party.transactions.map { HTMLTable.Cell.integer($0) } ?? .text("–")]
                    + purposes.map { p in party.consenting[p].map { HTMLTable.Cell.integer($0) } ?? .text("–") }
            }).html() + "</section>"
    }

    static func budgets(_ s: ScenarioSummary) -> String {
        guard !s.budgets.isEmpty else { return "" }
        var out = "<section id=\"budgets\"><h2>Privacy budget</h2>"
        out += "<figure>" + BarChart(
            title: "ε spent per node and purpose against the cap",
            categories: s.budgets.map { "\($0.node) · \($0.purpose)" },
            series: [BarChart.Series(name: "ε spent", values: s.budgets.map { Optional($0.spentEpsilon) })],
            axisLabel: "ε (at the policy's δ)", marks: s.budgets.map(\.capEpsilon), markLabel: "cap per period").svg()
        out += "<figcaption>Spends compose in zCDP; the total is converted to ε once, at the node's δ.</figcaption></figure>"
        out += HTMLTable(headers: ["node", "purpose", "ε spent", "cap", "δ", "studies", "within cap"], numericColumns: [2, 3, 4, 5], rows: s.budgets.map {
            [.text($0.node), .text($0.purpose), .number($0.spentEpsilon, 3, metric: "budget.\($0.node).\($0.purpose).spent_epsilon"),
             $0.capEpsilon.map { HTMLTable.Cell.number($0, 2) } ?? .text("not allowed", style: "muted"),
             .text(HTMLText.exact($0.delta)), .integer($0.studies),
             .text($0.overCap ? "OVER CAP" : "yes", style: $0.overCap ? "fail" : "pass")]
        }).html()
        return out + "</section>"
    }

    static func timeline(_ s: ScenarioSummary) -> String {
        guard !s.timeline.isEmpty else { return "" }
        var items: [Timeline.Item] = []
        var rows: [[HTMLTable.Cell]] = []
        for (i, entry) in s.timeline.enumerated() {
            let lane: String
            switch entry.kind {
            case .study, .round: lane = entry.study ?? entry.label
            case .event: lane = "events"
            case .step: lane = "run"
            }
            items.append(Timeline.Item(lane: lane, start: entry.atSeconds, end: entry.endedAtSeconds, label: entry.label,
                                       kind: entry.kind, number: entry.kind == .event ? i + 1 : nil))
            rows.append([.integer(i + 1), .number(entry.atSeconds, 1), .number(entry.endedAtSeconds, 1), .text(entry.kind.rawValue),
                         .text(entry.label), .text(entry.party ?? "–"), .text(entry.study ?? "–"), .text(entry.detail ?? "")])
        }
        return "<section id=\"timeline\"><h2>Timeline</h2><figure>" + Timeline(title: "Events, studies and rounds", items: items).svg()
            + "<figcaption>Numbered diamonds are injected events (rows of the table below); bars are studies and their rounds.</figcaption></figure>"
            + HTMLTable(headers: ["#", "start (s)", "end (s)", "kind", "what", "party", "study", "detail"], numericColumns: [0, 1, 2], rows: rows).html()
            + "</section>"
    }

    static func audits(_ s: ScenarioSummary) -> String {
        guard !s.audits.isEmpty else { return "" }
        var out = "<section id=\"audit\"><h2>Audit logs</h2>"
        out += HTMLTable(headers: ["node", "status", "entries", "checkpoints", "root", "refusals", "verification"], numericColumns: [2, 3, 5], rows: s.audits.map {
            [.text($0.node), .text($0.status.rawValue, style: $0.status == .intact ? "pass" : "fail"),
             .integer($0.entries, metric: "audit.\($0.node).entries"), .integer($0.checkpoints),
             .text($0.root.map { String($0.prefix(16)) + "…" } ?? "–"),
             .integer($0.refusalCount, metric: "audit.\($0.node).refusals"), .text($0.detail)]
        }).html()
        let kinds = Array(Set(s.audits.flatMap(\.refusals.keys))).sorted()
        if !kinds.isEmpty {
            out += "<figure>" + BarChart(
                title: "Refusals recorded per node, by kind", categories: s.audits.map(\.node),
                series: kinds.map { kind in BarChart.Series(name: kind, values: s.audits.map { Double($0.refusals[kind] ?? 0) }) },
                axisLabel: "audit entries").svg() + "</figure>"
            out += HTMLTable(headers: ["node"] + kinds, numericColumns: Set(1...kinds.count), rows: s.audits.map { audit in
                [.text(audit.node)] + kinds.map { HTMLTable.Cell.integer(audit.refusals[$0] ?? 0) }
            }).html()
        }
        return out + "</section>"
    }

    static func seeds(_ s: ScenarioSummary) -> String {
        guard !s.seedStatistics.isEmpty else { return "" }
        return "<section id=\"seeds\"><h2>Over \(s.seeds.count) seeds</h2>" + HTMLTable(
            headers: ["metric", "mean", "sd", "runs"], numericColumns: [1, 2, 3],
            rows: s.seedStatistics.map {
                let d = HTMLText.digits(forScale: $0.mean) + 1
                return [.text($0.metric), .number($0.mean, d, metric: "\($0.metric)#mean"), .number($0.sd, d + 1, metric: "\($0.metric)#sd"),
                        .integer($0.values.count)]
            }).html() + "</section>"
    }
}
