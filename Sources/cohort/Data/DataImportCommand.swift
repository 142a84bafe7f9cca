import ArgumentParser
import CohortNode
import CohortStore

/// `cohort data import customers|transactions|consent <file.csv[.gz]> --node <dir> [--map <mapping.yaml>
/// [--rates <rates.csv>] [--incremental]] [--skip-invalid --rejects <file>] [--force]`.
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

            --map reads a partner's own export through a mapping file (docs/mappings/README.md): \
            renamed columns, decimal amounts, quantity × unit price, signs, timestamp formats, \
            constants, filters, order lines summed per order, derived customers, custom attributes. \
            Gzip files are read directly. --rates converts other currencies into the node's \
            reporting currency. --incremental loads a later export of the same source: only new \
            orders are added, stored customers are updated, and the same file twice changes nothing.
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

    /// The mapping file.
    @Option(help: "A mapping file (YAML) from the partner's own columns to this kind's fields.")
    var map: String?

    /// Currency rates.
    @Option(help: "Rates into the reporting currency (CSV currency,period,rate; period YYYY-MM or YYYY-MM-DD); with --map.")
    var rates: String?

    /// Incremental load.
    @Flag(help: "A later export of the same source (with --map): add new orders, update stored customers; a file already imported changes nothing.")
    var incremental = false

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
        if map == nil && (rates != nil || incremental) {
            throw ValidationError("--rates and --incremental are used with --map")
        }
    }

    func run() async throws {
        guard let kind = ImportKind(rawValue: kind) else {
            throw ValidationError("unknown import kind '\(self.kind)'")
        }
        var options = ImportOptions(
            skipInvalid: skipInvalid, rejectsPath: rejects, actor: actor ?? NodeSession.defaultActor,
            allowDuplicate: force, replaceRejects: force)
        if let map {
            options.mapping = try ImportMappingParser.load(path: map)
            options.rates = try rates.map { try CurrencyRates.load(path: $0) }
            options.incremental = incremental
        }
        let report = try await NodeSession.run(directory: node) { store, config, log in
            options.declarations = config.data.declarations
            return try await store.importCSV(kind, from: file, options: options, audit: log)
        }
        if report.nothingNewSince != nil {
            for note in report.notes { print(note.prefix(1).uppercased() + note.dropFirst()) }
            return
        }
        let unit = options.mapping != nil && kind == .transactions ? "transactions" : "\(kind.rawValue) rows"
        print("Imported \(report.rowsAccepted) \(unit) from \(report.file) (import #\(report.importID), sha256 \(report.sha256))")
        for note in report.notes { print("  \(note)") }
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
