import CohortStudy
/// `report.md` of a scenario run: the same sections and numbers as ``ScenarioReportHTML``, as
/// GFM tables (no charts), for reading in a terminal, a pull request or a wiki.
public enum ScenarioReportMarkdown {
    /// The document. O(size of the summary).
    public static func render(_ s: ScenarioSummary) -> String {
        let n = HTMLText.number
        var out = "# Scenario \(MarkdownText.escape(s.scenario))\n\n"
        let seedText = s.seeds.count == 1 ? "seed \(s.seeds[0])" : "\(s.seeds.count) seeds (\(s.seeds.map(String.init).joined(separator: ", ")))"
        out += "Run \(MarkdownText.escape(s.startedAt)), \(seedText), \(n(s.durationSeconds, 1)) s"
        if let file = s.file { out += ", from \(MarkdownText.escape(file))" }
        out += ".\n\n"
        let failed = s.expectations.filter { !$0.passed }
        if s.expectations.isEmpty {
            out += "No expectations were stated.\n\n"
        } else if failed.isEmpty {
            out += "**All \(s.expectations.count) expectations held.**\n\n"
        } else {
            out += "**\(failed.count) of \(s.expectations.count) expectations FAILED.**\n\n"
        }
        if s.simulatedNoise { out += "> Simulated (seeded) noise: these numbers carry no privacy guarantee.\n\n" }
        if !s.expectations.isEmpty {
            out += "## Expectations\n\n" + MarkdownText.table(["expectation", "outcome", "measured"], s.expectations.map {
                [$0.name, $0.passed ? "held" : "FAILED", $0.detail]
            })
        }
        let purposes = Array(Set(s.parties.flatMap(\.consenting.keys))).sorted()
        out += "## Parties\n\n" + MarkdownText.table(
            ["party", "data", "customers", "transactions"] + purposes.map { "consenting: \($0)" },
            s.parties.map { party in
                [party.name, party.data, n(Double(party.customers), 0), party.transactions.map { n(Double($0), 0) } ?? "–"]
                    + purposes.map { party.consenting[$0].map { n(Double($0), 0) } ?? "–" }
            }, numeric: Set(2..<(4 + purposes.count)))
        out += "## Studies\n\n"
        if s.studies.isEmpty { out += "No study ran.\n\n" }
        for study in s.studies { out += Self.study(study) }
        if !s.budgets.isEmpty {
            out += "## Privacy budget\n\n" + MarkdownText.table(["node", "purpose", "ε spent", "cap", "δ", "studies", "within cap"], s.budgets.map {
                [$0.node, $0.purpose, n($0.spentEpsilon, 3), $0.capEpsilon.map { n($0, 2) } ?? "not allowed",
                 HTMLText.exact($0.delta), String($0.studies), $0.overCap ? "OVER CAP" : "yes"]
            }, numeric: [2, 3, 4, 5])
        }
        if !s.timeline.isEmpty {
            out += "## Timeline\n\n" + MarkdownText.table(["#", "start (s)", "end (s)", "kind", "what", "party", "study", "detail"],
                s.timeline.enumerated().map { i, e in
                    [String(i + 1), n(e.atSeconds, 1), n(e.endedAtSeconds, 1), e.kind.rawValue, e.label, e.party ?? "–", e.study ?? "–", e.detail ?? ""]
                }, numeric: [0, 1, 2])
        }
        if !s.audits.isEmpty {
            out += "## Audit logs\n\n" + MarkdownText.table(["node", "status", "entries", "checkpoints", "root", "refusals", "verification"], s.audits.map { audit in
                [audit.node, audit.status.rawValue, n(Double(audit.entries), 0), String(audit.checkpoints), audit.root ?? "–",
                 audit.refusals.isEmpty ? "0" : audit.refusals.keys.sorted().map { k in "\(k): \(audit.refusals[k] ?? 0)" }.joined(separator: ", "), audit.detail]
            }, numeric: [2, 3])
        }
        if !s.seedStatistics.isEmpty {
            out += "## Over \(s.seeds.count) seeds\n\n" + MarkdownText.table(["metric", "mean", "sd", "runs"], s.seedStatistics.map {
                let d = HTMLText.digits(forScale: $0.mean) + 1
                return [$0.metric, n($0.mean, d), n($0.sd, d + 1), String($0.values.count)]
            }, numeric: [1, 2, 3])
        }
        return out
    }

