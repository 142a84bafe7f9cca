/// `cohort audit report` without `--html`: the same sections as ``AuditActivityHTML`` as Markdown.
public enum AuditActivityMarkdown {
    /// The document. O(listed items).
    public static func render(_ a: AuditActivity) -> String {
        let n = HTMLText.number
        let e = MarkdownText.escape
        var out = "# Audit report: \(e(a.node))\n\n"
        out += "Log intact: \(a.verification.size) entries verified (chain, Merkle tree, \(a.verification.checkpoints) signed checkpoints) with \(e(a.verification.key)); root `\(a.verification.root)`.\n\n"
        out += "Period: \(e(a.from ?? "first entry")) – \(e(a.until.map { "\($0) (exclusive)" } ?? "last entry")); \(a.entriesInPeriod) entries. Report made \(e(a.generatedAt)).\n\n"
        out += "## Who accessed customer data\n\n"
        out += a.accesses.isEmpty ? "No access to customer data in the period.\n\n" : MarkdownText.table(
            ["#", "time", "who", "purpose", "study", "round", "customers", "transactions", "as of", "command"],
            a.accesses.map { [String($0.index), $0.timestamp, $0.actor, $0.purpose.isEmpty ? "–" : $0.purpose, $0.study.isEmpty ? "–" : $0.study,
                              $0.round.map(String.init) ?? "–", String($0.rows), String($0.transactions), $0.asOf, $0.command ?? ""] },
            numeric: [0, 5, 6, 7])
        if a.accessCount > a.accesses.count { out += "Showing the first \(a.accesses.count) of \(a.accessCount) accesses.\n\n" }
        out += "## Consent changes and erasures\n\n"
        out += MarkdownText.table(["purpose", "action", "source", "entries"], a.consentCounts.map { [$0.purpose, $0.action, $0.source, String($0.count)] }, numeric: [3])
        if !a.consentChanges.isEmpty {
            out += MarkdownText.table(["#", "time", "who", "customer (pseudonym)", "purpose", "action", "effective", "method"],
                                      a.consentChanges.map { [String($0.index), $0.timestamp, $0.actor, $0.subject, $0.purpose, $0.action, $0.at, $0.method ?? ""] }, numeric: [0])
        }
        out += a.erasures.isEmpty ? "No erasure in the period.\n\n" : MarkdownText.table(
            ["#", "time", "who", "pseudonym", "transactions deleted", "consent events deleted"],
            a.erasures.map { [String($0.index), $0.timestamp, $0.actor, $0.subject, String($0.transactions), String($0.consentEvents)] }, numeric: [0, 4, 5])
        out += "## Privacy budget spent\n\n"
        out += a.spends.isEmpty ? "No budget spend in the period.\n\n" : MarkdownText.table(
            ["purpose", "spends", "Σρ", "ε", "δ"], a.budgetTotals.map { [$0.purpose, String($0.spends), n($0.rho, 5), n($0.epsilon, 3), HTMLText.exact($0.delta)] }, numeric: [1, 2, 3])
            + MarkdownText.table(["#", "time", "purpose", "study", "round", "ε", "ρ", "kind"],
                                 a.spends.map { [String($0.index), $0.timestamp, $0.purpose, $0.study, $0.round.map(String.init) ?? "–", n($0.epsilon, 3), n($0.rho, 5), $0.refund ? "refund" : "spend"] },
                                 numeric: [0, 4, 5, 6])
        out += "## Studies\n\n"
        out += a.studies.isEmpty ? "No study in the period.\n\n" : MarkdownText.table(
            ["study", "purpose", "lead", "kind", "ε", "parties", "decision", "result released (SHA-256)"],
            a.studies.map { [$0.study, $0.purpose, $0.lead, $0.kind, $0.epsilon, $0.parties, $0.decision, $0.released ?? "–"] })
        out += "## Imports\n\n"
        out += a.imports.isEmpty ? "No import in the period.\n\n" : MarkdownText.table(
            ["#", "time", "who", "kind", "file", "accepted", "rejected", "SHA-256"],
            a.imports.map { [String($0.index), $0.timestamp, $0.actor, $0.kind, $0.file, String($0.accepted), String($0.rejected), $0.sha256] }, numeric: [0, 5, 6])
        out += "## Refusals\n\n"
        out += a.refusals.isEmpty ? "No refusal in the period.\n\n" : MarkdownText.table(["kind", "count"], a.refusals.keys.sorted().map { [$0, String(a.refusals[$0] ?? 0)] }, numeric: [1])
        out += "## Entries by type\n\n" + MarkdownText.table(["type", "entries"], a.entriesByType.keys.sorted().map { [$0, String(a.entriesByType[$0] ?? 0)] }, numeric: [1])
        return out
    }
}
