/// `cohort audit report --html`: the officer's page for an ``AuditActivity`` — verification,
/// who accessed what (chart by purpose and table), consent changes and erasures, imports,
/// budget spends per purpose, studies, refusals. Self-contained (``HTMLPage``).
public enum AuditActivityHTML {
    /// The page. O(listed items).
    public static func render(_ a: AuditActivity) -> String {
        var body = "<p class=\"banner good\">Log intact: \(a.verification.size) entries verified (chain, Merkle tree, "
            + "\(a.verification.checkpoints) signed checkpoints) with \(HTMLText.escape(a.verification.key)); root <code>\(HTMLText.escape(a.verification.root))</code>.</p>"
        body += HTMLTable(headers: ["", ""], numericColumns: [], rows: [
            [.text("node"), .text(a.node)], [.text("origin"), .text(a.origin)],
            [.text("period"), .text("\(a.from ?? "first entry") – \(a.until.map { "\($0) (exclusive)" } ?? "last entry")")],
            [.text("entries in the period"), .integer(a.entriesInPeriod, metric: "entries_in_period")],
            [.text("latest signed checkpoint"), .text(a.verification.latestCheckpointSize.map { "size \($0)" } ?? "none")],
            [.text("report made"), .text(a.generatedAt)],
        ]).html()

        body += "<section id=\"accesses\"><h2>Who accessed customer data</h2>"
        if a.accesses.isEmpty {
            body += "<p class=\"muted\">No access to customer data in the period.</p>"
        } else {
            var byPurpose: [String: Double] = [:]
            for x in a.accesses { byPurpose[x.purpose.isEmpty ? "(local, all customers)" : x.purpose, default: 0] += Double(x.rows) }
            let purposes = byPurpose.keys.sorted()
            body += "<figure>" + BarChart(title: "Customer rows read per purpose", categories: purposes,
                                          series: [.init(name: "rows read", values: purposes.map { byPurpose[$0] })], axisLabel: "customers read (sum over accesses)").svg() + "</figure>"
            body += HTMLTable(headers: ["#", "time", "who", "purpose", "study", "round", "customers", "transactions", "as of", "command"],
                              numericColumns: [0, 5, 6, 7], rows: a.accesses.map {
                [.integer(Int($0.index)), .text($0.timestamp), .text($0.actor), .text($0.purpose.isEmpty ? "–" : $0.purpose),
                 .text($0.study.isEmpty ? "–" : $0.study), $0.round.map { .integer(Int($0)) } ?? .text("–"),
                 .integer(Int($0.rows), metric: "access.\($0.index).rows"), .integer(Int($0.transactions)), .text($0.asOf), .text($0.command ?? "")]
            }).html()
            if a.accessCount > a.accesses.count { body += "<p class=\"muted\">Showing the first \(a.accesses.count) of \(a.accessCount) accesses.</p>" }
        }
        body += "</section>"

        body += "<section id=\"consent\"><h2>Consent changes and erasures</h2>"
        body += HTMLTable(headers: ["purpose", "action", "source", "entries"], numericColumns: [3], rows: a.consentCounts.map {
            [.text($0.purpose), .text($0.action), .text($0.source), .integer($0.count, metric: "consent.\($0.purpose).\($0.action).\($0.source)")]
        }).html()
        if !a.consentChanges.isEmpty {
            body += "<h3>Changes made one by one (not by an import)</h3>"
            body += HTMLTable(headers: ["#", "time", "who", "customer (pseudonym)", "purpose", "action", "effective", "method"], numericColumns: [0], rows: a.consentChanges.map {
                [.integer(Int($0.index)), .text($0.timestamp), .text($0.actor), .text($0.subject), .text($0.purpose),
                 .text($0.action, style: $0.action == "withdrawn" ? "fail" : nil), .text($0.at), .text($0.method ?? "")]
            }).html()
            if a.consentChangeCount > a.consentChanges.count { body += "<p class=\"muted\">Showing the first \(a.consentChanges.count) of \(a.consentChangeCount).</p>" }
        }
        body += "<h3>Erasures</h3>"
        body += a.erasures.isEmpty ? "<p class=\"muted\">No erasure in the period.</p>" : HTMLTable(
            headers: ["#", "time", "who", "pseudonym (links to no one now)", "transactions deleted", "consent events deleted"], numericColumns: [0, 4, 5],
            rows: a.erasures.map { [.integer(Int($0.index)), .text($0.timestamp), .text($0.actor), .text($0.subject), .integer(Int($0.transactions)), .integer(Int($0.consentEvents))] }).html()
        body += "</section>"

        body += "<section id=\"budget\"><h2>Privacy budget spent</h2>"
        if a.spends.isEmpty {
            body += "<p class=\"muted\">No budget spend in the period.</p>"
        } else {
            body += "<figure>" + BarChart(title: "ε spent per purpose in the period", categories: a.budgetTotals.map(\.purpose),
                                          series: [.init(name: "ε (composed in zCDP)", values: a.budgetTotals.map(\.epsilon))], axisLabel: "ε at the largest δ charged").svg() + "</figure>"
            body += HTMLTable(headers: ["purpose", "spends", "Σρ", "ε", "δ"], numericColumns: [1, 2, 3], rows: a.budgetTotals.map {
                [.text($0.purpose), .integer($0.spends), .number($0.rho, 5, metric: "budget.\($0.purpose).rho"), .number($0.epsilon, 3, metric: "budget.\($0.purpose).epsilon"), .text(HTMLText.exact($0.delta))]
            }).html()
            body += HTMLTable(headers: ["#", "time", "purpose", "study", "round", "ε", "δ", "ρ", "kind"], numericColumns: [0, 4, 5, 7], rows: a.spends.map {
                [.integer(Int($0.index)), .text($0.timestamp), .text($0.purpose), .text($0.study), $0.round.map { .integer(Int($0)) } ?? .text("–"),
                 .number($0.epsilon, 3), .text(HTMLText.exact($0.delta)), .number($0.rho, 5), .text($0.refund ? "refund" : "spend", style: $0.refund ? "muted" : nil)]
            }).html()
        }
        body += "</section>"

        body += "<section id=\"studies\"><h2>Studies</h2>"
        body += a.studies.isEmpty ? "<p class=\"muted\">No study in the period.</p>" : HTMLTable(
            headers: ["study", "purpose", "lead", "kind", "ε", "parties", "decision", "result released (SHA-256)"],
            rows: a.studies.map { [.text($0.study), .text($0.purpose), .text($0.lead), .text($0.kind), .text($0.epsilon), .text($0.parties),
                                   .text($0.decision, style: $0.decision.hasPrefix("rejected") ? "fail" : nil), .text($0.released ?? "–")] }).html()
        body += "</section>"

        body += "<section id=\"imports\"><h2>Imports</h2>"
        body += a.imports.isEmpty ? "<p class=\"muted\">No import in the period.</p>" : HTMLTable(
            headers: ["#", "time", "who", "kind", "file", "accepted", "rejected", "SHA-256"], numericColumns: [0, 5, 6],
            rows: a.imports.map { [.integer(Int($0.index)), .text($0.timestamp), .text($0.actor), .text($0.kind), .text($0.file),
                                   .integer(Int($0.accepted)), .integer(Int($0.rejected)), .text(String($0.sha256.prefix(16)) + "…")] }).html()
        body += "</section>"

        body += "<section id=\"refusals\"><h2>Refusals and peers</h2>"
        body += a.refusals.isEmpty ? "<p class=\"muted\">No refusal in the period.</p>" : HTMLTable(
            headers: ["kind", "count"], numericColumns: [1],
            rows: a.refusals.keys.sorted().map { [.text($0), .integer(a.refusals[$0] ?? 0, metric: "refusals.\($0)")] }).html()
        if !a.peerConnections.isEmpty {
            body += HTMLTable(headers: ["peer", "connections"], numericColumns: [1],
                              rows: a.peerConnections.keys.sorted().map { [.text($0), .integer(a.peerConnections[$0] ?? 0)] }).html()
        }
        body += "<h3>Entries by type</h3>" + HTMLTable(headers: ["type", "entries"], numericColumns: [1],
            rows: a.entriesByType.keys.sorted().map { [.text($0), .integer(a.entriesByType[$0] ?? 0)] }).html()
        body += "</section>"
        return HTMLPage(title: "Audit report: \(a.node)", subtitle: "\(a.origin) · \(a.entriesInPeriod) entries in the period · verified \(a.generatedAt)", body: body).html()
    }
}
