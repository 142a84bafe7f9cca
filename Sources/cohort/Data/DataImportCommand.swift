import ArgumentParser
import CohortStore

/// `cohort data import customers|transactions|consent <file.csv> --node <dir> [--skip-invalid --rejects <file>] [--force]`.
struct DataImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import customers, transactions or consent events from a CSV file.",
        discussion: """
            All-or-nothing by default: one bad row aborts the import and nothing is stored; the error \
            names file:line:column and the reason. With --skip-invalid the valid rows are imported \
            and the invalid ones written to --rejects (CSV: line,column,reason,row), a new file (mode \
            0600) that is neither the input nor inside the node directory. Every import is recorded \
            with the file's SHA-256 and audited; a file already imported as the same kind is refused \
            (the error says when and with which counts) unless --force.
            """)

    /// What the file holds.
    @Argument(help: "customers, transactions or consent")
    var kind: String

    /// The CSV file.
    @Argument(help: "The CSV file (header row, RFC 4180, UTF-8).")
    var file: String

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Import valid rows and reject the rest.
    @Flag(help: "Import the valid rows and write the invalid ones to --rejects.")
    var skipInvalid = false

    /// Where rejected rows go.
    @Option(help: "File for rejected rows (with --skip-invalid).")
    var rejects: String?

    /// Import a file again / replace an existing rejects file.
    @Flag(help: "Import even if this file (same SHA-256) was already imported as the same kind, and replace an existing --rejects file.")
    var force = false

    /// Audit actor.
    @Option(help: "Who runs the import, for the audit log (default: $USER).")
    var actor: String?

    func validate() throws {
        guard ImportKind(rawValue: kind) != nil else {
            throw ValidationError("unknown import kind '\(kind)' (expected customers, transactions or consent)")
        }
        if skipInvalid && rejects == nil {
            throw ValidationError("--skip-invalid needs --rejects <file>")
        }
        if rejects != nil && !skipInvalid {
            throw ValidationError("--rejects is only used with --skip-invalid")
        }
    }

    func run() async throws {
        guard let kind = ImportKind(rawValue: kind) else {
            throw ValidationError("unknown import kind '\(self.kind)'")
        }
        let options = ImportOptions(
            skipInvalid: skipInvalid, rejectsPath: rejects, actor: actor ?? NodeSession.defaultActor,
            allowDuplicate: force, replaceRejects: force)
        let report = try await NodeSession.run(directory: node) { store, _, log in
            try await store.importCSV(kind, from: file, options: options, audit: log)
        }
        print("Imported \(report.rowsAccepted) \(kind.rawValue) rows from \(report.file) (import #\(report.importID), sha256 \(report.sha256))")
        if let earlier = report.duplicateOf {
            print("Forced: the same file was imported before as import #\(earlier)")
        }
        if report.rowsRejected > 0, let path = report.rejectsPath {
            print("Rejected \(report.rowsRejected) rows, written to \(path); first problems:")
            for problem in report.sampleRejections.prefix(5) {
                print("  \(problem)")
            }
        }
    }
}
