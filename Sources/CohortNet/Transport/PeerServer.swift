import CohortWire
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
public import NIOPosix
import NIOSSL
public import ServiceLifecycle

/// The node's peer service endpoint: gRPC over HTTP/2 over TLS 1.3, client certificate required
/// on every connection, callers limited to the configured peers.
///
/// Each connection's certificate chain is checked by a ``PKI/PeerCertificateVerifier``
/// (trust bundle, validity, revocation list, `cohort://<consortium>/<node>` identity in `peers`).
/// Refused connections and calls are reported through ``PeerEventHandlers/onRefusal`` and never
/// reach the ``PeerServiceHandler``. Requests larger than ``PeerLimits/maxMessageBytes`` are
/// rejected with `resourceExhausted`; malformed ones with an error status; the server keeps
/// serving.
///
/// ```swift
/// let server = try PeerServer(material: tls, peers: ["beta", "gamma"], handler: runtime,
///                             events: PeerEventHandlers(onRefusal: { audit($0) }))
/// async let serving: Void = server.run()
/// let port = try await server.listeningPort
/// ```
public final class PeerServer: Service, Sendable {
    /// This node's identity (from its certificate).
    public let identity: PKI.NodeIdentity
    /// Node names allowed to call.
    public let peers: Set<String>
    /// Address the server binds (default `127.0.0.1`).
    public let host: String
    /// Limits in force.
    public let limits: PeerLimits

    private let registry: PeerSessionRegistry
    private let grpcServer: GRPCServer<HTTP2ServerTransport.Custom<PeerListenerFactory>>
    private let transport: HTTP2ServerTransport.Custom<PeerListenerFactory>

    /// Creates a server (it binds when ``run()`` starts).
    /// - Parameters:
    ///   - material: this node's credentials, trust bundle and revocation list.
    ///   - peers: node names allowed to call (same consortium as this node).
    ///   - handler: receives authenticated calls.
    ///   - host: bind address; `127.0.0.1` by default.
    ///   - port: TCP port; 0 picks a free port (read it from ``listeningPort``).
    ///   - limits: message size and time limits.
    ///   - events: refusal / connection callbacks (for `peer.refused` / `peer.connected`).
    public init(
        material: PKI.NodeTLSMaterial,
        peers: Set<String>,
        handler: any PeerServiceHandler,
        host: String = "127.0.0.1",
        port: Int = 0,
        limits: PeerLimits = .defaults,
        events: PeerEventHandlers = .ignore,
        eventLoopGroup: MultiThreadedEventLoopGroup = .singletonMultiThreadedEventLoopGroup
    ) throws {
        let limits = try limits.validated()
        guard (0...65_535).contains(port) else {
            throw NetworkError(.invalidArgument, "port must be in 0…65535, got \(port)")
        }
        let identity = try material.identity()
        for peer in peers { try PKI.NodeIdentity.validate(peer, what: "peer name") }
        let sslContext: NIOSSLContext
        do {
            sslContext = try NIOSSLContext(configuration: NIOSSLMaterial.configuration(for: material, server: true))
        } catch let error as NetworkError {
            throw error
        } catch {
            throw NetworkError(.tlsConfiguration, "cannot build the server TLS context: \(error)")
        }
        let registry = PeerSessionRegistry()
        let verifier = PKI.PeerCertificateVerifier(
            consortium: identity.consortium,
            trustBundle: material.trustBundle,
            revocations: material.revocations,
            expectation: .anyOf(peers),
            presenterRole: .client
        )
        let factory = PeerListenerFactory(
            host: host,
            port: port,
            sslContext: sslContext,
            verifier: verifier,
            events: events,
            registry: registry,
            handshakeTimeout: TimeAmount(limits.handshakeTimeout),
            eventLoopGroup: eventLoopGroup
        )
        var config = HTTP2ServerTransport.Custom<PeerListenerFactory>.Config.defaults
        config.rpc.maxRequestPayloadSize = limits.maxMessageBytes
        config.http2.maxConcurrentStreams = limits.maxConcurrentStreams
        config.connection.maxIdleTime = limits.maxIdleTime
        let transport = HTTP2ServerTransport.Custom(listenerFactory: factory, config: config)

        self.identity = identity
        self.peers = peers
        self.host = host
        self.limits = limits
        self.registry = registry
        self.transport = transport
        self.grpcServer = GRPCServer(
            transport: transport,
            services: [PeerServiceAdapter(
                handler: handler, registry: registry, events: events, maxCallDuration: limits.callTimeout
            )]
        )
    }

    /// Binds and serves until the task is cancelled, ``beginGracefulShutdown()`` is called, or
    /// service-lifecycle graceful shutdown is triggered. Can be called once.
    public func run() async throws {
        let server = grpcServer
        do {
            try await withGracefulShutdownHandler {
                try await withTaskCancellationHandler {
                    try await server.serve()
                } onCancel: {
                    server.beginGracefulShutdown()
                }
            } onGracefulShutdown: {
                server.beginGracefulShutdown()
            }
        } catch {
            throw NetworkError(.serverFailure, "peer server on \(host) stopped: \(error)")
        }
    }

    /// Stops accepting connections and lets in-flight calls finish; ``run()`` then returns.
    public func beginGracefulShutdown() {
        grpcServer.beginGracefulShutdown()
    }

    /// The bound TCP port. Waits until ``run()`` has bound the socket; throws if binding failed
    /// or the server has stopped.
    public var listeningPort: Int {
        get async throws {
            guard let address = await transport.listeningAddress else {
                throw NetworkError(.serverFailure, "peer server is not listening (bind failed or stopped)")
            }
            if let v4 = address.ipv4 { return v4.port }
            if let v6 = address.ipv6 { return v6.port }
            throw NetworkError(.serverFailure, "peer server bound a non-IP address: \(address)")
        }
    }

    /// Number of currently open authenticated connections.
    public var authenticatedConnectionCount: Int { registry.count }
}
