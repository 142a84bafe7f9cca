import Synchronization

/// One open mutual-TLS connection per peer, reused by every call to that peer until the pool
/// closes.
///
/// Opening a connection per call costs a TCP connect, a TLS 1.3 handshake with certificate
/// verification and a graceful shutdown after the call, which a multi-round study pays for every
/// participant in every round. The pool keeps each peer's ``PeerClient``
/// running (its connection task is owned by the pool) and hands it out to every caller.
///
/// A client whose call fails is evicted (``evict(_:)``) and closed, so the next call opens a
/// fresh connection: a peer that restarted is reached again at once, never after the client's
/// reconnect back-off. Verification is unchanged: every new connection verifies the peer's
/// certificate as ``PeerClient`` always does.
///
/// ```swift
/// let pool = PeerConnectionPool()
/// let beta = try pool.client(for: "beta") { try PeerClient(peer: "beta", host: h, port: p, material: tls) }
/// _ = try await beta.hello(request)
/// await pool.close()
/// ```
public final class PeerConnectionPool: Sendable {
    private struct Entry {
        let client: PeerClient
        let connection: Task<Void, Never>
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// Creates an empty pool.
    public init() {}

    /// The open client for `peer`, or a new one made by `make` and started.
    /// - Throws: `NetworkError(.invalidArgument)` once the pool is closed; whatever `make` throws.
    public func client(for peer: String, make: () throws -> PeerClient) throws -> PeerClient {
        try state.withLock { state in
            guard !state.closed else {
                throw NetworkError(.invalidArgument, "the connection pool is closed; no new call to \(peer)")
            }
            if let entry = state.entries[peer] { return entry.client }
            let client = try make()
            let connection = Task<Void, Never> { _ = try? await client.run() }
            state.entries[peer] = Entry(client: client, connection: connection)
            return client
        }
    }

    /// Closes and forgets `client` if it is still the pool's client for its peer (another
    /// caller may already have replaced it).
    public func evict(_ client: PeerClient) {
        let evicted: Entry? = state.withLock { state in
            guard let entry = state.entries[client.peer], entry.client === client else { return nil }
            state.entries[client.peer] = nil
            return entry
        }
        evicted?.client.close()
    }

    /// The peers with an open client, sorted.
    public var openPeers: [String] {
        state.withLock { $0.entries.keys.sorted() }
    }

    /// Closes every client (in-flight calls finish) and waits for their connections to end.
    /// Later ``client(for:make:)`` calls throw.
    public func close() async {
        let entries: [Entry] = state.withLock { state in
            state.closed = true
            defer { state.entries = [:] }
            return Array(state.entries.values)
        }
        for entry in entries { entry.client.close() }
        for entry in entries { await entry.connection.value }
    }
}
