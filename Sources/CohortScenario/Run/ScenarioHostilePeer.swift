import CohortWire
import CohortNet
import CohortNode
import CohortPrivacy
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A hostile peer on loopback: connections presenting bad certificates, and bursts of
/// malformed or oversized bytes, aimed at a running node's peer port.
enum ScenarioHostilePeer {
    /// Connects to `port` presenting `material` and says Hello.
    /// - Returns: nil when the connection was refused (the expected outcome), else a sentence
    ///   saying the node accepted it.
    static func present(_ material: PKI.NodeTLSMaterial, as label: String, target: String, port: Int) async -> String? {
        do {
            let name = try await PeerClient.withConnection(to: target, host: "127.0.0.1", port: port, material: material) { client in
                try await client.hello(.init()).node
            }
            return "\(target) accepted the \(label) certificate (Hello answered by \(name))"
        } catch {
            return nil
        }
    }

    /// Opens `connections` TCP connections to 127.0.0.1:`port` one after the other and sends
    /// `bytes` bytes of `kind` on each, waiting at most 2 s for the node to close each.
    /// - Returns: how many connections the node closed (the rest timed out or could not connect).
    static func burst(kind: Scenario.MalformedKind, connections: Int, bytes: Int, port: Int, seed: UInt64) -> Int {
        var random = Privacy.SeededGenerator(seed: seed).derived(0x6D61_6C66)
        var closed = 0
        for _ in 0..<connections {
            var payload = [UInt8](repeating: 0, count: bytes)
            switch kind {
            case .garbage:
                for i in payload.indices { payload[i] = UInt8.random(in: 0...255, using: &random) }
                // Never a TLS handshake record by accident.
                payload[0] = 0x5A
            case .oversized:
                // A TLS handshake record header declaring 65,535 bytes (the limit is 16,384 + 2,048).
                let header: [UInt8] = [0x16, 0x03, 0x03, 0xFF, 0xFF]
                for (i, b) in header.enumerated() where i < payload.count { payload[i] = b }
                for i in header.count..<max(header.count, payload.count) { payload[i] = 0x41 }
            }
            if sendAndAwaitClose(payload, port: port) { closed += 1 }
        }
        return closed
    }

    /// One connection: send, half-close, read until the peer closes (at most 2 s).
    static func sendAndAwaitClose(_ payload: [UInt8], port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        _ = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<64 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
        return false
    }
}
