public import CohortNet
public import CohortAudit
public import Foundation
public import Logging

/// Writes a running node's `peer.refused` and `peer.connected` audit entries without letting the
/// network flood the log.
///
/// Refusals are keyed by direction, source (the remote host without its port, or the configured
/// peer address when outbound) and refusal code; connections by direction and peer. The first
/// event of a key in each window is recorded in full; later ones in the window are counted and
/// recorded as one entry with `count`, `first_seen`, `last_seen` and `window_seconds` when the
/// window is over (``flush()``, or the key's next event) and at shutdown (``drain()``). At most
/// ``Settings/maxSources`` keys of each kind are tracked; events of further keys are counted
/// together (`address` `*`). Memory O(`maxSources` + `queueLimit`).
///
/// ```swift
/// let auditor = PeerEventAuditor(audit: log, logger: logger)
/// let server = try PeerServer(material: tls, peers: peers, handler: handler, events: auditor.handlers())
/// async let writing: Void = auditor.run()   // writes queued refusals
/// ```
public actor PeerEventAuditor {
    /// Windows and bounds.
    public struct Settings: Sendable, Hashable {
        /// Length of a counting window, seconds. Default 60.
        public var window: TimeInterval
        /// Most sources (refusals) and peers (connections) tracked separately. Default 1,024.
        public var maxSources: Int
        /// Most refusals waiting to be written; older ones are dropped beyond it. Default 10,000.
        public var queueLimit: Int

        /// Creates settings.
        public init(window: TimeInterval = 60, maxSources: Int = 1_024, queueLimit: Int = 10_000) {
            self.window = window
            self.maxSources = maxSources
            self.queueLimit = queueLimit
        }

        /// The defaults (60 s, 1,024 sources, 10,000 queued refusals).
        public static let defaults = Settings()
    }

    struct RefusalKey: Hashable, Sendable {
        var direction: PeerRefusal.Direction
        var source: String
        var code: PeerRefusal.Code
    }

    struct ConnectionKey: Hashable, Sendable {
        var direction: PeerRefusal.Direction
        var peer: String
    }

    private let audit: any AuditRecording
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let window: TimeInterval
    private var refusals: AuditThrottle<RefusalKey>
    private var connections: AuditThrottle<ConnectionKey>
    private nonisolated let intake: AsyncStream<PeerRefusal>
    private nonisolated let intakeSink: AsyncStream<PeerRefusal>.Continuation

    /// Creates an auditor writing to `audit`.
    /// - Parameter clock: the current time (injectable for tests).
    public init(
        audit: any AuditRecording, settings: Settings = .defaults, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.audit = audit
        self.logger = logger
        self.clock = clock
        let refusals = AuditThrottle<RefusalKey>(window: settings.window, maxKeys: settings.maxSources)
        self.window = refusals.window
        self.refusals = refusals
        self.connections = AuditThrottle(window: settings.window, maxKeys: settings.maxSources)
        (intake, intakeSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(max(1, settings.queueLimit)))
    }

    /// Handlers for ``PeerServer`` and ``PeerClient``: a refusal is passed to `onRefusal` (e.g.
    /// to count it) and queued for ``run()``; a connection is recorded by ``connected(_:)``
    /// before it is used.
    public nonisolated func handlers(
        onRefusal: @escaping @Sendable (PeerRefusal) -> Void = { _ in }
    ) -> PeerEventHandlers {
        let sink = intakeSink
        return PeerEventHandlers(
            onRefusal: { refusal in
                onRefusal(refusal)
                sink.yield(refusal)
            },
            onConnection: { connection in try await self.connected(connection) })
    }

    /// Writes queued refusals until ``finishIntake()`` is called (after the queue is empty) or the
    /// task is cancelled. A refusal that cannot be written is logged as an error.
    public func run() async {
        for await refusal in intake {
            do {
                try await refused(refusal)
            } catch {
                logger.error("cannot record a peer refusal in the audit log", metadata: [
                    "refusal": "\(refusal)", "error": "\(error)"])
            }
        }
    }

    /// Accepts no more refusals; ``run()`` returns once the queued ones are written.
    public nonisolated func finishIntake() {
        intakeSink.finish()
    }

    /// Records `refusal` in full, or counts it if its source already had one with the same code
    /// in the current window.
    /// - Throws: when the audit append fails.
    public func refused(_ refusal: PeerRefusal) async throws {
        let key = RefusalKey(
            direction: refusal.direction, source: Self.source(of: refusal.peerAddress, refusal.direction),
            code: refusal.code)
        let (admission, ended) = refusals.admit(key, now: clock())
        if let ended { try await recordRefusals([ended]) }
        guard admission == .record else {
            logger.debug("peer refused (counted)", metadata: ["reason": "\(refusal)"])
            return
        }
        logger.warning("peer refused", metadata: ["reason": "\(refusal)"])
        _ = try await audit.record(.peerRefused(
            address: refusal.peerAddress, claimedName: refusal.claimedName ?? "", code: refusal.code.rawValue,
            reason: refusal.reason, direction: refusal.direction.rawValue, fingerprint: refusal.fingerprint ?? ""))
    }

    /// Records `connection` in full, or counts it if its peer already had one in the current
    /// window (same direction).
    /// - Throws: when the audit append fails (the connection must then not be used).
    public func connected(_ connection: PeerConnection) async throws {
        let key = ConnectionKey(direction: connection.direction, peer: connection.peer)
        let (admission, ended) = connections.admit(key, now: clock())
        if let ended { try await recordConnections([ended]) }
        guard admission == .record else { return }
        _ = try await audit.record(.peerConnected(
            peer: connection.peer, address: connection.peerAddress, direction: connection.direction.rawValue,
            fingerprint: connection.fingerprint))
    }

    /// Records the counts of every window that is over. Call every few seconds.
    /// - Throws: when an audit append fails.
    public func flush() async throws {
        let now = clock()
        try await recordRefusals(refusals.due(now: now))
        try await recordConnections(connections.due(now: now))
    }

    /// Records every pending count (at shutdown).
    /// - Throws: when an audit append fails.
    public func drain() async throws {
        try await recordRefusals(refusals.drain())
        try await recordConnections(connections.drain())
    }

    private func recordRefusals(_ summaries: [AuditThrottle<RefusalKey>.Summary]) async throws {
        for summary in summaries {
            let source = summary.key?.source ?? "*"
            let code = summary.key?.code.rawValue ?? "*"
            let reason = summary.key == nil
                ? "\(summary.count) further refusals from sources beyond the tracking limit were counted, not recorded one by one"
                : "\(summary.count) further refusals (\(code)) from \(source) were counted, not recorded one by one"
            _ = try await audit.record(.peerRefused(
                address: source, claimedName: "", code: code, reason: reason,
                direction: summary.key?.direction.rawValue ?? "*", fingerprint: "", summary: counted(summary)))
        }
    }

    private func recordConnections(_ summaries: [AuditThrottle<ConnectionKey>.Summary]) async throws {
        for summary in summaries {
            _ = try await audit.record(.peerConnected(
                peer: summary.key?.peer ?? "system", address: "*", direction: summary.key?.direction.rawValue ?? "*",
                fingerprint: "", summary: counted(summary)))
        }
    }

    private func counted<Key>(_ summary: AuditThrottle<Key>.Summary) -> Audit.EventCount {
        Audit.EventCount(
            count: summary.count, firstSeen: Self.timestamp(summary.firstSeen), lastSeen: Self.timestamp(summary.lastSeen),
            windowSeconds: Int(window.rounded(.up)))
    }

    /// The source of an address: inbound `ipv4:10.0.0.7:50432` → `ipv4:10.0.0.7` (the port
    /// changes with every connection); outbound addresses are the configured `host:port`.
    static func source(of address: String, _ direction: PeerRefusal.Direction) -> String {
        guard direction == .inbound, address.hasPrefix("ipv4:") || address.hasPrefix("ipv6:"),
              let colon = address.lastIndex(of: ":"), colon > address.index(address.startIndex, offsetBy: 4)
        else { return address }
        return String(address[..<colon])
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
