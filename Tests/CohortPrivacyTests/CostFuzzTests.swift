import CohortPrivacy
import CohortTestSupport
import Foundation
import Testing

/// Fuzzes the privacy-cost JSON decoder (a peer's `cost_json` reaches it): mutated and
/// edge-valued documents must decode or throw ``PrivacyError``, never trap; a decoded cost must
/// convert to ε (or throw ``PrivacyError``) and re-encode to JSON that decodes to the same cost.
@Suite struct CostFuzzTests {
    static let seeds: [String] = {
        let costs: [Privacy.Cost] = [
            .pure(.discreteLaplace, epsilon: 0.5, parameters: ["scale": "2"]),
            .zcdp(.discreteGaussian, rho: 0.0244, parameters: ["sigma_squared": "41/2"]),
            Privacy.Cost(mechanism: .subsampledGaussian, rho: nil, pureEpsilon: nil,
                         rdp: (try? Privacy.RDP.Curve(orders: [1.5, 2, 64], values: [0.1, 0.5, .infinity])) ?? .zero(),
                         parameters: ["steps": "3"]),
            .zero,
        ]
        return costs.compactMap { try? $0.jsonString() }
    }()

    static let dictionary = [
        "null", "true", "[]", "{}", "\"v\":2", "\"rho\":", "\"epsilon\":", "\"orders\":[1]", "\"orders\":[0.5]",
        "\"values\":[]", "\"values\":[null]", "\"mechanism\":\"composition\"", "1e309", "-1", "NaN", ",", ":", "\"",
    ]

    @Test("mutated cost JSON: decodes or PrivacyError; decoded costs convert and round-trip")
    func mutatedCostJSONNeverTraps() throws {
        try FuzzCampaign("privacy cost JSON", seed: 0xC057_0001, iterations: 5_000).run { c in
            let bytes = FuzzMutation.mutate(text: c.random.element(of: Self.seeds), using: &c.random, dictionary: Self.dictionary)
            c.input(bytes)
            let cost: Privacy.Cost
            do {
                cost = try Privacy.Cost(jsonString: String(decoding: bytes, as: UTF8.self))
            } catch is PrivacyError {
                return
            }
            for delta in [1e-6, 0.5, c.random.edgeDouble()] {
                do {
                    let epsilon = try cost.epsilon(delta: delta)
                    try c.require(!epsilon.isNaN, "ε is NaN for δ = \(delta)")
                } catch is PrivacyError {}
            }
            let again = try Privacy.Cost(jsonString: try cost.jsonString())
            try c.require(again == cost, "the re-encoded cost decodes to something else")
        }
    }

    /// Regression corpus: values at the edges of Double and Int decoding.
    @Test("edge-valued cost JSON is refused with PrivacyError", arguments: [
        #"{"mechanism":"composition","parameters":{},"rdp":{"orders":[2],"values":[0]},"rho":1e309,"v":1}"#,
        #"{"mechanism":"composition","parameters":{},"rdp":{"orders":[2],"values":[0]},"rho":-1,"v":1}"#,
        #"{"mechanism":"composition","parameters":{},"rdp":{"orders":[2],"values":[0]},"v":9223372036854775808}"#,
        #"{"mechanism":"composition","parameters":{},"rdp":{"orders":[0.5],"values":[0]},"v":1}"#,
        #"{"mechanism":"composition","parameters":{},"rdp":{"orders":[2,3],"values":[0]},"v":1}"#,
        #"{"mechanism":"composition","parameters":{},"rdp":{"orders":[],"values":[]},"v":1}"#,
    ])
    func edgeCostsRefused(_ json: String) {
        #expect(throws: PrivacyError.self) { try Privacy.Cost(jsonString: json) }
    }
}
