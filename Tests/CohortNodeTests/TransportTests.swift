import CohortNetTestSupport
import CohortTestSupport
import CohortNet
import CohortNode
import CohortWire
import Foundation
import GRPCCore
import Testing

@Suite("Transport: mutual TLS peer calls")
struct TransportTests {
    let pki: PKI.TestPKI

    init() throws {
        pki = try PKI.TestPKI(consortium: "test")
    }

    @Test("a correct mTLS call succeeds and the handler sees the authenticated peer name")
    func goodCall() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        let server = try pki.material(for: "alpha")
        let beta = try pki.material(for: "beta")
        try await TransportHarness.withServer(material: server, peers: ["beta"], handler: handler) { port, events in
            try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: beta, limits: TransportHarness.testLimits) { client in
                let hello = try await client.hello(TransportHarness.hello(from: "beta"))
                #expect(hello.node == "alpha")
                #expect(hello.checkpoint == "checkpoint of alpha")

                var propose = Cohort_Peer_V1_ProposeStudyRequest()
                propose.studyID = "s1"
                propose.specJson = Data("{\"kind\":\"kmeans\"}".utf8)
                propose.lead = "beta"
                #expect(try await client.proposeStudy(propose).accepted)
                propose.lead = "mallory"
                #expect(try await client.proposeStudy(propose).accepted == false)

                var contribution = Cohort_Peer_V1_ContributionRequest()
                contribution.studyID = "s1"
                contribution.round = 3
                contribution.payload = Data([1, 2, 3])
                let reply = try await client.requestContribution(contribution)
                #expect(reply.values == [0, 1, UInt64.max])

                var publish = Cohort_Peer_V1_PublishResultRequest()
                publish.studyID = "s1"
                publish.resultJson = Data("{}".utf8)
                #expect(try await client.publishResult(publish).acknowledged)

                var cosign = Cohort_Peer_V1_CosignRequest()
                cosign.note = "origin\n1\nroot\n"
                #expect(try await client.cosignCheckpoint(cosign).cosignedNote.hasSuffix("— alpha"))
            }
            #expect(handler.callers == ["hello:beta", "propose:beta", "propose:beta", "contribute:beta", "publish:beta", "cosign:beta"])
            #expect(events.refusals.isEmpty)
            #expect(events.connections.contains { $0.peer == "beta" && $0.direction == .inbound })
        }
    }

    /// Connects `client` to a server for `alpha` (allowing `beta`) and expects the server to
    /// refuse with `code`, the handler never to run, and the call to fail. With `raw`, a raw TLS
    /// client that does not check the server is used (for identities our own client would not
    /// even present).
    func expectServerRefusal(
        client: PKI.NodeTLSMaterial, serverRevokes: [String] = [], code: PeerRefusal.Code, claimed: String?,
        raw: Bool = false
    ) async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        var server = try pki.material(for: "alpha")
        server.revocations = PKI.RevocationList(serverRevokes)
        try await TransportHarness.withServer(material: server, peers: ["beta"], handler: handler) { port, events in
            if raw {
                let outcome = try await RawTLSClient.exchange(
                    port: port, material: client,
                    initial: RawHTTP2.preface + RawHTTP2.emptySettings
                        + RawHTTP2.requestHeaders(stream: 1, path: "/cohort.peer.v1.PeerService/Hello")
                        + RawHTTP2.data(stream: 1, RawHTTP2.grpcMessage(declared: 0, body: [])),
                    isDone: { RawHTTP2.streamEnded(1, in: $0) }
                )
                #expect(outcome.closedByPeer)
            } else {
                // The client trusts the server's CA so that only the server's checks can fail.
                let clientMaterial = PKI.NodeTLSMaterial(
                    credentials: client.credentials,
                    trustBundle: client.trustBundle.merged(with: pki.trustBundle),
                    revocations: client.revocations
                )
                await #expect(throws: RPCError.self) {
                    try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: clientMaterial, limits: TransportHarness.testLimits) { peer in
                        _ = try await peer.hello(TransportHarness.hello(from: "beta"))
                    }
                }
            }
            let refusal = await events.waitForRefusal()
            #expect(refusal?.code == code)
            #expect(refusal?.direction == .inbound)
            #expect(refusal?.claimedName == claimed)
            #expect(refusal?.peerAddress.hasPrefix("ipv4:127.0.0.1:") == true)
            #expect(refusal?.reason.isEmpty == false)
            #expect(handler.callers.isEmpty)
        }
    }

    @Test("a client certificate from an unknown CA is refused and reported")
    func unknownCA() async throws {
        let stranger = try PKI.TestPKI(consortium: "test").material(for: "beta")
        try await expectServerRefusal(client: stranger, code: .unknownAuthority, claimed: "beta")
    }

    @Test("an expired client certificate is refused and reported")
    func expired() async throws {
        try await expectServerRefusal(client: try pki.material(for: "beta", validity: .expired), code: .expired, claimed: "beta")
    }

    @Test("a not-yet-valid client certificate is refused and reported")
    func notYetValid() async throws {
        try await expectServerRefusal(client: try pki.material(for: "beta", validity: .notYetValid), code: .notYetValid, claimed: "beta")
    }

    @Test("a revoked client certificate is refused and reported")
    func revoked() async throws {
        let beta = try pki.material(for: "beta")
        let fingerprint = try PKI.fingerprint(of: beta.credentials.certificate)
        try await expectServerRefusal(client: beta, serverRevokes: [fingerprint], code: .revoked, claimed: "beta")
    }

    @Test("a valid certificate for a node that is not a configured peer is refused and reported")
    func unconfiguredName() async throws {
        try await expectServerRefusal(client: try pki.material(for: "gamma"), code: .unknownPeer, claimed: "gamma")
    }

    @Test("an identity from another consortium is refused and reported")
    func otherConsortium() async throws {
        let foreign = try pki.material(for: "beta", consortiumOverride: "elsewhere")
        try await expectServerRefusal(client: foreign, code: .missingIdentity, claimed: "beta", raw: true)
    }

    @Test("a TLS client without a certificate is refused and reported")
    func noClientCertificate() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, events in
            let outcome = try await RawTLSClient.exchange(
                port: port, material: nil,
                initial: RawHTTP2.preface + RawHTTP2.emptySettings + RawHTTP2.requestHeaders(stream: 1, path: "/cohort.peer.v1.PeerService/Hello")
                    + RawHTTP2.data(stream: 1, RawHTTP2.grpcMessage(declared: 0, body: [])),
                isDone: { RawHTTP2.streamEnded(1, in: $0) }
            )
            #expect(outcome.closedByPeer)
            #expect(!RawHTTP2.streamEnded(1, in: outcome.received))
            let refusal = await events.waitForRefusal()
            #expect(refusal?.code == .noCertificate)
            #expect(refusal?.claimedName == nil)
            #expect(handler.callers.isEmpty)
        }
    }

    @Test("the client refuses a server whose certificate names another peer, and reports it")
    func clientVerifiesServerName() async throws {
        let handler = RecordingPeerHandler(name: "gamma")
        try await TransportHarness.withServer(material: try pki.material(for: "gamma"), peers: ["beta"], handler: handler) { port, _ in
            let clientEvents = PeerEventLog()
            await #expect(throws: RPCError.self) {
                try await PeerClient.withConnection(
                    to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"),
                    limits: TransportHarness.testLimits, events: clientEvents.handlers
                ) { peer in
                    _ = try await peer.hello(TransportHarness.hello(from: "beta"))
                }
            }
            let refusal = await clientEvents.waitForRefusal()
            #expect(refusal?.code == .nameMismatch)
            #expect(refusal?.direction == .outbound)
            #expect(refusal?.claimedName == "gamma")
            #expect(refusal?.peerAddress == "127.0.0.1:\(port)")
            #expect(handler.callers.isEmpty)
        }
    }

    @Test("the client refuses an expired server certificate")
    func clientRefusesExpiredServer() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        try await TransportHarness.withServer(material: try pki.material(for: "alpha", validity: .expired), peers: ["beta"], handler: handler) { port, _ in
            let clientEvents = PeerEventLog()
            await #expect(throws: RPCError.self) {
                try await PeerClient.withConnection(
                    to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"),
                    limits: TransportHarness.testLimits, events: clientEvents.handlers
                ) { peer in
                    _ = try await peer.hello(TransportHarness.hello(from: "beta"))
                }
            }
            #expect(await clientEvents.waitForRefusal()?.code == .expired)
            #expect(handler.callers.isEmpty)
        }
    }

    @Test("every call has a deadline")
    func deadline() async throws {
        let handler = RecordingPeerHandler(name: "alpha", delay: .seconds(20))
        let limits = PeerLimits(callTimeout: .milliseconds(300))
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, _ in
            let error = await #expect(throws: RPCError.self) {
                try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"), limits: limits) { peer in
                    _ = try await peer.hello(TransportHarness.hello(from: "beta"))
                }
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test("a response larger than the client's limit is rejected")
    func clientResponseLimit() async throws {
        let handler = RecordingPeerHandler(name: "alpha", contributionValues: Array(repeating: 7, count: 4096))
        let small = PeerLimits(maxMessageBytes: 1024, callTimeout: .seconds(5))
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler) { port, _ in
            try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"), limits: small) { peer in
                let error = await #expect(throws: RPCError.self) {
                    _ = try await peer.requestContribution(Cohort_Peer_V1_ContributionRequest())
                }
                #expect(error?.code == .resourceExhausted, "\(String(describing: error))")
                // The connection is still usable for small answers.
                let reply = try await peer.hello(TransportHarness.hello(from: "beta"))
                #expect(reply.node == "alpha")
            }
        }
    }

    @Test("a request larger than the server's limit is rejected and the server keeps serving")
    func serverRequestLimit() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        let limits = PeerLimits(maxMessageBytes: 64 << 10, callTimeout: .seconds(10))
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler, limits: limits) { port, _ in
            try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"), limits: TransportHarness.testLimits) { peer in
                var big = Cohort_Peer_V1_ContributionRequest()
                big.payload = Data(repeating: 0xAB, count: 256 << 10)
                let error = await #expect(throws: RPCError.self) {
                    _ = try await peer.requestContribution(big)
                }
                #expect([.resourceExhausted, .unavailable].contains(error?.code), "\(String(describing: error))")
                let reply = try await peer.hello(TransportHarness.hello(from: "beta"))
                #expect(reply.node == "alpha")
            }
            #expect(handler.callers == ["hello:beta"])
        }
    }

    @Test("refusals can be consumed as an AsyncStream")
    func refusalStream() async throws {
        let (handlers, refusals, _, finish) = PeerEventHandlers.streams()
        let handler = RecordingPeerHandler(name: "alpha")
        let server = try PeerServer(
            material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler,
            limits: TransportHarness.testLimits, events: handlers
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningPort
            await #expect(throws: RPCError.self) {
                try await PeerClient.withConnection(
                    to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "gamma"),
                    limits: TransportHarness.testLimits
                ) { peer in
                    _ = try await peer.hello(TransportHarness.hello(from: "gamma"))
                }
            }
            server.beginGracefulShutdown()
            group.cancelAll()
        }
        finish()
        var first: PeerRefusal?
        for await refusal in refusals {
            first = refusal
            break
        }
        #expect(first?.code == .unknownPeer)
        #expect(first?.claimedName == "gamma")
    }

    @Test("a port that is already in use makes run() and listeningPort fail instead of hanging")
    func bindFailure() async throws {
        let handler = RecordingPeerHandler(name: "alpha")
        let material = try pki.material(for: "alpha")
        try await TransportHarness.withServer(material: material, peers: ["beta"], handler: handler) { port, _ in
            let second = try PeerServer(material: material, peers: ["beta"], handler: handler, port: port)
            await #expect(throws: NetworkError.self) { try await second.run() }
            await #expect(throws: NetworkError.self) { _ = try await second.listeningPort }
        }
    }

    @Test("the server bounds a handler's run time even if the caller's deadline is longer")
    func serverSideDeadline() async throws {
        let handler = RecordingPeerHandler(name: "alpha", delay: .seconds(20))
        let serverLimits = PeerLimits(callTimeout: .milliseconds(300))
        try await TransportHarness.withServer(material: try pki.material(for: "alpha"), peers: ["beta"], handler: handler, limits: serverLimits) { port, _ in
            let error = await #expect(throws: RPCError.self) {
                try await PeerClient.withConnection(to: "alpha", host: "127.0.0.1", port: port, material: try pki.material(for: "beta"), limits: TransportHarness.testLimits) { peer in
                    _ = try await peer.hello(TransportHarness.hello(from: "beta"))
                }
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(error?.message.contains("server") == true)
        }
    }
}
