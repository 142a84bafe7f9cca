public import CohortWire
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
public import NIOPosix
import NIOSSL

/// A connection to one named peer: mutual TLS 1.3 (only) with this node's certificate, and the
/// server's certificate must identify exactly `peer` (same consortium, trusted CA, valid, not
/// revoked). A server that does not speak TLS 1.3 is refused (code `handshake-failed`).
///
/// Every call has a deadline (``PeerLimits/callTimeout``, status `deadlineExceeded`) and a
/// response size limit (``PeerLimits/maxMessageBytes``, status `resourceExhausted`). A request
/// the server finds too large is reset by the server (status `unavailable` or
/// `resourceExhausted`). A server that fails verification is reported through
/// ``PeerEventHandlers/onRefusal`` (direction `outbound`) and the call fails with an `RPCError`
/// (typically `unavailable`).
///
/// Run the connection with ``run()`` (or use ``withConnection(to:host:port:material:limits:events:_:)``):
/// ```swift
/// try await PeerClient.withConnection(to: "beta", host: "127.0.0.1", port: 7401, material: tls) { beta in
///     let reply = try await beta.hello(request)
/// }
/// ```
public final class PeerClient: Sendable {
    /// The peer this client talks to.
    public let peer: String
    /// `host:port` of the peer.
    public let address: String
    /// Limits in force.
    public let limits: PeerLimits

    private let grpcClient: GRPCClient<HTTP2ClientTransport.Posix>
    private let stub: Cohort_Peer_V1_PeerService.Client<HTTP2ClientTransport.Posix>

