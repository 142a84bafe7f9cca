import CohortCore
import CohortNet
import CohortAudit
import CohortNode
import CohortPrivacy
import CohortStore
import Foundation

/// One party's node directory after preparation.
struct PreparedParty: Sendable {
    /// Node name.
    var name: String
    /// Node directory.
    var directory: URL
    /// Peer port in its config.
    var port: Int
    /// `retail`, `telecom`, `bank` or `csv`.
    var dataLabel: String
    /// Customers, transactions and consent events imported.
    var customers: Int
    var transactions: Int
    var consentEvents: Int
    /// Customers consenting to each purpose right after import.
    var consenting: [Purpose: Set<String>]
}

/// Creates every party's node directory: config naming the others as peers on free loopback
/// ports, policy and approval mode, TLS files, data generated (or copied from CSV) and imported.
enum ScenarioPreparation {
    /// Prepares every party in parallel. `seedFor` gives each party's synthetic seed and
    /// `sizeFor` its customer count for this run.
    static func prepare(
        _ definition: Scenario.Definition, base: URL, pki: ScenarioPKI,
        seedFor: @Sendable (Int, UInt64) -> UInt64, sizeFor: @Sendable (Int) -> Int,
        say: @escaping @Sendable (String) -> Void
    ) async throws -> [String: PreparedParty] {
        let ports = try FreePorts.pick(definition.parties.count)
        let parties = definition.parties
        let asOf = definition.asOf
        let consortium = pki.consortium
        return try await withThrowingTaskGroup(of: PreparedParty.self) { group in
            for (index, party) in parties.enumerated() {
                let peers = parties.enumerated().filter { $0.offset != index }.map {
                    NodeConfig.Peer(name: $0.element.name, address: "127.0.0.1:\(ports[$0.offset])")
                }
                let material = try pki.material(for: party.name)
                let directory = base.appendingPathComponent(party.name)
                let port = ports[index]
                var seed: UInt64 = 0
                var customers = 0
                if case .synthetic(_, let n, let s) = party.data {
                    seed = seedFor(index, s)
                    customers = sizeFor(n)
                }
                group.addTask {
                    try await prepareNode(
                        party, directory: directory, consortium: consortium, port: port, peers: peers, material: material,
                        seed: seed, customers: customers, asOf: asOf, say: say)
                }
            }
            var result: [String: PreparedParty] = [:]
            for try await prepared in group { result[prepared.name] = prepared }
            return result
        }
    }

