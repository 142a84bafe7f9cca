import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort study apply <id> --node <dir> --out scores.csv [--top N] [--force]`: a released
/// learning model scores this node's consenting customers, into a local CSV.
struct StudyApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Score this node's consenting customers with a released model: churn probability (logistic-regression) or segment (kmeans), as CSV.",
        discussion: """
            Local only: the model is the study's stored result; the file names customers and \
            never leaves the node. Only customers consenting now to the study's purpose are \
            scored. The access is audited (data.accessed) before the file is written; if the \
            audit fails no file is written. The file is created new with mode 0600, never \
            inside the node directory, and an existing one only with --force. Works while the \
            node runs (the node reads the data and audits the access). Exit 66 when the node \
            has no released result for the study.
            """)

    @Argument(help: "The study id (a released kmeans or logistic-regression study).") var id: String
    @Option(help: "The node directory.") var node: String
    @Option(help: "The CSV file to write (mode 0600; refused if it exists, unless --force, or inside the node directory).") var out: String
    @Option(help: "Churn model only: the N customers most likely to churn, highest probability first.") var top: Int?
    @Flag(help: "Replace an existing output file.") var force = false
    @Option(name: .customLong("as-of"), help: "Reference date of the customers' features, YYYY-MM-DD (UTC). Default: today.") var asOf: String?
    @Option(help: "Who runs it, for the audit log (default: $USER).") var actor: String?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top \(top) must be at least 1") }
        if let asOf, CivilTime.parseDate(asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is not a valid date (YYYY-MM-DD)")
        }
    }

    func run() async throws {
        let output = try ModelApplication.Output(path: out, node: node, replaceExisting: force)
        let request = LocalAnalysis.Request(
            command: .apply, asOf: asOf ?? ModelApplication.today(), actor: actor ?? NodeSession.defaultActor,
            study: id, top: top)
        let rows: Int
        do {
            try await LocalAnalysis.route(request, node: node) { try output.write($0) }
            rows = try output.finish()
        } catch {
            output.discard()
            throw error
        }
        print("Wrote \(rows) customers' scores from study \(id) to \(out)")
    }
}
