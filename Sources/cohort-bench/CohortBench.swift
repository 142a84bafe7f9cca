import ArgumentParser

/// `cohort-bench`: the developers' tools that do not ship in the operator's `cohort` CLI — the
/// speed benchmarks (`run`, JSON output for `Benchmarks/run`) and the audit log's crash-test
/// writer (`stress-append`).
@main
struct CohortBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohort-bench",
        abstract: "Cohort's benchmarks and test tools (not for operators).",
        subcommands: [BenchCommand.self, QualityCommand.self, StressAppendCommand.self],
        defaultSubcommand: BenchCommand.self
    )
}
