import Foundation
import NIOCore
import NIOSSL
import Synchronization
import X509

/// Per-connection security state shared by the TLS verification callback and the
/// ``PeerHandshakeObserver`` channel handler: verifies the peer certificate, registers the
/// authenticated session, and reports exactly one refusal per failed connection.
final class PeerConnectionGuard: Sendable {
    let address: String
    let direction: PeerRefusal.Direction
    private let verifier: PKI.PeerCertificateVerifier
    private let events: PeerEventHandlers
    private let registry: PeerSessionRegistry?
    private let reported = Mutex(false)
    private let authenticatedFlag = Mutex(false)

    /// Whether the peer's certificate was verified and accepted on this connection.
    var isAuthenticated: Bool { authenticatedFlag.withLock { $0 } }

    init(
        address: String, direction: PeerRefusal.Direction, verifier: PKI.PeerCertificateVerifier,
        events: PeerEventHandlers, registry: PeerSessionRegistry?
    ) {
        self.address = address
        self.direction = direction
        self.verifier = verifier
        self.events = events
        self.registry = registry
    }

    /// The swift-nio-ssl custom verification callback (with metadata): runs the
    /// ``PKI/PeerCertificateVerifier`` off the event loop and completes the promise.
    func verify(_ presented: [NIOSSLCertificate], promise: EventLoopPromise<NIOSSLVerificationResultWithMetadata>) {
        guard let chain = NIOSSLMaterial.parse(presented) else {
            refuse(PeerRefusal(
                peerAddress: address, claimedName: nil, reason: "peer certificate cannot be parsed",
                code: .badCertificate, direction: direction
            ))
            promise.succeed(.failed)
            return
        }
        let fingerprint = chain.first.flatMap { try? PKI.fingerprint(of: $0) }
        Task {
            let outcome = await verifier.verify(chain: chain)
            switch outcome {
            case .accepted(let identity, let validated):
                let nioChain = (try? NIOSSLMaterial.certificates(validated)) ?? []
                if let registry {
                    // Inbound: reported on the connection's first call (``PeerServiceAdapter``),
                    // so TLS handshakes that never speak gRPC leave no `peer.connected`.
                    registry.register(.init(peer: identity.node, fingerprint: fingerprint ?? ""), address: address)
                } else {
                    // Outbound: this node opens a connection only to make a call on it. A
                    // connection that cannot be recorded is dropped.
                    do {
                        try await events.onConnection(PeerConnection(
                            peer: identity.node, peerAddress: address, direction: direction,
                            fingerprint: fingerprint ?? ""
                        ))
                    } catch {
                        refuse(PeerRefusal(
                            peerAddress: address, claimedName: identity.node,
                            reason: "connection dropped: it could not be recorded in the audit log: \(error)",
                            code: .handshakeFailed, direction: direction, fingerprint: fingerprint
                        ))
                        promise.succeed(.failed)
                        return
                    }
                }
                authenticatedFlag.withLock { $0 = true }
                promise.succeed(.certificateVerified(VerificationMetadata(
                    nioChain.isEmpty ? nil : NIOSSL.ValidatedCertificateChain(nioChain)
                )))
            case .refused(let code, let reason, let claimed):
                refuse(PeerRefusal(
                    peerAddress: address, claimedName: claimed, reason: reason, code: code,
                    direction: direction, fingerprint: fingerprint
                ))
                promise.succeed(.failed)
            }
        }
    }

    /// Reports `refusal` unless this connection already reported one.
    func refuse(_ refusal: PeerRefusal) {
        let first = reported.withLock { already in
            defer { already = true }
            return !already
        }
        if first { events.onRefusal(refusal) }
    }

    /// Classifies a TLS handshake error that was not already reported by ``verify(_:promise:)``.
    func handshakeFailed(_ error: any Error) {
        let text = String(describing: error)
        let code: PeerRefusal.Code
        let reason: String
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") {
            code = .noCertificate
            reason = "peer presented no client certificate"
        } else if text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") {
            code = .handshakeFailed
            reason = "TLS version not supported (TLS 1.3 required)"
        } else if text.contains("NO_APPLICATION_PROTOCOL") || text.contains("ALPN") {
            code = .handshakeFailed
            reason = "no common application protocol (h2 required)"
        } else {
            code = .handshakeFailed
            reason = "TLS handshake failed: \(Self.shortReason(text))"
        }
        refuse(PeerRefusal(peerAddress: address, claimedName: nil, reason: reason, code: code, direction: direction))
    }

    func connectionClosed() {
        registry?.remove(address: address)
    }

    /// The BoringSSL reason token(s) of an error description, without file paths.
    static func shortReason(_ text: String) -> String {
        var tokens: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "OPENSSL_internal:") {
            let after = rest[range.upperBound...]
            let token = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !token.isEmpty { tokens.append(String(token)) }
            rest = after.dropFirst(token.count)
        }
        return tokens.isEmpty ? String(text.prefix(200)) : tokens.joined(separator: ", ")
    }
}

/// Sits right after the `NIOSSLHandler`: enforces the handshake timeout (a connection whose peer
/// has not been authenticated in time is closed), reports handshake failures (e.g. no client
/// certificate) and forgets the session when the connection closes.
final class PeerHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let guardian: PeerConnectionGuard
    private let handshakeTimeout: TimeAmount
    private var timeout: Scheduled<Void>?

    init(guardian: PeerConnectionGuard, handshakeTimeout: TimeAmount) {
        self.guardian = guardian
        self.handshakeTimeout = handshakeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armTimeout(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimeout(context: context)
        context.fireChannelActive()
    }

    private func armTimeout(context: ChannelHandlerContext) {
        guard timeout == nil, !guardian.isAuthenticated else { return }
        let guardian = self.guardian
        let channel = context.channel
        let seconds = Double(handshakeTimeout.nanoseconds) / 1e9
        timeout = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            guard !guardian.isAuthenticated else { return }
            guardian.refuse(PeerRefusal(
                peerAddress: guardian.address, claimedName: nil,
                reason: "TLS handshake not completed within \(seconds) s",
                code: .handshakeFailed, direction: guardian.direction
            ))
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !guardian.isAuthenticated {
            guardian.handshakeFailed(error)
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        guardian.connectionClosed()
        context.fireChannelInactive()
    }
}
