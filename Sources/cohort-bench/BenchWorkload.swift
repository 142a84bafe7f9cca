/// One benchmark figure: a workload that sets itself up, times its measured part, and returns it.
struct BenchWorkload: Sendable {
    /// Stable dotted name, e.g. `privacy.discrete-gaussian.sigma10`.
    var name: String
    /// Unit of the returned figure, e.g. `samples/s`, `ms`, `rows/s`, `s`.
    var unit: String
    /// The target figure from the issue; `nil` for a figure measured for information.
    var target: Double?
    /// Whether a larger figure is better (throughput) or a smaller one (latency).
    var higherIsBetter: Bool
    /// Does setup and the timed work; returns the measured figure in `unit`.
    var run: @Sendable () async throws -> Double
}
