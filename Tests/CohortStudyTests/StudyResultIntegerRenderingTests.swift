import CohortTestSupport
import CohortStudy
import Foundation
import Testing

/// Issue 17 item 7: histogram counts (integer sums of integer noised counts) printed as
/// `8836.0` in `study result` text and CSV.
@Suite struct StudyResultIntegerRenderingTests {
    static func histogram() throws -> Study.Result {
        let spec = try StudyFixtures.spec(kind: .histogram, dimensions: [.valueTier], minCount: 0, participants: ["globex"])
        let plan = try Study.Calibration.plan(for: spec)
        var zero = StudyZeroNoise()
        let a = try Study.Contribution.compute(spec: spec, codes: [[0, 0, 1, 2]]).noised(study: "s1", round: 0, plan: plan, noise: &zero)
        var codes: [UInt16] = []
        for i in 0..<8836 { codes.append(UInt16(i % 2)) }
        let b = try Study.Contribution.compute(spec: spec, codes: [codes]).noised(study: "s1", round: 0, plan: plan, noise: &zero)
        return try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: ["acme": a, "globex": b],
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
    }

    @Test func histogramCountsPrintAsIntegersInCSVAndText() throws {
        let result = try Self.histogram()
        let lines = result.csv().components(separatedBy: "\r\n")
        #expect(lines[0] == "value_tier,count,count_se,suppressed")
        #expect(lines[1].hasPrefix("high,4420,"), "\(lines[1])")
        #expect(lines[2].hasPrefix("mid,4419,"), "\(lines[2])")
        #expect(!result.csv().contains("4420.0"))
        let rows = result.textTable().split(separator: "\n").map(String.init)
        let high = try #require(rows.first { $0.hasPrefix("high") })
        #expect(high.split(separator: " ").map(String.init).dropFirst().first == "4420", "\(high)")
        #expect(!result.textTable().contains("4420.0"))
    }
}
