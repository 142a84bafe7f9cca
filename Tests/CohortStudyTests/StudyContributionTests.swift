import CohortTestSupport
import CohortStudy
import CohortPrivacy
import Foundation
import Testing

@Suite("Study local contributions")
struct StudyContributionTests {
    /// Hand-made table: 6 customers, value tier × NPS class (3 × 4 = 12 cells).
    /// tier:  high high mid basic basic basic
    /// nps:   prom det  prom unans unans det
    static let tiers: [UInt16] = [0, 0, 1, 2, 2, 2]
    static let nps: [UInt16] = [0, 2, 0, 3, 3, 2]

    @Test func histogramCountsEachCustomerOnce() throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier, .npsClass])
        let c = try Study.Contribution.compute(spec: spec, codes: [Self.tiers, Self.nps])
        var expected = [Int64](repeating: 0, count: 12)
        expected[0 * 4 + 0] = 1  // high, promoter
        expected[0 * 4 + 2] = 1  // high, detractor
        expected[1 * 4 + 0] = 1  // mid, promoter
        expected[2 * 4 + 3] = 2  // basic, unanswered
        expected[2 * 4 + 2] = 1  // basic, detractor
        #expect(c.values == expected)
        #expect(c.rowsUsed == 6)
        #expect(c.rowsRead == 6)
        #expect(c.sensitivity == Study.Sensitivity(l1: 1, l2: 1))
        #expect(c.values.reduce(0, +) == 6)
    }

    @Test func meanEncodesClampedShiftedSumsAndCounts() throws {
        let spec = try StudyFixtures.spec(
            kind: .mean, dimensions: [.valueTier],
            mean: Study.MeanMeasure(measure: .aov, lower: 1_000, upper: 5_000, currency: "EUR"))
        // AOV in cents; nil = no purchases; 9000 clamps to 5000, 500 clamps to 1000.
        let measures: [Double?] = [3_000, 9_000, nil, 500, 2_000, nil]
        let c = try Study.Contribution.compute(spec: spec, codes: [Self.tiers], measures: measures)
        let q = Study.FixedPoint.resolution
        // high: 3000 → (2000/4000)·Q = Q/2; 9000 → Q. mid: nil. basic: 500 → 0; 2000 → Q/4; nil.
        #expect(c.values == [q / 2 + q, 0, q / 4, 2 * q, 0, 2 * q])
        #expect(c.rowsUsed == 4)
        #expect(c.rowsRead == 6)
        let sqrt2 = 2.0.squareRoot()
        #expect(c.sensitivity == Study.Sensitivity(l1: 2 * Double(q), l2: Double(q) * sqrt2))
    }

    @Test func churnRateIsExact() throws {
        let spec = try StudyFixtures.spec(
            kind: .mean, dimensions: [.valueTier], mean: Study.MeanMeasure(measure: .churnRate, lower: 0, upper: 1))
        let c = try Study.Contribution.compute(
            spec: spec, codes: [Self.tiers], measures: [1, 0, 1, 1, 1, 0])
        let q = Study.FixedPoint.resolution
        #expect(c.values == [q, q, 2 * q, 2 * q, q, 3 * q])
    }

    @Test func fixedPointEncoding() {
        let q = Study.FixedPoint.resolution
        #expect(Study.FixedPoint.encode(7, lower: 0, upper: 10) == 45_875)  // 0.7·65536 = 45875.2
        #expect(Study.FixedPoint.encode(-.infinity, lower: 0, upper: 10) == 0)
        #expect(Study.FixedPoint.encode(.infinity, lower: 0, upper: 10) == q)
    }

    @Test func badInputIsNamed() throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier, .npsClass])
        func key(_ body: () throws -> Void) -> String? {
            do { try body(); return "no error" } catch let e as StudyError { return e.key } catch { return "other" }
        }
        #expect(key { _ = try Study.Contribution.compute(spec: spec, codes: [Self.tiers]) } == "codes")
        #expect(key { _ = try Study.Contribution.compute(spec: spec, codes: [Self.tiers, [0, 1]]) } == "codes[1]")
        #expect(key { _ = try Study.Contribution.compute(spec: spec, codes: [[0, 3, 0, 0, 0, 0], Self.nps]) } == "codes[0][1]")
        #expect(key { _ = try Study.Contribution.compute(spec: spec, codes: [Self.tiers, Self.nps], measures: []) } == "measures")
        let mean = try StudyFixtures.spec(
            kind: .mean, dimensions: [.valueTier], mean: Study.MeanMeasure(measure: .nps, lower: 0, upper: 10))
        #expect(key { _ = try Study.Contribution.compute(spec: mean, codes: [Self.tiers]) } == "measures")
        #expect(key { _ = try Study.Contribution.compute(spec: mean, codes: [Self.tiers], measures: [1, 2, 3]) } == "measures")
        #expect(key { _ = try Study.Contribution.compute(spec: mean, codes: [Self.tiers], measures: [1, 2, .nan, 4, 5, 6]) } == "measures[2]")
    }

    @Test func emptyTableGivesZeroVector() throws {
        let spec = try StudyFixtures.spec(dimensions: [.rfmSegment])
        let c = try Study.Contribution.compute(spec: spec, codes: [[]])
        #expect(c.values == [Int64](repeating: 0, count: 11))
        #expect(c.rowsUsed == 0)
    }

    @Test func noisedMessageCarriesCostAndTwosComplement() throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier])
        let plan = try Study.Calibration.plan(for: spec)
        let c = try Study.Contribution.compute(spec: spec, codes: [[0, 0, 2]])
        var zero = StudyZeroNoise()
        let m = try c.noised(study: "s1", round: 0, plan: plan, noise: &zero)
        #expect(m.values == [2, 0, 1])
        #expect(m.simulated)
        #expect(m.cost.mechanism == .discreteGaussian)
        #expect(m.cost.rho == plan.rho)
        #expect(abs(try m.cost.epsilon(delta: 1e-6) - 1) < 1e-9)
        #expect(try m.noiseVariance() == 0, "the zero source added no noise, and the cost says so")

        struct MinusFive: Study.NoiseSource {
            mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
                for i in values.indices { values[i] -= 5 }
                return Study.NoiseReport(mechanism: "discrete-gaussian", sigmaSquared: sigmaSquared, simulated: false)
            }
        }
        var minus = MinusFive()
        let n = try c.noised(study: "s1", round: 0, plan: plan, noise: &minus)
        #expect(n.values == [UInt64(bitPattern: -3), UInt64(bitPattern: -5), UInt64(bitPattern: -4)])
        #expect(!n.simulated)
        #expect(try n.noiseVariance() == plan.sigmaSquared)
        let costJSON = try n.costJSON()
        #expect(try Study.ContributionMessage.decodeCost(json: costJSON) == n.cost)
        #expect(String(decoding: costJSON, as: UTF8.self).contains("\"sigma_squared\":"))

        var weak = StudyWeakNoise()
        #expect(throws: StudyError.self) { try c.noised(study: "s1", round: 0, plan: plan, noise: &weak) }
    }

    /// The node's exact discrete Gaussian source (here: one that adds nothing but reports the
    /// sampler's exact σ², not simulated) leaves the plan's cost untouched, so `cost_json` is
    /// byte for byte the JSON the ledger stores for the charge (``Study/NoisePlan/cost()``), and
    /// decodes back to the same cost.
    @Test func theWireCostIsTheChargedCostByteForByte() throws {
        struct ExactReport: Study.NoiseSource {
            mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
                let exact = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: sigmaSquared).sigmaSquared
                return Study.NoiseReport(mechanism: "discrete-gaussian", sigmaSquared: exact.doubleValue, simulated: false)
            }
        }
        for spec in [try StudyFixtures.spec(dimensions: [.valueTier]),
                     try StudyFixtures.spec(kind: .mean, dimensions: [.valueTier], mean: Study.MeanMeasure(measure: .nps, lower: 0, upper: 10), epsilon: 0.3)] {
            let plan = try Study.Calibration.plan(for: spec)
            let charged = try plan.cost()
            let c = try Study.Contribution.compute(
                spec: spec, codes: [Self.tiers], measures: spec.kind == .mean ? [1, 2, 3, 4, 5, 6] : nil)
            var source = ExactReport()
            let m = try c.noised(study: "s1", round: 0, plan: plan, noise: &source)
            #expect(m.cost == charged)
            let wire = try m.costJSON()
            #expect(String(decoding: wire, as: UTF8.self) == (try charged.jsonString()))
            let back = try Study.ContributionMessage.decodeCost(json: wire)
            #expect(back == charged)
            #expect(try back.jsonString() == (try charged.jsonString()))
            #expect(back.parameters["coordinates"] == String(spec.coordinateCount))
            #expect(back.parameters["sensitivity_l2"] == "\(plan.l2Sensitivity)")
            #expect(try #require(try m.noiseVariance()) >= plan.sigmaSquared)
            #expect(abs(try back.epsilon(delta: spec.privacy.delta) - spec.privacy.epsilon) < 1e-9)
        }
    }

    /// A peer's `cost_json` that is not the cost form, or whose figures are out of range, is
    /// refused with `invalidContribution` at the key that is wrong.
    @Test(arguments: [
        ("", "cost_json"),
        ("{}", "cost_json"),
        ("[1,2]", "cost_json"),
        (#"{"mechanism":"discrete-gaussian","parameters":{},"rdp":{"orders":"dp-accounting-default","values":[]},"v":2}"#, "cost_json"),
        (#"{"mechanism":"gaussian","parameters":{},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json"),
        (#"{"mechanism":"discrete-gaussian","parameters":{},"rdp":{"orders":[2],"values":[1]},"rho":-1,"v":1}"#, "cost_json"),
        (#"{"mechanism":"discrete-gaussian","parameters":{},"rdp":{"orders":[2],"values":[1]},"rho":1e309,"v":1}"#, "cost_json"),
        (#"{"mechanism":"discrete-gaussian","parameters":{},"rdp":{"orders":[0.5],"values":[1]},"v":1}"#, "cost_json"),
        (#"{"mechanism":"discrete-gaussian","parameters":{},"rdp":{"orders":[2],"values":[1]},"rho":2e6,"v":1}"#, "cost_json.rho"),
        (#"{"epsilon":1e7,"mechanism":"discrete-laplace","parameters":{},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.epsilon"),
        (#"{"mechanism":"discrete-gaussian","parameters":{"sigma_squared":"nan"},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.parameters.sigma_squared"),
        (#"{"mechanism":"discrete-gaussian","parameters":{"sigma_squared":"-4"},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.parameters.sigma_squared"),
        (#"{"mechanism":"discrete-gaussian","parameters":{"sigma_squared":"1e31"},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.parameters.sigma_squared"),
        (#"{"mechanism":"discrete-gaussian","parameters":{"sigma_squared":"5/0"},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.parameters.sigma_squared"),
        (#"{"mechanism":"discrete-gaussian","parameters":{"sensitivity_l2":"-inf"},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.parameters.sensitivity_l2"),
        (#"{"mechanism":"discrete-gaussian","parameters":{"coordinates":"-3"},"rdp":{"orders":[2],"values":[1]},"v":1}"#, "cost_json.parameters.coordinates"),
    ])
    func malformedOrOutOfRangeCostsAreRefusedNamingTheKey(json: String, key: String) throws {
        do {
            let cost = try Study.ContributionMessage.decodeCost(json: Data(json.utf8))
            Issue.record("accepted \(cost)")
        } catch let error as StudyError {
            #expect(error.code == .invalidContribution)
            #expect(error.key == key, "\(error)")
        }
    }

    /// Sizes are bounded: an oversized document, too many RDP orders or parameters, or an
    /// overlong parameter is refused before it reaches a result.
    @Test func oversizedCostsAreRefused() throws {
        func key(_ json: String) -> String? {
            do { _ = try Study.ContributionMessage.decodeCost(json: Data(json.utf8)); return nil } catch let error as StudyError {
                return error.key
            } catch { return "\(error)" }
        }
        let orders = (0..<300).map { "\(2 + $0)" }.joined(separator: ","), values = (0..<300).map { _ in "1" }.joined(separator: ",")
        #expect(key(#"{"mechanism":"discrete-gaussian","parameters":{},"rdp":{"orders":[\#(orders)],"values":[\#(values)]},"v":1}"#) == "cost_json.rdp.orders")
        let many = (0..<40).map { "\"p\($0)\":\"1\"" }.joined(separator: ",")
        #expect(key(#"{"mechanism":"discrete-gaussian","parameters":{\#(many)},"rdp":{"orders":[2],"values":[1]},"v":1}"#) == "cost_json.parameters")
        let long = String(repeating: "x", count: 300)
        #expect(key(#"{"mechanism":"discrete-gaussian","parameters":{"note":"\#(long)"},"rdp":{"orders":[2],"values":[1]},"v":1}"#) == "cost_json.parameters")
        let huge = String(repeating: " ", count: Study.ContributionMessage.maximumCostJSONBytes) + "{}"
        #expect(key(huge) == "cost_json")
        // An honest cost (a curve on the default order grid) is well within the bounds.
        let spec = try StudyFixtures.spec(dimensions: [.valueTier])
        let json = try Study.Calibration.plan(for: spec).cost().jsonString()
        #expect(key(json) == nil)
        #expect(json.utf8.count < Study.ContributionMessage.maximumCostJSONBytes / 4, "\(json.utf8.count) bytes")
    }
}
