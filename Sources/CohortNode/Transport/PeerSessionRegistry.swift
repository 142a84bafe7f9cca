import NIOCore
import Synchronization

/// Authenticated peers by remote address (`ipv4:127.0.0.1:50432`), filled in by the TLS
/// verification callback and consulted by every call. O(1) per operation.
final class PeerSessionRegistry: Sendable {
    struct Session: Sendable, Hashable {
        var peer: String
        var fingerprint: String
    }

    private let sessions = Mutex<[String: Session]>([:])

    func register(_ session: Session, address: String) {
        sessions.withLock { $0[address] = session }
    }

    func remove(address: String) {
        _ = sessions.withLock { $0.removeValue(forKey: address) }
    }

    func session(for address: String) -> Session? {
        sessions.withLock { $0[address] }
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
