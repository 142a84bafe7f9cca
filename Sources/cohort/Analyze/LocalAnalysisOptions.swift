import ArgumentParser
import CohortAnalytics
import CohortAudit
import CohortStore
import Foundation

/// Options shared by the node-local analysis commands (`analyze`, `data features`).
struct LocalAnalysisOptions: ParsableArguments {
    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Reference date.
    @Option(name: .customLong("as-of"), help: "Reference date, YYYY-MM-DD (UTC): features are computed as of the end of that day.")
    var asOf: String

    /// Restrict to the customers consenting to a purpose.
    @Option(help: "Only customers consenting to this purpose as of the date (segmentation, benchmarking, model-training). Default: all customers.")
    var purpose: String?

    /// Audit actor.
    @Option(help: "Who runs the analysis, for the audit log (default: $USER).")
    var actor: String?

    func validate() throws {
        guard CivilTime.parseDate(asOf) != nil else {
            throw ValidationError("--as-of '\(asOf)' is not a valid date (YYYY-MM-DD)")
        }
        if let purpose { _ = try ConsentPurpose.parse(purpose) }
    }

    /// The as-of day in days since 1970-01-01.
    var asOfDay: Int32 { Int32(CivilTime.parseDate(asOf) ?? 0) }

    /// Loads the node's tables for the analysis and audits the access (durably, before use).
    func loadTables(
        store: NodeStore, log: Audit.Log, command: String
    ) async throws -> (customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable) {
        let end = try CivilTime.parseArgument(asOf, option: "--as-of", endOfDay: true)
        let consent = try purpose.map(ConsentPurpose.parse)
        let tables = try consent.map { try store.loadAnalyticsTables(purpose: $0, consentAt: Date(), transactionsUpTo: end) }
            ?? store.loadAllAnalyticsTables(asOf: end)
        _ = try await log.record(Audit.Event(
            type: .dataAccessed, actor: actor ?? NodeSession.defaultActor, purpose: consent?.rawValue,
            details: ["command": .string(command), "rows": .integer(Int64(tables.customers.count)),
                      "transactions": .integer(Int64(tables.transactions.count)), "as_of": .string(asOf),
                      "scope": .string("local")]))
        return tables
    }
}
