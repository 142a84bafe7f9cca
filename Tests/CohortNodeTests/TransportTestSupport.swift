import CohortNet
import CohortNode
import CohortWire
import Foundation
import GRPCCore
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// A handler that records who called and answers deterministically.
final class RecordingPeerHandler: PeerServiceHandler {
    let name: String
    let calls = Mutex<[String]>([])
    let contributionValues: [UInt64]
    let delay: Duration?
    /// The calls `delay` applies to (all when empty), e.g. `["progress"]`.
    let delayed: Set<String>

    init(name: String, contributionValues: [UInt64] = [0, 1, UInt64.max], delay: Duration? = nil, delayed: Set<String> = []) {
        self.name = name
        self.contributionValues = contributionValues
        self.delay = delay
        self.delayed = delayed
    }

    var callers: [String] { calls.withLock { $0 } }

    private func record(_ method: String, _ peer: String) async throws {
        calls.withLock { $0.append("\(method):\(peer)") }
        if let delay, delayed.isEmpty || delayed.contains(method) { try await Task.sleep(for: delay) }
    }

    func hello(_ request: Cohort_Peer_V1_HelloRequest, from peer: String) async throws -> Cohort_Peer_V1_HelloResponse {
        try await record("hello", peer)
        var response = Cohort_Peer_V1_HelloResponse()
        response.node = name
        response.consortium = "test"
        response.protocolVersion = 1
        response.checkpoint = "checkpoint of \(name)"
        return response
    }

    func proposeStudy(_ request: Cohort_Peer_V1_ProposeStudyRequest, from peer: String) async throws -> Cohort_Peer_V1_ProposeStudyResponse {
        try await record("propose", peer)
        var response = Cohort_Peer_V1_ProposeStudyResponse()
        response.accepted = request.lead == peer
        response.reason = response.accepted ? "" : "lead field does not match the caller"
        return response
    }

    func requestContribution(_ request: Cohort_Peer_V1_ContributionRequest, from peer: String) async throws -> Cohort_Peer_V1_ContributionResponse {
        try await record("contribute", peer)
        var response = Cohort_Peer_V1_ContributionResponse()
        response.values = contributionValues
        response.costJson = Data("{\"epsilon\":0.5}".utf8)
        return response
    }

    func publishResult(_ request: Cohort_Peer_V1_PublishResultRequest, from peer: String) async throws -> Cohort_Peer_V1_PublishResultResponse {
        try await record("publish", peer)
        var response = Cohort_Peer_V1_PublishResultResponse()
        response.acknowledged = true
        return response
    }

    func abortStudy(_ request: Cohort_Peer_V1_AbortStudyRequest, from peer: String) async throws -> Cohort_Peer_V1_AbortStudyResponse {
        try await record("abort", peer)
        var response = Cohort_Peer_V1_AbortStudyResponse()
        response.acknowledged = true
        return response
    }

    func studyProgress(_ request: Cohort_Peer_V1_StudyProgressRequest, from peer: String) async throws -> Cohort_Peer_V1_StudyProgressResponse {
        try await record("progress", peer)
        return Cohort_Peer_V1_StudyProgressResponse()
    }

    func cosignCheckpoint(_ request: Cohort_Peer_V1_CosignRequest, from peer: String) async throws -> Cohort_Peer_V1_CosignResponse {
        try await record("cosign", peer)
        var response = Cohort_Peer_V1_CosignResponse()
        response.cosignedNote = request.note + "\n— \(name)"
        return response
    }
}

/// Collects peer events; waits (bounded) for one to show up.
final class PeerEventLog: Sendable {
    private let refusalList = Mutex<[PeerRefusal]>([])
    private let connectionList = Mutex<[PeerConnection]>([])

    var handlers: PeerEventHandlers {
        PeerEventHandlers(
            onRefusal: { refusal in self.refusalList.withLock { $0.append(refusal) } },
            onConnection: { connection in self.connectionList.withLock { $0.append(connection) } }
        )
    }

