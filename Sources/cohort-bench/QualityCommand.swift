import ArgumentParser
import CohortCore
import CohortLearning
import CohortScenario
import Foundation

/// `cohort-bench quality`: the learning studies' quality table (issue 12) — DP k-means and the
/// DP churn model on the demo's three partners against the central computation on the union
/// of their consenting customers, averaged over noise seeds. Prints the table or JSON.
struct QualityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Measure the learning studies' accuracy against the central baselines (demo parties, ε per node)."
    )

    @Option(help: "Clusters of the k-means study.")
    var k = 4

    @Option(help: "Noise seeds (one federated run of each study per seed).")
    var seeds = 5

    @Option(help: "ε per node for each whole study.")
    var epsilon = 1.0

    @Option(help: "Scale of the demo parties (1 = 60k/40k/20k customers).")
    var scale = 1.0

    @Flag(help: "Print JSON instead of the table.")
    var json = false

    func validate() throws {
        guard (2...50).contains(k) else { throw ValidationError("--k must be in 2…50, got \(k)") }
        guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100, got \(seeds)") }
        guard epsilon.isFinite, epsilon > 0, epsilon <= 10 else { throw ValidationError("--epsilon must be in (0, 10], got \(epsilon)") }
        guard scale.isFinite, scale > 0, scale <= 4 else { throw ValidationError("--scale must be in (0, 4], got \(scale)") }
    }

    func run() async throws {
        let segmentation = try Synthetic.LearningParties.make(scale: scale, purpose: .segmentation)
        let training = try Synthetic.LearningParties.make(scale: scale, purpose: .modelTraining)
        let privacy = try Learning.PrivacyTarget(epsilon: epsilon, delta: 1e-6)
        let configuration = Learning.QualityHarness.Configuration(
            kmeans: .init(k: k, privacy: privacy), logistic: .init(privacy: privacy), seeds: (1...UInt64(seeds)).map { $0 })
        let report = try Learning.QualityHarness.run(segmentation: segmentation, training: training, configuration: configuration)
        if json {
            print(try JSONOutput.text(QualityReport(
                cores: ProcessInfo.processInfo.activeProcessorCount, epsilon: epsilon, delta: 1e-6, report: report,
                meanInertiaRatio: report.meanInertiaRatio, meanAdjustedRandIndex: report.meanAdjustedRandIndex,
                meanAUCDifference: report.meanAUCDifference, meanAccuracyDifference: report.meanAccuracyDifference,
                meetsTargets: report.meetsTargets)))
        } else {
            print(report.table)
        }
    }
}

/// The JSON document of `cohort-bench quality --json`.
struct QualityReport: Codable {
    var cores: Int
    var epsilon: Double
    var delta: Double
    var report: Learning.QualityHarness.Report
    var meanInertiaRatio: Double
    var meanAdjustedRandIndex: Double
    var meanAUCDifference: Double
    var meanAccuracyDifference: Double
    var meetsTargets: Bool
}
