import UnixSignals
import Prometheus
public import CohortNet
public import CohortStudy
import CohortCore
import CohortAudit
import CohortStore
import CohortWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
public import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// A running node: the mTLS peer server, the admin socket, the metrics endpoint and the study
/// engine over the node's store and audit log, composed in one `ServiceGroup` that shuts down
/// gracefully on SIGTERM or SIGINT.
public enum NodeRuntime {
    /// How to run a node.
    public struct Options: Sendable {
        /// The node directory.
        public var directory: String
        /// Noise randomness (seeded only in simulation mode).
        public var randomness: NodeStudyServices.RandomnessChoice
        /// Peer transport limits.
        public var limits: PeerLimits

        /// Creates options.
        public init(directory: String, randomness: NodeStudyServices.RandomnessChoice = .system, limits: PeerLimits = .defaults) {
            self.directory = directory
            self.randomness = randomness
            self.limits = limits
        }
    }

    /// Runs the node until SIGTERM/SIGINT (or cancellation). Writes `<dir>/run/node.json`
    /// once every listener is bound.
    public static func run(_ options: Options, logger baseLogger: Logger) async throws {
        let directory = options.directory
        let store = try NodeStore.open(directory: directory)
        defer { try? store.close() }
        let config = try store.loadConfig()
        var nodeLogger = baseLogger
        nodeLogger[metadataKey: "node"] = "\(config.node.name)"
        let logger = nodeLogger

        let runDirectory = URL(fileURLWithPath: directory).appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = chmod(runDirectory.path, 0o700)
        let lock = try RunLock(path: runDirectory.appendingPathComponent("node.lock").path, node: config.node.name)
        defer { lock.release() }
        try? FileManager.default.removeItem(at: NodeRunInfo.url(in: URL(fileURLWithPath: directory)))

        let material: PKI.NodeTLSMaterial
        do {
            material = try PKI.NodeTLSMaterial.load(nodeDirectory: directory, paths: PKI.NodeTLSPaths(
                certificate: config.tls.certificate, key: config.tls.key, trustBundle: config.tls.trustBundle,
                revoked: config.tls.revoked))
        } catch {
            throw NodeError(.invalidConfiguration, "node \(config.node.name): cannot load its TLS material: \(error)")
        }
        let identity = try material.identity()
        guard identity.node == config.node.name, identity.consortium == config.node.consortium else {
            throw NodeError(.invalidConfiguration,
                "the certificate names \(identity.consortium)/\(identity.node) but cohort.yaml says \(config.node.consortium)/\(config.node.name)")
        }

        let audit = try await Audit.Log.open(nodeDirectory: directory, node: config.node.name)
        // An import killed before its outcome was audited is settled before anything else runs.
        try await store.reconcileImports(audit: audit, actor: "system")
        let metrics = NodeMetrics()
        // Refusals are queued and written (throttled per source) by the "peer-event-audit"
        // service; a connection is recorded before its first call is served.
        let peerAuditor = PeerEventAuditor(audit: audit, logger: logger)
        let events = peerAuditor.handlers(onRefusal: { _ in metrics.refusals.increment() })

        let services = try NodeStudyServices(store: store, config: config, audit: audit, randomness: options.randomness)
        let addresses = Dictionary(config.network.peers.map { ($0.name, $0.address) }, uniquingKeysWith: { a, _ in a })
        // One connection per peer, reused by every study round, witness and probe call; closed
        // once every service has stopped.
        let connections = PeerConnectionPool()
        let peers = PeerDirectory(
            material: material, addresses: addresses, limits: options.limits, events: events, pool: connections)
        let engine = StudyEngine(
            node: config.node.name, policy: studyPolicy(config), local: services, peers: peers, metrics: metrics,
            logger: logger, identity: try SecureAggregationIdentity(material: material, consortium: config.node.consortium))
        // Studies this node took part in when it last stopped resume (or fail cleanly) before
        // any peer is served.
        try await engine.restore()
        let handler = NodePeerHandler(
            engine: engine, node: config.node.name, consortium: config.node.consortium, metrics: metrics,
            latestCheckpoint: { try? audit.reader().latestCheckpoint()?.serialized }, audit: audit)

        let (listenHost, listenPort) = try split(config.network.listen, key: "network.listen")
        let peerServer = try PeerServer(
            material: material, peers: Set(addresses.keys), handler: handler, host: listenHost, port: listenPort,
            limits: options.limits, events: events)

        let adminPath = AdminClient.socketPath(nodeDirectory: directory)
        try? FileManager.default.removeItem(atPath: adminPath)
        let adminTransport = HTTP2ServerTransport.Posix(address: .unixDomainSocket(path: adminPath), transportSecurity: .plaintext)
        let statusProvider: @Sendable (Bool) async throws -> NodeStatus = { probe in
            var peerLines: [NodeStatus.Peer] = []
            for peer in config.network.peers {
                var line = NodeStatus.Peer(name: peer.name, address: peer.address)
                if probe {
                    do {
                        var hello = Cohort_Peer_V1_HelloRequest()
                        hello.node = config.node.name
                        hello.consortium = config.node.consortium
                        hello.protocolVersion = NodePeerHandler.protocolVersion
                        hello.softwareVersion = NodePeerHandler.softwareVersion
                        _ = try await peers.withClient(peer.name) { try await $0.hello(hello) }
                        line.reachable = true
                    } catch {
                        line.reachable = false
                        line.error = "\(error)"
                    }
                }
                peerLines.append(line)
            }
            let info = try? NodeRunInfo.read(from: URL(fileURLWithPath: directory))
            return NodeStatus(
                node: config.node.name, consortium: config.node.consortium, mode: config.node.mode.rawValue,
                pid: getpid(), peerPort: info?.peerPort ?? 0, peers: peerLines, studies: await engine.studies(),
                budget: try NodeBudget.report(store: store, config: config, at: Date()),
                auditEntries: audit.treeHead().size, auditAlert: audit.alert)
        }
        let adminServer = GRPCServer(transport: adminTransport, services: [AdminService(engine: engine, store: store, audit: audit, status: statusProvider)])

        var serviceList: [any Service] = [peerServer, GRPCServerService(server: adminServer)]
        let (metricsBound, metricsBoundSink) = AsyncStream<Int>.makeStream()
        if !config.network.metrics.isEmpty, config.network.metrics != "off" {
            let (host, port) = try split(config.network.metrics, key: "network.metrics")
            serviceList.append(MetricsEndpoint(host: host, port: port, metrics: metrics, logger: logger) { bound in
                metricsBoundSink.yield(bound)
                metricsBoundSink.finish()
            })
        } else {
            metricsBoundSink.finish()
        }
        serviceList.append(BackgroundService(name: "peer-event-audit", stop: { peerAuditor.finishIntake() }) {
            await peerAuditor.run()
        })
        serviceList.append(BackgroundService(name: "study-ticker") {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await engine.tick()
                do {
                    try await peerAuditor.flush()
                } catch {
                    logger.error("cannot record counted peer events in the audit log", metadata: ["error": "\(error)"])
                }
            }
        })
        // Witnessing: services stop in reverse order, so it stops before the peer server and
        // sends the final checkpoint while this node still serves its peers.
        serviceList.append(WitnessingService(
            audit: audit, peers: config.network.peers.map(\.name), directory: peers,
            interval: WitnessingService.interval(environment: ProcessInfo.processInfo.environment), logger: logger))
        serviceList.append(BackgroundService(name: "ready-reporter") {
            guard let port = try? await peerServer.listeningPort else {
                logger.error("the peer server did not bind")
                return
            }
            var metricsPort: Int?
            for await bound in metricsBound { metricsPort = bound }
            for _ in 0..<500 where !FileManager.default.fileExists(atPath: adminPath) {
                try? await Task.sleep(for: .milliseconds(10))
            }
            _ = chmod(adminPath, 0o600)
            // Serving is on record before anyone is told the node serves: if the append fails,
            // the service throws, the group shuts down and `node run` exits non-zero.
            do {
                _ = try await audit.record(.nodeStarted(
                    peerPort: Int(port), pid: Int(getpid()), mode: config.node.mode.rawValue))
            } catch {
                throw NodeError(.auditFailed, "node \(config.node.name): node.started could not be audited, stopping: \(error)")
            }
            let info = NodeRunInfo(
                pid: getpid(), node: config.node.name, peerPort: port, metricsPort: metricsPort, adminSocket: adminPath)
            do {
                try info.write(to: URL(fileURLWithPath: directory))
                logger.notice("node is serving", metadata: [
                    "peer_port": "\(port)", "metrics_port": "\(metricsPort.map(String.init) ?? "off")",
                    "admin_socket": "\(adminPath)",
                ])
            } catch {
                logger.error("cannot write run/node.json", metadata: ["error": "\(error)"])
            }
        })

