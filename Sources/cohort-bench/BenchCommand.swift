import CohortCore
import ArgumentParser
import Foundation

/// `cohort-bench run`: runs the speed benchmarks and compares each figure with its target.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the speed benchmarks (use a release build: swift run -c release cohort-bench run).",
        discussion: "Each workload prints its measured figure beside the issue's target. Exit status 0 even when a target is missed; read the 'meets' column."
    )

    @Option(name: .long, help: "Only run workloads whose name starts with this prefix (e.g. privacy, audit).")
    var suite: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "List the workloads and exit.")
    var list = false

    static var allWorkloads: [BenchWorkload] {
        PrivacyBench.workloads() + AnalyticsBench.workloads() + AuditBench.workloads()
            + StoreBench.workloads() + GeneratorBench.workloads() + StudyBench.workloads()
            + SecureAggregationBench.workloads()
    }

    func run() async throws {
        let selected = Self.allWorkloads.filter { suite == nil || $0.name.hasPrefix(suite!) }
        guard !selected.isEmpty else {
            throw ValidationError("no benchmark workload matches --suite \(suite ?? "")")
        }
        if list {
            for w in selected { print(w.name) }
            return
        }
        var results: [BenchResult] = []
        for workload in selected {
            if !json { FileHandle.standardError.write(Data("bench: running \(workload.name)…\n".utf8)) }
            let value = try await workload.run()
            let meets = workload.target.map { workload.higherIsBetter ? value >= $0 : value <= $0 }
            results.append(BenchResult(
                name: workload.name, value: value, unit: workload.unit, target: workload.target,
                higherIsBetter: workload.higherIsBetter, meetsTarget: meets))
        }
        let report = BenchReport(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            build: BenchReport.buildConfiguration, results: results)
        if json {
            print(try JSONOutput.text(report))
        } else {
            print("cores: \(report.cores), build: \(report.build)")
            let width = results.map(\.name.count).max() ?? 10
            for r in results {
                let cmp = r.higherIsBetter ? "≥" : "≤"
                let verdict = r.target.map { "  (target \(cmp) " + Self.format($0) + ")  " + (r.meetsTarget == true ? "meets" : "MISSES") }
                print(r.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  " + Self.format(r.value) + " " + r.unit + (verdict ?? "  (for information, no target)"))
            }
        }
    }

    static func format(_ x: Double) -> String {
        if x >= 1000 { return String(Int(x.rounded())) }
        return String(format: "%.3f", x)
    }
}

/// One measured figure in `cohort bench` output.
struct BenchResult: Codable {
    var name: String
    var value: Double
    var unit: String
    /// The issue's target; `nil` for a figure measured for information.
    var target: Double?
    var higherIsBetter: Bool
    /// `nil` when there is no target.
    var meetsTarget: Bool?
}

/// The whole `cohort bench --json` document.
struct BenchReport: Codable {
    var cores: Int
    var build: String
    var results: [BenchResult]

    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }
}
