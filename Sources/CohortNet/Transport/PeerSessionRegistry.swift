import NIOCore
import Synchronization

/// Authenticated peers by remote address (`ipv4:127.0.0.1:50432`), filled in by the TLS
/// verification callback and consulted by every call. O(1) per operation.
///
/// A session also remembers whether its connection has been recorded (`peer.connected`), which
/// happens when the first call arrives (``markRecorded(address:)``), not for TLS handshakes that
/// never speak gRPC.
final class PeerSessionRegistry: Sendable {
    struct Session: Sendable, Hashable {
        var peer: String
        var fingerprint: String
    }

    private struct Entry {
        var session: Session
        var recorded: Bool
    }

    private let sessions = Mutex<[String: Entry]>([:])

    func register(_ session: Session, address: String) {
        sessions.withLock { $0[address] = Entry(session: session, recorded: false) }
    }

    /// The session of `address` and whether its connection has been recorded yet.
    func lookup(address: String) -> (session: Session, recorded: Bool)? {
        sessions.withLock { sessions in sessions[address].map { ($0.session, $0.recorded) } }
    }

    /// Notes that the connection of `address` has been recorded: later calls on it are served
    /// without recording it again.
    func markRecorded(address: String) {
        sessions.withLock { $0[address]?.recorded = true }
    }

    func remove(address: String) {
        _ = sessions.withLock { $0.removeValue(forKey: address) }
    }

    var count: Int { sessions.withLock { $0.count } }

    /// The address format grpc-swift-nio-transport uses for `ServerContext.remotePeer`.
    static func format(_ address: NIOCore.SocketAddress?) -> String {
        guard let address else { return "<unknown>" }
        switch address {
        case .v4(let v4):
            return "ipv4:\(v4.host):\(address.port ?? 0)"
        case .v6(let v6):
            return "ipv6:[\(v6.host)]:\(address.port ?? 0)"
        case .unixDomainSocket:
            return "unix:\(address.pathname ?? "<unknown>")"
        }
    }
}