        let group = ServiceGroup(configuration: .init(
            services: serviceList.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
            await connections.close()
        } catch {
            await connections.close()
            logger.error("node stopped with an error", metadata: ["error": "\(error)"])
            _ = await finish(
                audit: audit, engine: engine, peerAuditor: peerAuditor, logger: logger, directory: directory,
                adminPath: adminPath, reason: "error: \(error)")
            throw error
        }
        if let unrecorded = await finish(
            audit: audit, engine: engine, peerAuditor: peerAuditor, logger: logger, directory: directory,
            adminPath: adminPath, reason: "shutdown") {
            throw unrecorded
        }
        logger.notice("node stopped")
    }

    /// Records the stop and signs a final checkpoint, then closes the log and removes the run
    /// files. The process stops either way; if the stop could not be put on record, the error is
    /// logged and returned so that `node run` exits non-zero.
    private static func finish(
        audit: Audit.Log, engine: StudyEngine, peerAuditor: PeerEventAuditor, logger: Logger, directory: String,
        adminPath: String, reason: String
    ) async -> NodeError? {
        // Counted refusals, connections and rejected proposals are recorded before the stop entry.
        peerAuditor.finishIntake()
        await peerAuditor.run()
        do {
            try await peerAuditor.drain()
        } catch {
            logger.error("cannot record counted peer events in the audit log", metadata: ["error": "\(error)"])
        }
        await engine.flushAudit()
        var unrecorded: NodeError?
        do {
            _ = try await audit.record(.nodeStopped(reason: reason))
            _ = try await audit.signCheckpoint()
        } catch {
            logger.error("the stop could not be recorded in the audit log", metadata: ["error": "\(error)"])
            unrecorded = NodeError(.auditFailed, "node.stopped could not be audited or signed: \(error)")
        }
        await audit.close()
        try? FileManager.default.removeItem(atPath: adminPath)
        try? FileManager.default.removeItem(at: NodeRunInfo.url(in: URL(fileURLWithPath: directory)))
        return unrecorded
    }

