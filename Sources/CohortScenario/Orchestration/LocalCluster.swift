public import CohortNet
import CohortAudit
public import CohortNode
import CohortStore
public import Foundation

/// Several node directories on this machine, wired to each other on loopback, with synthetic
/// data imported: what the demo and the multi-process tests run real `cohort node run`
/// processes over.
public struct LocalCluster: Sendable {
    /// One node of the cluster.
    public struct Member: Sendable {
        /// Node name.
        public var name: String
        /// Data profile.
        public var profile: Synthetic.Profile
        /// Number of synthetic customers.
        public var customers: Int
        /// Its TLS material (certificate, key, trust bundle, revocations).
        public var material: PKI.NodeTLSMaterial
        /// Adjusts the generated `cohort.yaml` (policy, approval) before it is written.
        public var configure: @Sendable (inout NodeConfig) -> Void

        /// Creates a member.
        public init(
            name: String, profile: Synthetic.Profile, customers: Int, material: PKI.NodeTLSMaterial,
            configure: @escaping @Sendable (inout NodeConfig) -> Void = { _ in }
        ) {
            self.name = name
            self.profile = profile
            self.customers = customers
            self.material = material
            self.configure = configure
        }
    }

    /// The cluster's root directory.
    public let base: URL
    /// Node name → node directory.
    public let directories: [String: URL]
    /// Node names in the order given.
    public let names: [String]

    /// Creates every node directory (config naming the others as peers on free loopback
    /// ports, TLS files, synthetic data generated and imported), in parallel.
    public static func prepare(
        members: [Member], base: URL, consortium: String, seed: UInt64, asOf: String,
        say: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> LocalCluster {
        let ports = try FreePorts.pick(members.count)
        var directories: [String: URL] = [:]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, member) in members.enumerated() {
                let directory = base.appendingPathComponent(member.name)
                directories[member.name] = directory
                let peers = members.enumerated().filter { $0.offset != index }.map {
                    NodeConfig.Peer(name: $0.element.name, address: "127.0.0.1:\(ports[$0.offset])")
                }
                let port = ports[index]
                let memberSeed = seed &+ UInt64(index) &* 7919
                group.addTask {
                    try await prepareNode(
                        member, directory: directory, consortium: consortium, listenPort: port, peers: peers,
                        seed: memberSeed, asOf: asOf, say: say)
                }
            }
            try await group.waitForAll()
        }
        return LocalCluster(base: base, directories: directories, names: members.map(\.name))
    }

    /// The directory of node `name`.
    public func directory(_ name: String) throws -> URL {
        guard let url = directories[name] else {
            throw ScenarioError(.invalidArgument, "the cluster has no node named \(name)")
        }
        return url
    }

    /// Starts `cohort node run` for each named node (all by default) and waits until each serves.
    public func start(executable: URL, nodes: [String]? = nil, say: @Sendable (String) -> Void = { _ in }) async throws -> [NodeProcess] {
        var processes: [NodeProcess] = []
        do {
            for name in nodes ?? names {
                processes.append(try NodeProcess(executable: executable, directory: try directory(name), name: name))
            }
            for process in processes {
                let info = try await process.waitUntilReady(timeout: .seconds(60))
                say("Node \(process.name) serving on 127.0.0.1:\(info.peerPort) (pid \(info.pid), metrics port \(info.metricsPort.map(String.init) ?? "off"))")
            }
            return processes
        } catch {
            for process in processes { await process.stop(grace: .seconds(5)) }
            throw error
        }
    }

    /// Creates one node: directory, config, TLS material, synthetic data and its import.
    static func prepareNode(
        _ member: Member, directory: URL, consortium: String, listenPort: Int, peers: [NodeConfig.Peer],
        seed: UInt64, asOf: String, say: @Sendable (String) -> Void
    ) async throws {
        _ = try await NodeHome.initialize(
            directory: directory.path, name: member.name, consortium: consortium, force: true, actor: "scenario")
        let configPath = NodeDirectory(directory.path).configPath
        var config = try NodeConfig.load(from: configPath)
        config.network.listen = "127.0.0.1:\(listenPort)"
        config.network.metrics = "127.0.0.1:0"
        config.network.peers = peers
        config.studies.autoApprove = true
        config.data.reportingCurrency = member.profile.currency  // every synthetic amount is in it
        member.configure(&config)
        try config.validate()
        try Data(try config.yaml().utf8).write(to: URL(fileURLWithPath: configPath))
        try member.material.write(nodeDirectory: directory.path)

        let dataDir = directory.appendingPathComponent("synthetic")
        let generator = try Synthetic.Generator(
            profile: member.profile, customers: member.customers, seed: seed,
            asOf: try Synthetic.CalendarDay(parsing: asOf))
        let summary = try generator.write(to: dataDir)
        let store = try NodeStore.open(directory: directory.path)
        defer { try? store.close() }
        let log = try await Audit.Log.open(nodeDirectory: directory.path, node: member.name)
        do {
            for (kind, file) in [(ImportKind.customers, "customers.csv"), (.transactions, "transactions.csv"), (.consent, "consent.csv")] {
                _ = try await store.importCSV(
                    kind, from: dataDir.appendingPathComponent(file).path,
                    options: ImportOptions(actor: "scenario"), audit: log)
            }
        } catch {
            await log.close()
            throw error
        }
        await log.close()
        say("  \(member.name): \(member.profile.rawValue), \(summary.customerCount) customers, \(summary.transactionCount) transactions, \(summary.consentEventCount) consent events imported")
    }
}
