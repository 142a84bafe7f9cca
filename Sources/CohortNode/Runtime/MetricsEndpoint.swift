public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text format) over plain HTTP/1.1 on a local address.
///
/// Bind it to loopback: the figures are operational, not private, but the endpoint has no
/// authentication. Runs until its task is cancelled or graceful shutdown is triggered.
public struct MetricsEndpoint: Service {
    /// Host to bind, e.g. `127.0.0.1`.
    public var host: String
    /// Port to bind; 0 picks a free one (reported through `onBound`).
    public var port: Int
    /// The metrics to render.
    public var metrics: NodeMetrics
    /// Called once with the bound port.
    public var onBound: @Sendable (Int) -> Void
    /// Logger for lifecycle messages.
    public var logger: Logger

    /// Creates the endpoint.
    public init(
        host: String, port: Int, metrics: NodeMetrics, logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
        self.onBound = onBound
    }

    /// Serves until cancelled or shut down gracefully.
    public func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let boundPort = server.channel.localAddress?.port ?? port
        logger.info("metrics endpoint listening", metadata: ["address": "\(host):\(boundPort)"])
        onBound(boundPort)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let h): head = h
                    case .body: continue
                    case .end:
                        guard let request = head else { return }
                        let (status, body): (HTTPResponseStatus, [UInt8]) =
                            request.method == .GET && (request.uri == "/metrics" || request.uri.hasPrefix("/metrics?"))
                            ? (.ok, metrics.render())
                            : (.notFound, Array("not found: only GET /metrics is served\n".utf8))
                        var headers = HTTPHeaders()
                        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
                        headers.add(name: "Content-Length", value: String(body.count))
                        headers.add(name: "Connection", value: "close")
                        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                        try await outbound.write(.end(nil))
                        return
                    }
                }
            }
        } catch {
            logger.debug("metrics connection ended with error", metadata: ["error": "\(error)"])
        }
    }
}