    var refusals: [PeerRefusal] { refusalList.withLock { $0 } }
    var connections: [PeerConnection] { connectionList.withLock { $0 } }

    /// Polls at most 200 × 25 ms (5 s) for a refusal matching `predicate`.
    func waitForRefusal(where predicate: (PeerRefusal) -> Bool = { _ in true }) async -> PeerRefusal? {
        for _ in 0..<200 {
            if let hit = refusals.first(where: predicate) { return hit }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return refusals.first(where: predicate)
    }
}

enum TransportHarness {
    /// Short limits so failing tests fail fast.
    static let testLimits = PeerLimits(callTimeout: .seconds(15), handshakeTimeout: .seconds(15))

    /// Runs a ``PeerServer`` for `material` (allowing `peers`) around `body`.
    static func withServer<R: Sendable>(
        material: PKI.NodeTLSMaterial,
        peers: Set<String>,
        handler: RecordingPeerHandler,
        limits: PeerLimits = testLimits,
        _ body: (_ port: Int, _ events: PeerEventLog) async throws -> R
    ) async throws -> R {
        let events = PeerEventLog()
        let server = try PeerServer(
            material: material, peers: peers, handler: handler, limits: limits, events: events.handlers
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let port = try await server.listeningPort
                let result = try await body(port, events)
                server.beginGracefulShutdown()
                group.cancelAll()
                return result
            } catch {
                server.beginGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    static func hello(from node: String) -> Cohort_Peer_V1_HelloRequest {
        var request = Cohort_Peer_V1_HelloRequest()
        request.node = node
        request.consortium = "test"
        request.protocolVersion = 1
        return request
    }
}

/// A flag set from another task.
final class SharedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A raw TLS client (NIO + swift-nio-ssl) for sending hand-made bytes to the server.
enum RawTLSClient {
    struct Outcome: Sendable {
        var received: [UInt8]
        var closedByPeer: Bool
        var error: String?
    }

    /// Connects to 127.0.0.1:`port` with TLS 1.3 (client certificate from `material` if given),
    /// sends `initial`, then reads until `isDone(received)`, the connection closes, or
    /// `timeout` passes. `respond` may produce bytes to send back after each read.
    static func exchange(
        port: Int,
        material: PKI.NodeTLSMaterial?,
        initial: [UInt8],
        timeout: Duration = .seconds(5),
        respond: @escaping @Sendable ([UInt8]) -> [UInt8] = { _ in [] },
        isDone: @escaping @Sendable ([UInt8]) -> Bool
    ) async throws -> Outcome {
        var config = TLSConfiguration.makeClientConfiguration()
        config.certificateVerification = .none
        config.minimumTLSVersion = .tlsv13
        config.applicationProtocols = ["h2"]
        if let material {
            config.certificateChain = try material.credentials.chain.map {
                NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: PKI.derBytes(of: $0), format: .der))
            }
            config.privateKey = .privateKey(
                try NIOSSLPrivateKey(bytes: Array(material.credentials.privateKeyPEM().utf8), format: .pem)
            )
        }
        let context = try NIOSSLContext(configuration: config)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let nioChannel = channel.channel
        let timedOut = SharedFlag()
        let timer = Task {
            try await Task.sleep(for: timeout)
            timedOut.set()
            nioChannel.close(promise: nil)
        }
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var received: [UInt8] = []
            do {
                try await outbound.write(ByteBuffer(bytes: initial))
                for try await buffer in inbound {
                    received += Array(buffer.readableBytesView)
                    let reply = respond(received)
                    if !reply.isEmpty { try await outbound.write(ByteBuffer(bytes: reply)) }
                    if isDone(received) { return Outcome(received: received, closedByPeer: false, error: nil) }
                }
                return Outcome(received: received, closedByPeer: !timedOut.isSet, error: nil)
            } catch {
                return Outcome(received: received, closedByPeer: !timedOut.isSet, error: String(describing: error))
            }
        }
    }
}

