import ArgumentParser
import CohortAnalytics
import CohortNode
import CohortStore
import Foundation

/// `cohort analyze`: the node's own (centralized, non-private) segmentation report.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Print the node's own segmentation report (RFM segments, lifecycle, tiers, k-means, churn model).",
        discussion: "Local only: reads the node's private data and prints exact (non-private) figures. The access is audited. Works while the node runs (the node reads the data and audits the access)."
    )

    @OptionGroup var options: LocalAnalysisOptions

    /// Output JSON instead of text.
    @Flag(help: "Print JSON (snake_case keys) instead of text tables.")
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
        var request = try options.request(.analyze)
        request.k = k
        request.seed = seed
        request.json = json
        try await LocalAnalysis.route(request, node: options.node, sink: LocalAnalysis.standardOutput)
    }
}
