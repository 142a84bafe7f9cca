import CohortSecureAggregation
import Testing

@Suite("Benchmark entry point")
struct BenchmarkTests {
    @Test("the benchmark runs the protocol (with and without a dropout) and reports sizes; no timing is asserted")
    func runs() throws {
        let report = try SA.Benchmark.measure(parties: 3, vectorLength: 1000, repetitions: 1)
        #expect(report.parties == 3 && report.vectorLength == 1000)
        #expect(report.sizes == SA.MessageSizes(parties: 3, vectorLength: 1000))
        #expect(report.protocolSeconds > 0 && report.maskExpansionSeconds > 0)
        #expect { try SA.Benchmark.measure(parties: 3, vectorLength: 10, repetitions: 0) } throws: { ($0 as? SecureAggregationError)?.code == .invalidParameter }
        #expect { try SA.Benchmark.measure(parties: 2, vectorLength: 10) } throws: { ($0 as? SecureAggregationError)?.code == .tooFewParties }
    }
}