/// Minimal hand-encoded HTTP/2 + gRPC framing for malformed-input tests.
enum RawHTTP2 {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let n = payload.count
        return [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF), type, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
            + payload
    }

    /// HPACK "literal header field without indexing — new name", no Huffman (lengths < 127).
    static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
    }

    static func requestHeaders(stream: UInt32, path: String) -> [UInt8] {
        let block = literal(":method", "POST") + literal(":scheme", "https") + literal(":path", path)
            + literal(":authority", "localhost") + literal("content-type", "application/grpc")
            + literal("te", "trailers")
        return frame(type: 0x1, flags: 0x4, stream: stream, payload: block)  // HEADERS, END_HEADERS
    }

    /// A gRPC length-prefixed message whose declared length is `declared` but carries `body`.
    static func grpcMessage(declared: UInt32, body: [UInt8]) -> [UInt8] {
        [0, UInt8(declared >> 24 & 0xFF), UInt8(declared >> 16 & 0xFF), UInt8(declared >> 8 & 0xFF), UInt8(declared & 0xFF)] + body
    }

    static func data(stream: UInt32, _ payload: [UInt8], endStream: Bool = true) -> [UInt8] {
        frame(type: 0x0, flags: endStream ? 0x1 : 0x0, stream: stream, payload: payload)
    }

    static let emptySettings = frame(type: 0x4, flags: 0, stream: 0, payload: [])
    static let settingsAck = frame(type: 0x4, flags: 0x1, stream: 0, payload: [])

    struct Frame {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]
    }

    static func parse(_ bytes: [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        var i = 0
        while bytes.count - i >= 9 {
            let length = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            guard bytes.count - i - 9 >= length else { break }
            let stream = UInt32(bytes[i + 5] & 0x7F) << 24 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 8 | UInt32(bytes[i + 8])
            frames.append(Frame(type: bytes[i + 3], flags: bytes[i + 4], stream: stream, payload: Array(bytes[(i + 9)..<(i + 9 + length)])))
            i += 9 + length
        }
        return frames
    }

    /// Whether the server ended `stream` (trailers with END_STREAM or RST_STREAM) or the
    /// connection (GOAWAY).
    static func streamEnded(_ stream: UInt32, in bytes: [UInt8]) -> Bool {
        parse(bytes).contains { f in
            (f.stream == stream && ((f.type == 0x1 && f.flags & 0x1 != 0) || f.type == 0x3)) || f.type == 0x7
        }
    }

    /// Acknowledges the server's first SETTINGS frame exactly once.
    final class SettingsAcker: Sendable {
        private let acked = Mutex(false)

        func respond(_ bytes: [UInt8]) -> [UInt8] {
            let sawSettings = RawHTTP2.parse(bytes).contains { $0.type == 0x4 && $0.flags & 0x1 == 0 }
            guard sawSettings else { return [] }
            let send = acked.withLock { done in
                defer { done = true }
                return !done
            }
            return send ? RawHTTP2.settingsAck : []
        }
    }
}

/// A plain TCP client for handshake-level tests.
enum PlainTCP {
    /// Sends `bytes` to 127.0.0.1:`port` and reports whether the server closed the connection
    /// within `timeout`.
    static func sendAndAwaitClose(port: Int, bytes: [UInt8], timeout: Duration) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let nioChannel = channel.channel
        let timedOut = SharedFlag()
        let timer = Task {
            try await Task.sleep(for: timeout)
            timedOut.set()
            nioChannel.close(promise: nil)
        }
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            do {
                try await outbound.write(ByteBuffer(bytes: bytes))
            } catch {
                // Under load the server's timeout can close the socket before the write: closed.
                return !timedOut.isSet
            }
            do {
                for try await _ in inbound {}
            } catch {}
            return !timedOut.isSet
        }
    }
}