    /// The participant policy of a node, from its config.
    public static func studyPolicy(_ config: NodeConfig) -> Study.Policy {
        var caps: [Purpose: Double] = [:]
        for purpose in Purpose.allCases {
            if let consent = Purpose(rawValue: purpose.rawValue), let policy = config.policy(for: consent) {
                caps[purpose] = policy.epsilonPerStudy
            }
        }
        var policy = Study.Policy(
            epsilonPerStudy: caps, maxDelta: config.privacy.delta, minConsentingCustomers: config.privacy.minCustomers,
            autoApprove: config.studies.autoApprove)
        policy.categoryAttributes = config.data.attributes.compactMapValues { $0.type == .category ? $0.values : nil }
        policy.numericAttributes = Set(config.data.attributes.filter { $0.value.type != .category }.keys)
        policy.reportingCurrency = config.data.reportingCurrency
        return policy
    }

    private static func split(_ address: String, key: String) throws -> (String, Int) {
        do {
            let parsed = try HostPort(parsing: address, what: key, allowPortZero: true)
            return (parsed.host, parsed.port)
        } catch let error as CoreError {
            throw NodeError(.invalidConfiguration, error.message)
        }
    }
}

/// Runs a `GRPCServer` as a lifecycle service.
struct GRPCServerService<Transport: ServerTransport>: Service {
    let server: GRPCServer<Transport>

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}

/// A long-running task as a lifecycle service: on graceful shutdown, `stop` is called (the body
/// then finishes its work and returns) or, without `stop`, the body is cancelled.
struct BackgroundService: Service {
    let name: String
    let stop: (@Sendable () -> Void)?
    let body: @Sendable () async throws -> Void

    init(name: String, stop: (@Sendable () -> Void)? = nil, body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.stop = stop
        self.body = body
    }

    func run() async throws {
        if let stop {
            try await withGracefulShutdownHandler {
                try await body()
            } onGracefulShutdown: {
                stop()
            }
        } else {
            try await cancelWhenGracefulShutdown {
                try await body()
            }
        }
        try? await gracefulShutdown()
    }
}

/// An exclusive lock on a node directory (`run/node.lock`, flock): one `node run` per node.
final class RunLock: Sendable {
    private let descriptor: Int32

    init(path: String, node: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw NodeError(.invalidConfiguration, "cannot open \(path): errno \(errno)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw NodeError(.invalidConfiguration, "node \(node) is already running from this directory (\(path) is locked)")
        }
        descriptor = fd
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
