import CohortWire
import CohortNetTestSupport
import CohortTestSupport
import CohortNet
import CohortNode
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Issue 10, defect 12: outbound connections must insist on TLS 1.3, as inbound ones do.
@Suite("Transport: TLS version of outbound connections")
struct TransportTLSVersionTests {
    /// Notes whether decrypted application data arrived, i.e. the client completed the TLS
    /// handshake and went on to speak (a gRPC client sends the HTTP/2 preface at once).
    final class ApplicationDataWatcher: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: SharedFlag

        init(received: SharedFlag) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received.set()
            context.fireChannelRead(data)
        }
    }

    /// A TLS-1.2-only server on 127.0.0.1 (port chosen at run time) presenting `material`'s
    /// genuine certificate, around `body`.
    static func withTLS12Server<R: Sendable>(
        material: PKI.NodeTLSMaterial, _ body: (_ port: Int, _ clientSpoke: SharedFlag) async throws -> R
    ) async throws -> R {
        let chain = try material.credentials.chain.map {
            NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: PKI.derBytes(of: $0), format: .der))
        }
        let key = try NIOSSLPrivateKey(bytes: Array(material.credentials.privateKeyPEM().utf8), format: .pem)
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        config.minimumTLSVersion = .tlsv12
        config.maximumTLSVersion = .tlsv12
        config.certificateVerification = .none
        config.applicationProtocols = ["grpc-exp", "h2"]
        let context = try NIOSSLContext(configuration: config)
        let clientSpoke = SharedFlag()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(ApplicationDataWatcher(received: clientSpoke))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let port = try #require(channel.localAddress?.port)
            let result = try await body(port, clientSpoke)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    @Test("outbound TLS 1.2 refused: the client does not complete a handshake with a TLS-1.2-only server")
    func outboundTLS12Refused() async throws {
        let pki = try PKI.TestPKI(consortium: "test")
        let alpha = try pki.material(for: "alpha")
        let beta = try pki.material(for: "beta")
        let events = PeerEventLog()
        try await Self.withTLS12Server(material: alpha) { port, clientSpoke in
            await #expect(throws: (any Error).self) {
                try await PeerClient.withConnection(
                    to: "alpha", host: "127.0.0.1", port: port, material: beta, limits: TransportHarness.testLimits,
                    events: events.handlers
                ) { client in
                    try await client.hello(TransportHarness.hello(from: "beta")).node
                }
            }
            // The server offers TLS 1.2 only, with alpha's genuine certificate: a client that
            // accepts TLS 1.2 completes the handshake and sends its HTTP/2 preface over it.
            #expect(!clientSpoke.isSet, "the client completed a TLS 1.2 handshake and sent data over it")
            let refusal = await events.waitForRefusal { $0.direction == .outbound }
            #expect(refusal?.code == .handshakeFailed)
            #expect(refusal?.reason.contains("TLS 1.3") == true, "\(refusal?.reason ?? "no refusal")")
            #expect(events.connections.isEmpty)
        }
    }

    @Test("outbound TLS 1.3 to a genuine peer still works")
    func outboundTLS13Works() async throws {
        let pki = try PKI.TestPKI(consortium: "test")
        let handler = RecordingPeerHandler(name: "alpha")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, _ in
            let events = PeerEventLog()
            let node = try await PeerClient.withConnection(
                to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"),
                limits: TransportHarness.testLimits, events: events.handlers
            ) { client in
                try await client.hello(TransportHarness.hello(from: "beta")).node
            }
            #expect(node == "alpha")
            #expect(events.refusals.isEmpty)
            #expect(events.connections.map(\.direction) == [.outbound])
        }
    }
}