    /// Creates a client for `peer` at `host:port` (connections start with ``run()``).
    /// - Parameters:
    ///   - peer: the node name the server's certificate must carry.
    ///   - host: IPv4 address (e.g. `127.0.0.1`) or DNS name of the peer.
    ///   - material: this node's credentials, trust bundle and revocation list.
    public init(
        peer: String,
        host: String,
        port: Int,
        material: PKI.NodeTLSMaterial,
        limits: PeerLimits = .defaults,
        events: PeerEventHandlers = .ignore,
        eventLoopGroup: MultiThreadedEventLoopGroup = .singletonMultiThreadedEventLoopGroup
    ) throws {
        try PKI.NodeIdentity.validate(peer, what: "peer name")
        guard (1...65_535).contains(port) else {
            throw NetworkError(.invalidArgument, "peer port must be in 1…65535, got \(port)")
        }
        let limits = try limits.validated()
        let identity = try material.identity()
        let address = "\(host):\(port)"
        let verifier = PKI.PeerCertificateVerifier(
            consortium: identity.consortium,
            trustBundle: material.trustBundle,
            revocations: material.revocations,
            expectation: .exactly(peer),
            presenterRole: .server
        )
        // TLS 1.3 only, our identity, the trust bundle and the custom verifier. The transport's own
        // TLS option keeps grpc-swift's minimum of TLS 1.2 and cannot be changed, so the
        // connection is secured with `.customSecure` and our own handler (added first in the
        // pipeline of every new connection, before gRPC's HTTP/2 handlers).
        let sslContext: NIOSSLContext
        do {
            sslContext = try NIOSSLContext(configuration: NIOSSLMaterial.configuration(for: material, server: false))
        } catch let error as NetworkError {
            throw error
        } catch {
            throw NetworkError(.tlsConfiguration, "cannot build the client TLS context for \(peer): \(error)")
        }
        let serverHostname: String? = Self.isIPv4(host) || host.contains(":") ? nil : host
        let handshakeTimeout = TimeAmount(limits.handshakeTimeout)
        var config = HTTP2ClientTransport.Posix.Config.defaults
        config.connection.maxIdleTime = limits.maxIdleTime
        config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
            channel.eventLoop.makeCompletedFuture {
                // One guard per connection attempt: each failed attempt is reported once.
                let guardian = PeerConnectionGuard(
                    address: address, direction: .outbound, verifier: verifier, events: events, registry: nil
                )
                let ssl = try NIOSSLClientHandler(
                    context: sslContext, serverHostname: serverHostname,
                    customVerificationCallbackWithMetadata: { certificates, promise in
                        guardian.verify(certificates, promise: promise)
                    }
                )
                try channel.pipeline.syncOperations.addHandler(ssl, position: .first)
                try channel.pipeline.syncOperations.addHandler(
                    PeerHandshakeObserver(guardian: guardian, handshakeTimeout: handshakeTimeout),
                    position: .after(ssl)
                )
            }
        }
        let security = HTTP2ClientTransport.Posix.TransportSecurity.customSecure
        let target: any ResolvableTarget = Self.isIPv4(host)
            ? ResolvableTargets.IPv4.ipv4(address: host, port: port)
            : ResolvableTargets.DNS(host: host, port: port)
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: target, transportSecurity: security, config: config, eventLoopGroup: eventLoopGroup
            )
        } catch {
            throw NetworkError(.tlsConfiguration, "cannot set up the connection to \(peer) at \(address): \(error)")
        }
        self.peer = peer
        self.address = address
        self.limits = limits
        self.grpcClient = GRPCClient(transport: transport)
        self.stub = Cohort_Peer_V1_PeerService.Client(wrapping: grpcClient)
    }

    /// Maintains the connection until ``close()`` is called or the task is cancelled.
    public func run() async throws {
        let client = grpcClient
        try await withTaskCancellationHandler {
            try await client.runConnections()
        } onCancel: {
            client.beginGracefulShutdown()
        }
    }

    /// Stops the client: in-flight calls finish, new calls fail, ``run()`` returns.
    public func close() {
        grpcClient.beginGracefulShutdown()
    }

    /// Creates a client, runs it for the duration of `body`, then closes it.
    public static func withConnection<Result: Sendable>(
        to peer: String,
        host: String,
        port: Int,
        material: PKI.NodeTLSMaterial,
        limits: PeerLimits = .defaults,
        events: PeerEventHandlers = .ignore,
        _ body: (PeerClient) async throws -> Result
    ) async throws -> Result {
        let client = try PeerClient(peer: peer, host: host, port: port, material: material, limits: limits, events: events)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            do {
                let result = try await body(client)
                client.close()
                try await group.waitForAll()
                return result
            } catch {
                client.close()
                group.cancelAll()
                throw error
            }
        }
    }

    /// Call options: the deadline and the size limits of ``limits``.
    var callOptions: CallOptions {
        var options = CallOptions.defaults
        options.timeout = limits.callTimeout
        options.maxRequestMessageBytes = limits.maxMessageBytes
        options.maxResponseMessageBytes = limits.maxMessageBytes
        options.waitForReady = false
        return options
    }

    /// `Hello`.
    public func hello(_ request: Cohort_Peer_V1_HelloRequest) async throws -> Cohort_Peer_V1_HelloResponse {
        try await Self.clarifyingErrors { try await stub.hello(request, options: callOptions) }
    }

    /// `ProposeStudy`.
    public func proposeStudy(
        _ request: Cohort_Peer_V1_ProposeStudyRequest
    ) async throws -> Cohort_Peer_V1_ProposeStudyResponse {
        try await Self.clarifyingErrors { try await stub.proposeStudy(request, options: callOptions) }
    }

    /// `RequestContribution`.
    public func requestContribution(
        _ request: Cohort_Peer_V1_ContributionRequest
    ) async throws -> Cohort_Peer_V1_ContributionResponse {
        try await Self.clarifyingErrors { try await stub.requestContribution(request, options: callOptions) }
    }

    /// `PublishResult`.
    public func publishResult(
        _ request: Cohort_Peer_V1_PublishResultRequest
    ) async throws -> Cohort_Peer_V1_PublishResultResponse {
        try await Self.clarifyingErrors { try await stub.publishResult(request, options: callOptions) }
    }

    /// `AbortStudy`.
    public func abortStudy(
        _ request: Cohort_Peer_V1_AbortStudyRequest
    ) async throws -> Cohort_Peer_V1_AbortStudyResponse {
        try await Self.clarifyingErrors { try await stub.abortStudy(request, options: callOptions) }
    }

    /// `StudyProgress`.
    public func studyProgress(
        _ request: Cohort_Peer_V1_StudyProgressRequest
    ) async throws -> Cohort_Peer_V1_StudyProgressResponse {
        try await Self.clarifyingErrors { try await stub.studyProgress(request, options: callOptions) }
    }

    /// `AdvertiseKeys`.
    public func advertiseKeys(
        _ request: Cohort_Peer_V1_AdvertiseKeysRequest
    ) async throws -> Cohort_Peer_V1_AdvertiseKeysResponse {
        try await Self.clarifyingErrors { try await stub.advertiseKeys(request, options: callOptions) }
    }

    /// `ShareKeys`.
    public func shareKeys(
        _ request: Cohort_Peer_V1_ShareKeysRequest
    ) async throws -> Cohort_Peer_V1_ShareKeysResponse {
        try await Self.clarifyingErrors { try await stub.shareKeys(request, options: callOptions) }
    }

    /// `SubmitMaskedInput`.
    public func submitMaskedInput(
        _ request: Cohort_Peer_V1_MaskedInputRequest
    ) async throws -> Cohort_Peer_V1_MaskedInputResponse {
        try await Self.clarifyingErrors { try await stub.submitMaskedInput(request, options: callOptions) }
    }

    /// `Unmask`.
    public func unmask(
        _ request: Cohort_Peer_V1_UnmaskRequest
    ) async throws -> Cohort_Peer_V1_UnmaskResponse {
        try await Self.clarifyingErrors { try await stub.unmask(request, options: callOptions) }
    }

    /// `CosignCheckpoint`.
    public func cosignCheckpoint(_ request: Cohort_Peer_V1_CosignRequest) async throws -> Cohort_Peer_V1_CosignResponse {
        try await Self.clarifyingErrors { try await stub.cosignCheckpoint(request, options: callOptions) }
    }

    /// Rethrows `RPCError`s, turning the transport's "failed to decode … exceeded the configured
    /// maximum payload size" (status `internalError`) into `resourceExhausted`.
    static func clarifyingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RPCError
            where error.code == .internalError && error.message.contains("maximum payload size") {
            throw RPCError(code: .resourceExhausted, message: "response too large: \(error.message)")
        }
    }

    static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
