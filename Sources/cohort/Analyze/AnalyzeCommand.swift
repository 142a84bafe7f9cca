import ArgumentParser
import CohortAnalytics
import CohortStore
import Foundation

/// `cohort analyze`: the node's own (centralized, non-private) segmentation report.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Print the node's own segmentation report (RFM segments, lifecycle, tiers, k-means, churn model).",
        discussion: "Local only: reads the node's private data and prints exact (non-private) figures. The access is audited."
    )

    @OptionGroup var options: LocalAnalysisOptions

    /// Output JSON instead of text.
    @Flag(help: "Print JSON instead of text tables.")
    var json = false

    /// Number of k-means clusters.
    @Option(help: "Number of k-means clusters (default: chosen in 2…6 by the Calinski–Harabasz index).")
    var k: Int?

    /// Seed of the holdout split and k-means initialization.
    @Option(help: "Seed for the holdout split and k-means initialization.")
    var seed: UInt64 = 1

    func validate() throws {
        if let k, !(1...50).contains(k) { throw ValidationError("--k \(k) must be in 1…50") }
    }

    func run() async throws {
        let text = try await NodeSession.run(directory: options.node) { store, _, log in
            let tables = try await options.loadTables(store: store, log: log, command: "analyze")
            guard tables.customers.count >= 2 else {
                throw ValidationError("the node has \(tables.customers.count) customer(s) in scope; the report needs at least 2")
            }
            let report = try Analytics.SegmentationReport.build(
                customers: tables.customers, transactions: tables.transactions, asOf: options.asOfDay,
                options: .init(seed: seed, k: k.map { .fixed($0) } ?? .automatic(2...6)))
            return json ? try report.renderJSON() : report.renderText()
        }
        print(text)
    }
}