    static func prepareNode(
        _ party: Scenario.Party, directory: URL, consortium: String, port: Int, peers: [NodeConfig.Peer],
        material: PKI.NodeTLSMaterial, seed: UInt64, customers: Int, asOf: String, say: @Sendable (String) -> Void
    ) async throws -> PreparedParty {
        _ = try await NodeHome.initialize(directory: directory.path, name: party.name, consortium: consortium, force: true, actor: "scenario")
        let configPath = NodeDirectory(directory.path).configPath
        var config = try NodeConfig.load(from: configPath)
        config.network.listen = "127.0.0.1:\(port)"
        config.network.metrics = "127.0.0.1:0"
        config.network.peers = peers
        config.studies.autoApprove = party.approval == .auto
        if case .synthetic(let profile, _, _) = party.data, config.data.reportingCurrency == nil {
            config.data.reportingCurrency = profile.currency  // every synthetic amount is in it
        }
        party.policy.apply(to: &config)
        do {
            try config.validate()
        } catch {
            throw ScenarioError(.invalidArgument, "party \(party.name): its policy is not a valid node configuration: \(error)")
        }
        try Data(try config.yaml().utf8).write(to: URL(fileURLWithPath: configPath))
        try material.write(nodeDirectory: directory.path)

        var files: [(ImportKind, URL)] = []
        let label: String
        switch party.data {
        case .synthetic(let profile, _, _):
            label = profile.rawValue
            let dataDir = directory.appendingPathComponent("synthetic")
            let generator = try Synthetic.Generator(profile: profile, customers: customers, seed: seed, asOf: try Synthetic.CalendarDay(parsing: asOf))
            _ = try generator.write(to: dataDir)
            let consent = dataDir.appendingPathComponent("consent.csv")
            if !party.consentRates.isEmpty {
                try rewriteConsent(
                    consent, customers: dataDir.appendingPathComponent("customers.csv"), rates: party.consentRates, seed: seed)
            }
            files = [(.customers, dataDir.appendingPathComponent("customers.csv")),
                     (.transactions, dataDir.appendingPathComponent("transactions.csv")), (.consent, consent)]
        case .csv(let c, let t, let consent):
            label = "csv"
            files = [(.customers, c), (.transactions, t)] + (consent.map { [(.consent, $0)] } ?? [])
        }
        let store = try NodeStore.open(directory: directory.path)
        defer { try? store.close() }
        let log = try await Audit.Log.open(nodeDirectory: directory.path, node: party.name)
        do {
            for (kind, file) in files {
                _ = try await store.importCSV(kind, from: file.path, options: ImportOptions(actor: "scenario"), audit: log)
            }
        } catch {
            await log.close()
            throw ScenarioError(.invalidArgument, "party \(party.name): import failed: \(error)")
        }
        await log.close()
        let counts = try store.counts()
        var consenting: [Purpose: Set<String>] = [:]
        for purpose in Purpose.allCases {
            consenting[purpose] = Set(try store.consentingCustomers(purpose: purpose, asOf: Date()))
        }
        say("  \(party.name): \(label), \(counts.customers) customers, \(counts.transactions) transactions, \(counts.consentEvents) consent events imported")
        return PreparedParty(
            name: party.name, directory: directory, port: port, dataLabel: label, customers: counts.customers,
            transactions: counts.transactions, consentEvents: counts.consentEvents, consenting: consenting)
    }

    /// Replaces the consent events of the purposes in `rates` by one grant per customer with
    /// probability `rate` (at the customer's signup day, method `scenario`), keeping the
    /// other purposes' events. Deterministic in `seed`. O(customers + consent events).
    static func rewriteConsent(_ consent: URL, customers: URL, rates: [Purpose: Double], seed: UInt64) throws {
        let text: String
        do {
            text = try String(contentsOf: consent, encoding: .utf8)
        } catch {
            throw ScenarioError(.io, "cannot read \(consent.path): \(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first else { return }
        let headerFields = ScenarioCSV.fields(header)
        guard let purposeIndex = headerFields.firstIndex(of: "purpose"), headerFields.count == 6 else {
            throw ScenarioError(.io, "\(consent.path): unexpected consent header \(header)")
        }
        let replaced = Set(rates.keys.map(\.rawValue))
        lines = [header] + lines.dropFirst().filter { line in
            let f = ScenarioCSV.fields(line)
            return f.count > purposeIndex && !replaced.contains(f[purposeIndex])
        }
        var out = lines.joined(separator: "\n") + "\n"
        var random = Privacy.SeededGenerator(seed: seed).derived(0x636F_6E73)
        let people = try ScenarioCSV.columns(["customer_id", "signup_date"], of: customers)
        let order = headerFields
        for person in people {
            for purpose in Purpose.allCases {
                guard let rate = rates[purpose], Double.random(in: 0..<1, using: &random) < rate else { continue }
                let values = [
                    "customer_id": person[0], "purpose": purpose.rawValue, "action": "grant",
                    "at": "\(person[1])T00:00:00Z", "method": "scenario", "policy_version": "scenario-1",
                ]
                out += order.map { values[$0] ?? "" }.joined(separator: ",") + "\n"
            }
        }
        do {
            try Data(out.utf8).write(to: consent, options: .atomic)
        } catch {
            throw ScenarioError(.io, "cannot write \(consent.path): \(error.localizedDescription)")
        }
    }
}
