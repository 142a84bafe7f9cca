import ArgumentParser
import CohortAudit
import CohortScenario
import CohortStore
import Foundation

/// `cohort audit report --node <dir> [--html] [--from D --to D] [--out FILE]`: the compliance
/// officer's report of one node's log (``AuditActivity``), made only after the whole log verifies.
struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Who accessed what, for which purpose and study; consent changes, erasures, budget spends, refusals — from a verified log.",
        discussion: """
            Read-only. The whole log is verified first (chain, tree, every checkpoint; --key or the key recorded in the log); \
            a log that does not verify gives no report and exit status 1. --from and --to are UTC days, both inclusive. \
            Markdown on standard output unless --html; --out writes the report to a file.
            """
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "Verifier key (name+keyid+key, or a file holding it). Default: the key recorded in the log.")
    var key: String?

    @Option(help: "First day reported (YYYY-MM-DD, UTC, inclusive).")
    var from: String?

    @Option(help: "Last day reported (YYYY-MM-DD, UTC, inclusive).")
    var to: String?

    @Flag(help: "Write a self-contained HTML page (charts, no external assets) instead of Markdown.")
    var html = false

    @Option(help: "Write the report to this file instead of standard output.")
    var out: String?

    func run() throws {
        let fromMs = try from.map { try Self.day($0, option: "--from") }
        let toMs = try to.map { try Self.day($0, option: "--to") + 86_400_000 }
        if let fromMs, let toMs, toMs <= fromMs {
            throw ValidationError("--to \(to!) is before --from \(from!)")
        }
        let reader = try location.openReader()
        let verifier = try key.map(loadVerifierKey)
        var policy = Audit.VerificationPolicy.strict
        if Audit.LogReader.isOpenForWriting(databasePath: location.databasePath) {
            policy.runningWriterGrace = Audit.VerificationPolicy.defaultMaxCheckpointGap
        }
        let activity = try AuditActivity.build(reader: reader, key: verifier, from: fromMs, until: toMs, policy: policy)
        let text = html ? AuditActivityHTML.render(activity) : AuditActivityMarkdown.render(activity)
        try emit(text, to: out)
        if let out, out != "-" { FileHandle.standardError.write(Data("wrote \(out)\n".utf8)) }
    }

    /// A `YYYY-MM-DD` day's first millisecond (UTC), or a usage error naming the option.
    static func day(_ text: String, option: String) throws -> Int64 {
        guard text.count == 10, let ms = Audit.Timestamp.parse(text) else {
            throw ValidationError("\(option) \(text) is not a day YYYY-MM-DD")
        }
        return ms
    }
}
