import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix
import NIOSSL

/// Binds the peer listener and sets up each accepted connection: TLS 1.3 with a required,
/// custom-verified client certificate (one ``PeerConnectionGuard`` per connection, so refusals
/// carry the remote address), the ``PeerHandshakeObserver``, then gRPC's HTTP/2 pipeline.
struct PeerListenerFactory: HTTP2ServerTransport.ListenerFactory {
    let host: String
    let port: Int
    let sslContext: NIOSSLContext
    let verifier: PKI.PeerCertificateVerifier
    let events: PeerEventHandlers
    let registry: PeerSessionRegistry
    let handshakeTimeout: TimeAmount
    let eventLoopGroup: any EventLoopGroup

    func makeListeningChannel(
        listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
        connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
    ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
        let sslContext = self.sslContext
        let verifier = self.verifier
        let events = self.events
        let registry = self.registry
        let handshakeTimeout = self.handshakeTimeout
        return try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                listenerConfigurator.configure(channel: channel)
            }
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let guardian = PeerConnectionGuard(
                        address: PeerSessionRegistry.format(channel.remoteAddress),
                        direction: .inbound,
                        verifier: verifier,
                        events: events,
                        registry: registry
                    )
                    let ssl = NIOSSLServerHandler(
                        context: sslContext,
                        customVerificationCallbackWithMetadata: { certificates, promise in
                            guardian.verify(certificates, promise: promise)
                        }
                    )
                    try channel.pipeline.syncOperations.addHandler(ssl)
                    try channel.pipeline.syncOperations.addHandler(
                        PeerHandshakeObserver(guardian: guardian, handshakeTimeout: handshakeTimeout)
                    )
                }.flatMap {
                    connectionConfigurator.configure(channel: channel, tls: .configured(requireALPN: true))
                }
            }
    }
}
