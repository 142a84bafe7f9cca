import CohortNetTestSupport
import CohortTestSupport
import CohortNet
import CohortAudit
import CohortNode
import Foundation
import Logging
import Testing

/// Issue 10, defect 13 (network side): connections that never speak gRPC must not flood the
/// audit log, and refusals are counted per source instead of being logged one by one.
@Suite("Transport: audit log flooding from the network")
struct TransportAuditFloodTests {
    static let rawConnections = 100
    static let silentHandshakes = 100

    /// Runs a peer server for alpha (allowing beta) whose events go to a ``PeerEventAuditor``
    /// over `audit` and to an event log; shuts everything down and drains the auditor.
    static func withAuditedServer(
        pki: PKI.TestPKI, audit: MemoryAudit, clock: ManualClock,
        _ body: (_ port: Int, _ events: PeerEventLog) async throws -> Void
    ) async throws -> PeerEventLog {
        let auditor = PeerEventAuditor(
            audit: audit, settings: .init(window: 60, maxSources: 8), logger: Logger(label: "test.audit-flood"),
            clock: clock.closure)
        let log = PeerEventLog()
        let audited = auditor.handlers()
        let handlers = PeerEventHandlers(
            onRefusal: { refusal in
                log.handlers.onRefusal(refusal)
                audited.onRefusal(refusal)
            },
            onConnection: { connection in
                try await log.handlers.onConnection(connection)
                try await audited.onConnection(connection)
            })
        let server = try PeerServer(
            material: try pki.material(for: "alpha"), peers: ["beta"], handler: RecordingPeerHandler(name: "alpha"),
            limits: TransportHarness.testLimits, events: handlers)
        let writer = Task { await auditor.run() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let port = try await server.listeningPort
                try await body(port, log)
                server.beginGracefulShutdown()
                try await group.waitForAll()
            } catch {
                server.beginGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
        auditor.finishIntake()
        await writer.value
        try await auditor.drain()
        return log
    }

    @Test("network audit flood: raw TCP connections and TLS handshakes that never speak gRPC add a bounded number of entries")
    func connectionsThatNeverSpeakGRPCAddBoundedAuditEntries() async throws {
        let pki = try PKI.TestPKI(consortium: "test")
        let audit = MemoryAudit()
        let clock = ManualClock()
        let beta = try pki.material(for: "beta")
        var connectionsAfterHandshakes = -1
        let log = try await Self.withAuditedServer(pki: pki, audit: audit, clock: clock) { port, events in
            for _ in 0..<Self.rawConnections {
                _ = try await PlainTCP.sendAndAwaitClose(
                    port: port, bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), timeout: .seconds(5))
            }
            // Genuine peer certificate, completed TLS 1.3 handshake, but no gRPC call.
            for _ in 0..<Self.silentHandshakes {
                _ = try await RawTLSClient.exchange(
                    port: port, material: beta, initial: [], timeout: .seconds(5), isDone: { !$0.isEmpty })
            }
            for _ in 0..<200 where events.refusals.count < Self.rawConnections {
                try await Task.sleep(for: .milliseconds(10))
            }
            connectionsAfterHandshakes = events.connections.count
            // A real call is reported (once).
            for _ in 0..<2 {
                _ = try await PeerClient.withConnection(
                    to: "alpha", host: "127.0.0.1", port: port, material: beta, limits: TransportHarness.testLimits
                ) { try await $0.hello(TransportHarness.hello(from: "beta")) }
            }
            #expect(events.connections.count == 2)
        }
        let refusalsSeen = log.refusals.count
        #expect(refusalsSeen >= Self.rawConnections, "every raw connection is refused")
        #expect(connectionsAfterHandshakes == 0, "TLS handshakes without a gRPC call are not reported as connections")

        let refused = await audit.events(of: .peerRefused)
        let connected = await audit.events(of: .peerConnected)
        let total = await audit.events.count
        // At most one full entry and one counted entry per (source, code), plus the two
        // connection entries (first in full, second counted).
        #expect(total <= 2 * PeerRefusal.Code.allCases.count + 2,
                "\(total) audit entries for \(Self.rawConnections + Self.silentHandshakes) connections")
        #expect(connected.count == 2)
        #expect(connected.first?.actor == "beta")
        #expect(connected.last?.integer("count") == 1)
        // Nothing is lost: full entries plus the counts add up to the refusals seen.
        let accounted = refused.reduce(0) { $0 + Int($1.integer("count") ?? 1) }
        #expect(accounted == refusalsSeen)
        #expect(refused.allSatisfy { $0.string("address")?.hasPrefix("ipv4:127.0.0.1") == true })
    }

    @Test("refusals are counted per source and flushed when the window ends; sources beyond the cap share one counter")
    func refusalsAreCountedPerSourceWindow() async throws {
        let audit = MemoryAudit()
        let clock = ManualClock()
        let auditor = PeerEventAuditor(
            audit: audit, settings: .init(window: 10, maxSources: 2), logger: Logger(label: "test.audit-window"),
            clock: clock.closure)
        func refusal(_ host: String, port: Int) -> PeerRefusal {
            PeerRefusal(peerAddress: "ipv4:\(host):\(port)", claimedName: nil, reason: "no certificate",
                        code: .noCertificate, direction: .inbound)
        }
        for port in 40_000..<40_050 { try await auditor.refused(refusal("10.0.0.1", port: port)) }
        #expect(await audit.events.count == 1, "the first refusal of the window only")
        try await auditor.flush()
        #expect(await audit.events.count == 1, "the window is not over yet")
        clock.advance(seconds: 10)
        try await auditor.flush()
        let summary = try #require(await audit.events.last)
        #expect(summary.integer("count") == 49)
        #expect(summary.string("address") == "ipv4:10.0.0.1")
        #expect(summary.string("code") == PeerRefusal.Code.noCertificate.rawValue)
        #expect(summary.integer("window_seconds") == 10)

        // Two tracked sources; a third and fourth are only counted, together.
        for host in ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"] {
            try await auditor.refused(refusal(host, port: 1))
        }
        #expect(await audit.events.count == 4)
        try await auditor.drain()
        let overflow = try #require(await audit.events.last)
        #expect(overflow.string("address") == "*")
        #expect(overflow.integer("count") == 2)
    }

    @Test("an inbound call whose connection cannot be recorded in the audit log fails")
    func unrecordableConnectionIsNotServed() async throws {
        let pki = try PKI.TestPKI(consortium: "test")
        let audit = MemoryAudit()
        await audit.setFailing(true)
        let handler = RecordingPeerHandler(name: "alpha")
        let auditor = PeerEventAuditor(audit: audit, logger: Logger(label: "test.audit-fail"))
        let server = try PeerServer(
            material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler,
            limits: TransportHarness.testLimits, events: auditor.handlers())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningPort
            await #expect(throws: (any Error).self) {
                try await PeerClient.withConnection(
                    to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"),
                    limits: TransportHarness.testLimits
                ) { try await $0.hello(TransportHarness.hello(from: "beta")) }
            }
            #expect(handler.callers.isEmpty, "no call is served on an unrecorded connection")
            server.beginGracefulShutdown()
            group.cancelAll()
        }
    }
}