    /// One study's section. O(cells).
    public static func study(_ study: ScenarioSummary.StudySummary) -> String {
        let n = HTMLText.number
        var out = "### \(MarkdownText.escape(study.name))\n\n"
        var meta = ["kind \(study.kind)", "purpose \(study.purpose)", "lead \(study.lead)", "parties: \(study.participants.joined(separator: ", "))"]
        if let id = study.id { meta.append("id \(id)") }
        out += MarkdownText.escape(meta.joined(separator: " · ")) + "\n\n"
        switch study.status {
        case .published: out += "Published after \(n(study.endedAtSeconds - study.startedAtSeconds, 1)) s"
        case .failed: out += "**Failed**: \(MarkdownText.escape(study.failureReason ?? "no reason given"))"
        }
        let roundCount = study.learning?.rounds ?? study.rounds.count
        out += ", \(roundCount) round\(roundCount == 1 ? "" : "s")"
        if let released = study.releasedCustomers {
            out += "; customers in the study \(n(released, 0))"
            if let se = study.releasedCustomersStandardError { out += " ± \(n(se, 1))" }
            out += " released (noised)"
            if let central = study.centralCustomers { out += ", \(n(Double(central), 0)) central" }
        }
        out += ".\n\n"
        for table in LearningReportTables(study).tables {
            out += "#### \(MarkdownText.escape(table.title))\n\n" + MarkdownText.table(table.headers, table.rows, numeric: table.numeric)
            if let note = table.note { out += MarkdownText.escape(note) + "\n\n" }
        }
        if !study.cells.isEmpty {
            let d = StudySectionHTML.digits(study)
            let hasCentral = study.cells.contains { $0.central != nil }
            let label = study.valueLabel.isEmpty ? "value" : study.valueLabel
            var headers = ["cell", "federated \(label)", "± SE"]
            if hasCentral { headers += ["central", "error"] }
            out += MarkdownText.table(headers, study.cells.map { cell in
                var row = [cell.labels.joined(separator: " × ")]
                row += cell.suppressed ? ["suppressed", ""] : [n(cell.federated, d), n(cell.standardError, d + 1)]
                if hasCentral { row += [n(cell.central, d), cell.suppressed ? "" : n(cell.error, d + 1)] }
                return row
            }, numeric: Set(1..<headers.count))
        }
        if let e = study.errors {
            let d = StudySectionHTML.digits(study) + 1
            out += "Error against the central baseline over \(e.cellsCompared) cells (\(e.cellsSuppressed) suppressed): mean absolute \(n(e.meanAbsoluteError, d)), largest \(n(e.maxAbsoluteError, d)), RMS \(n(e.rootMeanSquaredError, d))"
            if let z = e.maxZ { out += ", worst cell \(n(z, 2)) SE off" }
            out += ".\n\n"
        }
        if let k = study.kmeans {
            out += MarkdownText.table(["cluster", "size"] + k.features.map { "federated \($0)" } + k.features.map { "central \($0)" },
                k.federated.enumerated().map { i, c in
                    [String(i + 1), n(c.size, 0)] + c.centroid.map { n($0, 3) }
                        + (i < k.central.count ? k.central[i].centroid.map { n($0, 3) } : k.features.map { _ in "–" })
                }, numeric: Set(1..<(2 + 2 * k.features.count)))
            out += "Inertia ratio (federated / central): \(n(k.inertiaRatio, 4)); adjusted Rand index: \(n(k.adjustedRandIndex, 3)).\n\n"
        }
        if let m = study.model {
            out += MarkdownText.table(["model", "holdout AUC (exact)", "holdout accuracy at 0.5 (exact)"], [
                ["federated", n(m.federatedAUC, 4), n(m.federatedAccuracy, 4)],
                ["central", n(m.centralAUC, 4), n(m.centralAccuracy, 4)],
            ], numeric: [1, 2])
        }
        if !study.spends.isEmpty {
            out += "Spent: " + MarkdownText.escape(study.spends.map { "\($0.node) ε=\(n($0.epsilon, 3)) (ρ=\(n($0.rho, 5)))" }.joined(separator: "; ")) + "\n\n"
        }
        return out
    }
}
