/// Size and time limits for peer connections and calls.
public struct PeerLimits: Sendable, Hashable {
    /// Largest accepted message (request on the server, response on the client), in bytes.
    /// Default 16 MiB.
    public var maxMessageBytes: Int
    /// Deadline of every client call, and the longest a server handler may run for one call
    /// (whatever deadline the caller sent). Default 30 s.
    public var callTimeout: Duration
    /// Time a new inbound connection gets to complete the TLS handshake. Default 10 s.
    public var handshakeTimeout: Duration
    /// Maximum concurrent calls (HTTP/2 streams) per connection. Default 32.
    public var maxConcurrentStreams: Int
    /// Inbound connections idle this long are closed. Default 5 min.
    public var maxIdleTime: Duration

    /// Creates limits.
    public init(
        maxMessageBytes: Int = 16 << 20,
        callTimeout: Duration = .seconds(30),
        handshakeTimeout: Duration = .seconds(10),
        maxConcurrentStreams: Int = 32,
        maxIdleTime: Duration = .seconds(300)
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.callTimeout = callTimeout
        self.handshakeTimeout = handshakeTimeout
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxIdleTime = maxIdleTime
    }

    /// The defaults (16 MiB, 30 s calls, 10 s handshakes, 32 streams, 5 min idle).
    public static let defaults = PeerLimits()

    func validated() throws -> PeerLimits {
        guard maxMessageBytes > 0, maxMessageBytes <= 1 << 30 else {
            throw NetworkError(.invalidArgument, "maxMessageBytes must be in 1…1 GiB, got \(maxMessageBytes)")
        }
        guard callTimeout > .zero, handshakeTimeout > .zero, maxIdleTime > .zero else {
            throw NetworkError(.invalidArgument, "timeouts must be positive")
        }
        guard maxConcurrentStreams > 0 else {
            throw NetworkError(.invalidArgument, "maxConcurrentStreams must be positive, got \(maxConcurrentStreams)")
        }
        return self
    }
}
