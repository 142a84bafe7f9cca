import CohortNet
import CohortNode
import CohortNetTestSupport
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

@Suite("Transport: refusal of a plain openssl s_client")
struct TransportOpenSSLTests {
    static let openssl = ["/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test("openssl s_client without a client certificate is refused and reported",
          .enabled(if: openssl != nil, "needs the openssl command (Debian package openssl)"))
    func sClientRefused() async throws {
        let pki = try PKI.TestPKI(consortium: "test")
        let handler = RecordingPeerHandler(name: "alpha")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, events in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["10", Self.openssl ?? "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-alpn", "h2"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try await ProcessLauncher.launch(process)
            // Send a line after the handshake, then EOF, so s_client reads the server's alert.
            try input.fileHandleForWriting.write(contentsOf: Data("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
            let refusal = await events.waitForRefusal()
            try? input.fileHandleForWriting.close()
            let transcript = await ChildProcess.readToEnd(output.fileHandleForReading)
            _ = await ChildProcess.waitForExit(process)
            #expect(process.terminationStatus != 124, "openssl s_client did not finish within 10 s")
            #expect(refusal?.code == .noCertificate)
            #expect(refusal?.direction == .inbound)
            #expect(handler.callers.isEmpty)
            #expect(!transcript.isEmpty)
        }
    }
}
