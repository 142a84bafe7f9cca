import CohortNetTestSupport
import CohortTestSupport
import CohortNet
import CohortNode
import CohortWire
import Foundation
import GRPCCore
import Testing

@Suite("Transport: malformed input over an authenticated connection")
struct TransportMalformedInputTests {
    let pki: PKI.TestPKI

    init() throws {
        pki = try PKI.TestPKI(consortium: "test")
    }

    static let helloPath = "/cohort.peer.v1.PeerService/Hello"

    enum Case: String, CaseIterable, Sendable {
        case badProtobuf, truncatedMessage, oversizedLengthPrefix, unknownMethod
    }

    func bytes(for testCase: Case) -> [UInt8] {
        var out = RawHTTP2.preface + RawHTTP2.emptySettings
        switch testCase {
        case .badProtobuf:
            // Field 1, wire type 2 (length-delimited) claiming 100 bytes but holding 3, then junk.
            let junk: [UInt8] = [0x0A, 0x64, 0x41, 0x42, 0x43, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            out += RawHTTP2.requestHeaders(stream: 1, path: Self.helloPath)
            out += RawHTTP2.data(stream: 1, RawHTTP2.grpcMessage(declared: UInt32(junk.count), body: junk))
        case .truncatedMessage:
            out += RawHTTP2.requestHeaders(stream: 1, path: Self.helloPath)
            out += RawHTTP2.data(stream: 1, RawHTTP2.grpcMessage(declared: 1000, body: Array(repeating: 0x0A, count: 10)))
        case .oversizedLengthPrefix:
            out += RawHTTP2.requestHeaders(stream: 1, path: Self.helloPath)
            out += RawHTTP2.data(stream: 1, RawHTTP2.grpcMessage(declared: 0x7FFF_FFFF, body: Array(repeating: 0, count: 16)))
        case .unknownMethod:
            out += RawHTTP2.requestHeaders(stream: 1, path: "/cohort.peer.v1.PeerService/Nope")
            out += RawHTTP2.data(stream: 1, RawHTTP2.grpcMessage(declared: 0, body: []))
        }
        return out
    }

    @Test("malformed gRPC requests get an error status and the server keeps serving", arguments: Case.allCases)
    func malformed(testCase: Case) async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        let beta = try pki.material(for: "beta")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, events in
            let acker = RawHTTP2.SettingsAcker()
            let outcome = try await RawTLSClient.exchange(
                port: port, material: beta, initial: bytes(for: testCase),
                respond: { acker.respond($0) },
                isDone: { RawHTTP2.streamEnded(1, in: $0) }
            )
            #expect(RawHTTP2.streamEnded(1, in: outcome.received) || outcome.closedByPeer)
            #expect(handler.callers.isEmpty)
            // The server still serves a good call.
            try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: beta, limits: TransportHarness.testLimits) { peer in
                let reply = try await peer.hello(TransportHarness.hello(from: "beta"))
                #expect(reply.node == "alpha")
            }
            #expect(handler.callers == ["hello:beta"])
            #expect(events.refusals.isEmpty)
        }
    }

    @Test("non-HTTP/2 garbage after the TLS handshake closes that connection only")
    func garbage() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        let beta = try pki.material(for: "beta")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, _ in
            let outcome = try await RawTLSClient.exchange(
                port: port, material: beta, initial: Array(repeating: 0x5A, count: 4096),
                isDone: { _ in false }
            )
            #expect(outcome.closedByPeer)
            try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: beta, limits: TransportHarness.testLimits) { peer in
                let reply = try await peer.hello(TransportHarness.hello(from: "beta"))
                #expect(reply.node == "alpha")
            }
        }
    }

    @Test("a TLS connection that never completes the handshake is closed after the handshake timeout")
    func handshakeTimeout() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        let limits = PeerLimits(callTimeout: .seconds(5), handshakeTimeout: .milliseconds(300))
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler, limits: limits) { port, events in
            // A raw TCP client that sends half a ClientHello and stalls.
            let closed = try await PlainTCP.sendAndAwaitClose(port: port, bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01], timeout: .seconds(5))
            #expect(closed)
            #expect(await events.waitForRefusal()?.code == .handshakeFailed)
        }
    }
}
