import Foundation
import CohortCore
import Testing
import CohortNode
import CohortStore

@Suite("NodeConfig")
struct NodeConfigTests {
    static let template = NodeConfigTemplate.text(name: "acme", consortium: "demo")

    @Test("the commented template loads")
    func template() throws {
        let config = try NodeConfig.parse(yaml: Self.template)
        #expect(config.node.name == "acme")
        #expect(config.node.consortium == "demo")
        #expect(config.node.mode == .production)
        #expect(config.privacy.delta == 1e-6)
        #expect(config.privacy.minCustomers == 50)
        #expect(config.policy(for: .modelTraining) == .init(epsilonPerPeriod: 8, periodDays: 30, epsilonPerStudy: 4))
        #expect(config.tls.trustBundle == "tls/trust.pem")
        #expect(config.network.peers.isEmpty)
    }

    @Test("the contract example loads")
    func contractExample() throws {
        let yaml = """
            node:        { name: acme, consortium: demo, mode: simulation }
            network:     { listen: "127.0.0.1:0", metrics: "127.0.0.1:0", peers: [ { name: globex, address: "127.0.0.1:7401" } ] }
            tls:         { certificate: tls/node.pem, key: tls/node.key, trust_bundle: tls/trust.pem, revoked: tls/revoked.txt }
            privacy:
              delta: 1.0e-6
              min_customers: 50
              purposes:
                segmentation:   { epsilon_per_period: 4.0, period_days: 30, epsilon_per_study: 1.0 }
            studies:     { auto_approve: true }
            """
        let config = try NodeConfig.parse(yaml: yaml)
        #expect(config.network.peers == [.init(name: "globex", address: "127.0.0.1:7401")])
        #expect(config.studies.autoApprove)
        #expect(config.node.mode == .simulation)
        #expect(config.policy(for: .benchmarking) == nil)
    }

    /// (replace this, with this, expected key in the message)
    @Test("nonsense is an error naming the key", arguments: [
        ("delta: 1.0e-6", "delta: 0", "privacy.delta"),
        ("delta: 1.0e-6", "delta: 1.5", "privacy.delta"),
        ("min_customers: 50", "min_customers: 0", "privacy.min_customers"),
        ("min_customers: 50", "min_customers: many", "privacy.min_customers"),
        ("name: acme", "name: Acme Corp", "node.name"),
        ("consortium: demo", "consortium: \"\"", "node.consortium"),
        ("mode: production", "mode: testing", "node.mode"),
        ("listen: \"127.0.0.1:0\"", "listen: \"localhost\"", "network.listen"),
        ("peers: []", "peers: [ { name: globex, address: \"127.0.0.1:0\" } ]", "network.peers[0].address"),
        ("peers: []", "peers: [ { name: acme, address: \"127.0.0.1:7401\" } ]", "network.peers[0].name"),
        ("segmentation:   { epsilon_per_period: 4.0", "marketing:   { epsilon_per_period: 4.0", "privacy.purposes.marketing"),
        ("epsilon_per_period: 8.0, period_days: 30", "epsilon_per_period: -1, period_days: 30", "privacy.purposes.model-training.epsilon_per_period"),
        ("epsilon_per_period: 8.0, period_days: 30", "epsilon_per_period: 8.0, period_days: 0", "privacy.purposes.model-training.period_days"),
        ("epsilon_per_study: 4.0", "epsilon_per_study: 9.0", "privacy.purposes.model-training.epsilon_per_study"),
        ("  delta: 1.0e-6\n", "", "privacy.delta"),
    ])
    func invalid(find: String, replace: String, key: String) {
        let yaml = Self.template.replacingOccurrences(of: find, with: replace)
        #expect(yaml != Self.template)
        do {
            _ = try NodeConfig.parse(yaml: yaml, file: "cohort.yaml")
            Issue.record("accepted an invalid config (\(replace))")
        } catch let error as NodeError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.description.hasPrefix("cohort.yaml: "))
            #expect(error.description.contains("'\(key)'"), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("names and addresses", arguments: [
        ("acme", true), ("a", true), ("node-2", true), ("-node", false), ("Node", false), ("no_de", false), ("", false),
        (String(repeating: "a", count: 63), true), (String(repeating: "a", count: 64), false),
    ])
    func names(name: String, valid: Bool) {
        #expect(NodeConfig.isValidName(name) == valid)
    }

    @Test("addresses", arguments: [
        ("127.0.0.1:7401", false, true), ("localhost:1", false, true), ("[::1]:7401", false, true),
        ("127.0.0.1:0", false, false), ("127.0.0.1:0", true, true), ("127.0.0.1:65536", true, false),
        ("127.0.0.1", true, false), (":80", true, false), ("host name:80", true, false),
    ])
    func addresses(address: String, allowZero: Bool, valid: Bool) {
        #expect(NodeConfig.isValidAddress(address, allowPortZero: allowZero) == valid)
    }
}
