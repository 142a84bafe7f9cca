import CohortPrivacy
import Testing

@Suite("Privacy.Cost")
struct CostTests {
    @Test("JSON round-trips exactly, including infinite RDP values and custom grids")
    func roundTrip() throws {
        let costs: [Privacy.Cost] = [
            try Privacy.DiscreteGaussian.cost(sigmaSquared: Privacy.Rational(parsing: "5/2"), l2Sensitivity: 1),
            try Privacy.DiscreteLaplace.cost(scale: Privacy.Rational(2), l1Sensitivity: 1),
            Privacy.Cost(mechanism: .subsampledGaussian, rho: nil, pureEpsilon: nil,
                         rdp: try Privacy.RDP.Curve(orders: [2, 8], values: [0.5, .infinity]), parameters: ["steps": "3"]),
            .zero,
        ]
        for cost in costs {
            let json = try cost.jsonString()
            let back = try Privacy.Cost(jsonString: json)
            #expect(back == cost, "\(json)")
            #expect(try back.jsonString() == json)
        }
    }

    @Test("the JSON form is stable (pinned)")
    func pinned() throws {
        let cost = Privacy.Cost.pure(.discreteLaplace, epsilon: 0.5, parameters: ["scale": "2"])
        let json = try cost.jsonString()
        #expect(json.hasPrefix(#"{"epsilon":0.5,"mechanism":"discrete-laplace","parameters":{"scale":"2"},"rdp":{"orders":"dp-accounting-default","values":[0.1375,0.15,"#))
        #expect(json.hasSuffix(#"0.5,0.5]},"rho":0.125,"v":1}"#))
    }

    @Test("malformed JSON is refused with invalidEncoding", arguments: [
        "{}", "not json", #"{"v":2,"mechanism":"composition","rdp":{"orders":[2],"values":[1]}}"#,
        #"{"v":1,"mechanism":"composition","rho":-1,"rdp":{"orders":[2],"values":[1]}}"#,
        #"{"v":1,"mechanism":"composition","rdp":{"orders":[2,3],"values":[1]}}"#,
        #"{"v":1,"mechanism":"composition","rdp":{"orders":"other","values":[1]}}"#,
        #"{"v":1,"mechanism":"teleport","rdp":{"orders":[2],"values":[1]}}"#,
    ])
    func malformed(json: String) {
        do {
            _ = try Privacy.Cost(jsonString: json)
            Issue.record("accepted \(json)")
        } catch let error as PrivacyError {
            #expect(error.code == .invalidEncoding || error.code == .dimensionMismatch, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("composition adds ρ and curves; pure ε adds only when every part is pure")
    func composition() throws {
        let g = try Privacy.DiscreteGaussian.cost(sigmaSquared: Privacy.Rational(2), l2Sensitivity: 1)  // ρ = 1/4
        let l = try Privacy.DiscreteLaplace.cost(scale: Privacy.Rational(4), l1Sensitivity: 1)  // ε = 1/4
        let gg = try Privacy.Cost.composition([g, g, g, g])
        #expect(abs(try #require(gg.rho) - 1) < 1e-12)
        #expect(gg.pureEpsilon == nil)
        let ll = try Privacy.Cost.composition([l, l])
        #expect(abs(try #require(ll.pureEpsilon) - 0.5) < 1e-12)
        let mixed = try Privacy.Cost.composition([g, l])
        #expect(mixed.pureEpsilon == nil)
        // Four ρ = 1/4 releases compose to ρ = 1: far less than 4 × ε(ρ = 1/4).
        let single = try g.epsilon(delta: 1e-6)
        let four = try gg.epsilon(delta: 1e-6)
        #expect(four < 4 * single * 0.7)
        #expect(abs(four - (try Privacy.ZCDP.epsilon(rho: 1, delta: 1e-6))) < 1e-9)
    }

    @Test("cost estimates for each mechanism (the CLI's library entry point)")
    func estimates() throws {
        let dg = try Privacy.CostEstimate.evaluate(.discreteGaussian(sigma: Privacy.Rational(parsing: "5/2"), l2Sensitivity: 1), delta: 1e-6)
        #expect(abs(try #require(dg.rho) - 0.08) < 1e-12)
        #expect(abs(dg.epsilon - (try Privacy.ZCDP.epsilon(rho: 0.08, delta: 1e-6))) < 1e-9)
        let dl = try Privacy.CostEstimate.evaluate(.discreteLaplace(scale: Privacy.Rational(2), l1Sensitivity: 1), delta: 1e-6)
        #expect(abs(dl.epsilon - 0.5) < 1e-12)
        let ddg = try Privacy.CostEstimate.evaluate(.distributedDiscreteGaussian(sigma: Privacy.Rational(20), parties: 10, dropouts: 3, l2Sensitivity: 1, l1Sensitivity: nil, dimension: 1), delta: 1e-6)
        #expect(abs(try #require(ddg.rho) - 1.0 / 800) < 1e-9)
        let sg = try Privacy.CostEstimate.evaluate(.subsampledGaussian(noiseMultiplier: 1.1, samplingRate: 0.01, steps: 1000), delta: 1e-6)
        #expect(abs(sg.epsilon - 1.976749717213337) < 1e-6 * 1.976749717213337)
        #expect(sg.rdpOrder == 9.8)
    }
}
