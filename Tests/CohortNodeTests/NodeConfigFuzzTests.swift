import CohortTestSupport
import Foundation
import Testing
import CohortNode
import CohortStore

/// Fuzzes `cohort.yaml` parsing with mutated configurations whose numbers are pushed to the
/// edges of Int and Double: the parser returns a validated config or throws a ``NodeError``
/// `.invalidConfiguration`, never traps.
@Suite struct NodeConfigFuzzTests {
    static let template = NodeConfigTemplate.text(name: "acme", consortium: "demo")

    static let dictionary = [
        ": ", "\n", "  ", "- ", "[", "]", "{", "}", "&a", "*a", "!!int ", "!!float ", "~", "null", "'", "\"", "#",
        "epsilon_per_period: ", "period_days: ", "min_customers: ", "delta: ", "127.0.0.1:", ":65536", ":-1",
    ]

    @Test("mutated cohort.yaml: a validated config or NodeError, never a trap")
    func mutatedConfigsNeverTrap() throws {
        try FuzzCampaign("node config YAML", seed: 0xC0_F16, iterations: 1_000).run { c in
            let bytes = FuzzMutation.mutate(text: Self.template, using: &c.random, dictionary: Self.dictionary, maxSteps: 3)
            c.input(bytes)
            do {
                let config = try NodeConfig.parse(yaml: String(decoding: bytes, as: UTF8.self))
                try config.validate()
                try c.require(config.privacy.delta > 0 && config.privacy.delta < 1, "accepted delta \(config.privacy.delta)")
            } catch let error as NodeError {
                try c.require(error.code == .invalidConfiguration, "unexpected error code \(error.code)")
            }
        }
    }
}
