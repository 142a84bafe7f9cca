import Foundation

/// A refused peer connection or call, reported so the node can audit it (`peer.refused`).
///
/// Refusals are values, not errors: the server and client report them through their
/// `onRefusal` callback (see ``PeerServer`` and ``PeerClient``) and carry on serving.
public struct PeerRefusal: Sendable, Hashable, CustomStringConvertible {
    /// Why the peer was refused.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The peer presented no certificate (e.g. a plain TLS client).
        case noCertificate = "no-certificate"
        /// The certificate does not chain to a CA in the trust bundle.
        case unknownAuthority = "unknown-authority"
        /// The certificate's `notAfter` has passed.
        case expired = "expired"
        /// The certificate's `notBefore` is in the future.
        case notYetValid = "not-yet-valid"
        /// The certificate (or its issuing CA) is in the revocation list.
        case revoked = "revoked"
        /// The certificate carries no (or several) `cohort://` identities, or another consortium's.
        case missingIdentity = "missing-identity"
        /// The certificate names a node that is not a configured peer.
        case unknownPeer = "unknown-peer"
        /// The certificate names another node than the one we meant to call (client side).
        case nameMismatch = "name-mismatch"
        /// The certificate is malformed or not usable for this role (key usage, CA flag).
        case badCertificate = "bad-certificate"
        /// The TLS handshake failed for another reason (protocol version, ALPN, garbage, timeout).
        case handshakeFailed = "handshake-failed"
        /// A call arrived on a connection without an authenticated peer identity.
        case unauthenticated = "unauthenticated"
    }

    /// Whether we were accepting (server) or making (client) the connection.
    public enum Direction: String, Sendable, Hashable {
        /// A peer connected to our server.
        case inbound
        /// We connected to a peer's server.
        case outbound
    }

    /// Remote address, e.g. `ipv4:127.0.0.1:50432` (inbound) or `127.0.0.1:7401` (outbound).
    public var peerAddress: String
    /// The node name the certificate claims (`cohort://…/<node>`), if one could be read.
    public var claimedName: String?
    /// Human-readable explanation (no secrets).
    public var reason: String
    /// Machine-readable reason.
    public var code: Code
    /// Inbound or outbound.
    public var direction: Direction
    /// SHA-256 fingerprint of the presented leaf certificate, if any.
    public var fingerprint: String?

    /// Creates a refusal record.
    public init(
        peerAddress: String, claimedName: String?, reason: String, code: Code,
        direction: Direction, fingerprint: String? = nil
    ) {
        self.peerAddress = peerAddress
        self.claimedName = claimedName
        self.reason = reason
        self.code = code
        self.direction = direction
        self.fingerprint = fingerprint
    }

    /// One-line summary.
    public var description: String {
        "peer refused (\(direction.rawValue) \(peerAddress), claimed \(claimedName ?? "-")): \(code.rawValue): \(reason)"
    }
}

/// A successfully authenticated peer connection (for `peer.connected` audit entries).
public struct PeerConnection: Sendable, Hashable {
    /// The authenticated peer node name.
    public var peer: String
    /// Remote address, as in ``PeerRefusal/peerAddress``.
    public var peerAddress: String
    /// Inbound or outbound.
    public var direction: PeerRefusal.Direction
    /// SHA-256 fingerprint of the peer's leaf certificate.
    public var fingerprint: String

    /// Creates a connection record.
    public init(peer: String, peerAddress: String, direction: PeerRefusal.Direction, fingerprint: String) {
        self.peer = peer
        self.peerAddress = peerAddress
        self.direction = direction
        self.fingerprint = fingerprint
    }
}

/// Receivers for peer security events.
///
/// `onRefusal` is invoked on NIO event loops or arbitrary tasks: it must be fast and
/// non-blocking (e.g. yield into an `AsyncStream` continuation). `onConnection` is awaited
/// before a connection is used — inbound, when the first call arrives on an authenticated
/// connection (a TLS handshake that never speaks gRPC is not reported; calls that arrive
/// while the first report is still under way report it too); outbound, while the server's
/// certificate is being verified — and if it throws, the call fails (inbound) or the
/// connection is dropped (outbound): a connection that cannot be recorded is not used.
public struct PeerEventHandlers: Sendable {
    /// Called once per refused connection or call.
    public var onRefusal: @Sendable (PeerRefusal) -> Void
    /// Called when an authenticated connection is first used (see the type's summary).
    public var onConnection: @Sendable (PeerConnection) async throws -> Void

    /// Creates handlers (both default to ignoring the event).
    public init(
        onRefusal: @escaping @Sendable (PeerRefusal) -> Void = { _ in },
        onConnection: @escaping @Sendable (PeerConnection) async throws -> Void = { _ in }
    ) {
        self.onRefusal = onRefusal
        self.onConnection = onConnection
    }

    /// Handlers that drop every event.
    public static let ignore = PeerEventHandlers()

    /// Handlers that yield refusals and connections into two new `AsyncStream`s.
    /// Finish the continuations (via the returned closure) when done.
    public static func streams() -> (
        handlers: PeerEventHandlers,
        refusals: AsyncStream<PeerRefusal>,
        connections: AsyncStream<PeerConnection>,
        finish: @Sendable () -> Void
    ) {
        let (refusals, refusalContinuation) = AsyncStream.makeStream(of: PeerRefusal.self)
        let (connections, connectionContinuation) = AsyncStream.makeStream(of: PeerConnection.self)
        let handlers = PeerEventHandlers(
            onRefusal: { refusalContinuation.yield($0) },
            onConnection: { connectionContinuation.yield($0) }
        )
        return (handlers, refusals, connections, {
            refusalContinuation.finish()
            connectionContinuation.finish()
        })
    }
}
