import CohortNet
import CohortNetTestSupport
import CohortNode
import CohortTestSupport
import CohortWire
import Testing

@Suite("Peer connection pool: one reused mTLS connection per peer")
struct PeerConnectionPoolTests {
    let pki: PKI.TestPKI

    init() throws {
        pki = try PKI.TestPKI(consortium: "test")
    }

    /// Polls at most 200 × 25 ms (5 s) until the server has accepted `count` connections.
    private func connections(_ events: PeerEventLog, reach count: Int) async -> Int {
        for _ in 0..<200 where events.connections.count < count {
            try? await Task.sleep(for: .milliseconds(25))
        }
        return events.connections.count
    }

    private func hello(_ directory: PeerDirectory) async throws {
        let reply = try await directory.withClient("alpha") { try await $0.hello(TransportHarness.hello(from: "beta")) }
        #expect(reply.node == "alpha")
    }

    @Test("five calls through a pooled directory use one connection; a closed pool refuses new calls")
    func callsShareOneConnection() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, events in
            let pool = PeerConnectionPool()
            let directory = PeerDirectory(
                material: try pki.material(for: "beta"), addresses: ["alpha": "127.0.0.1:\(port)"],
                limits: TransportHarness.testLimits, pool: pool)
            for _ in 0..<5 { try await hello(directory) }
            #expect(handler.callers == Array(repeating: "hello:beta", count: 5))
            #expect(await connections(events, reach: 1) == 1)
            try? await Task.sleep(for: .milliseconds(200))
            #expect(events.connections.count == 1, "no second connection was opened")
            #expect(pool.openPeers == ["alpha"])

            await pool.close()
            #expect(pool.openPeers.isEmpty)
            let error = await #expect(throws: NodeError.self) { try await hello(directory) }
            #expect(error?.code == .peerUnavailable)
            #expect(handler.callers.count == 5)
        }
    }

    @Test("without a pool every call opens its own connection")
    func unpooledCallsEachConnect() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, events in
            let directory = PeerDirectory(
                material: try pki.material(for: "beta"), addresses: ["alpha": "127.0.0.1:\(port)"],
                limits: TransportHarness.testLimits)
            for _ in 0..<3 { try await hello(directory) }
            #expect(await connections(events, reach: 3) == 3)
        }
    }

    @Test("a failed call closes the pooled connection and the next call opens a fresh one")
    func failedCallEvictsTheConnection() async throws {
        let handler = RecordingPeerHandler(name: "alpha", delay: .seconds(20), delayed: ["progress"])
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, events in
            let pool = PeerConnectionPool()
            let directory = PeerDirectory(
                material: try pki.material(for: "beta"), addresses: ["alpha": "127.0.0.1:\(port)"],
                limits: PeerLimits(callTimeout: .milliseconds(500), handshakeTimeout: .seconds(15)), pool: pool)
            try await hello(directory)
            #expect(await connections(events, reach: 1) == 1)

            let error = await #expect(throws: NodeError.self) {
                _ = try await directory.progress(from: "alpha", study: "s1")
            }
            #expect(error?.code == .peerUnavailable)
            #expect(pool.openPeers.isEmpty, "the failed call's connection is gone from the pool")

            try await hello(directory)
            #expect(await connections(events, reach: 2) == 2)
            #expect(pool.openPeers == ["alpha"])
            await pool.close()
        }
    }
}
