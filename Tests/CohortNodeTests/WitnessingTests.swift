import CohortNetTestSupport
import CohortTestSupport
import CohortNet
import CohortAudit
@testable import CohortNode
import Foundation
import Logging
import Testing

/// Issue 15, witnessing over the peer service: `CosignCheckpoint` answered `unimplemented` and
/// the `witnessed` table stayed empty on every node.
@Suite struct WitnessingTests {
    let pki: PKI.TestPKI

    init() throws {
        pki = try PKI.TestPKI(consortium: "test")
    }

    static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "cohort-witness-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }

    static func event(_ i: Int) -> Audit.Event {
        Audit.Event(type: .dataAccessed, actor: "op", purpose: "segmentation", study: "s",
                    details: ["rows": .integer(Int64(i)), "transactions": .integer(0), "as_of": .string("2026-01-01")])
    }

    static func handler(node: String, audit: Audit.Log) -> NodePeerHandler {
        let engine = StudyEngine(
            node: node, policy: StudyEngineTests.policy(autoApprove: false), local: StudyEngineTests.FakeLocal(codes: [0]),
            peers: StudyEngineTests.MeshCalls(caller: node, mesh: StudyEngineTests.Mesh()), logger: Logger(label: "test.\(node)"))
        return NodePeerHandler(
            engine: engine, node: node, consortium: "test", metrics: NodeMetrics(), latestCheckpoint: { nil }, audit: audit)
    }

    /// Runs `body` with beta's peer server (witnessing with `betaLog`) and alpha's directory.
    func withBeta<R: Sendable>(_ betaLog: Audit.Log, _ body: (PeerDirectory) async throws -> R) async throws -> R {
        let server = try PeerServer(
            material: try pki.material(for: "beta"), peers: ["alpha"], handler: Self.handler(node: "beta", audit: betaLog),
            host: "127.0.0.1", port: 0, limits: TransportHarness.testLimits, events: PeerEventLog().handlers)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer {
                server.beginGracefulShutdown()
                group.cancelAll()
            }
            let port = try await server.listeningPort
            let directory = PeerDirectory(
                material: try pki.material(for: "alpha"), addresses: ["beta": "127.0.0.1:\(port)"], limits: TransportHarness.testLimits)
            return try await body(directory)
        }
    }

    @Test func witnessingRoundsStoreCosignaturesOnBothSides() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let alpha = try await Audit.Log.open(nodeDirectory: dir + "/alpha", node: "alpha")
        let beta = try await Audit.Log.open(nodeDirectory: dir + "/beta", node: "beta")
        try await withBeta(beta) { directory in
            let service = WitnessingService(audit: alpha, peers: ["beta"], directory: directory, logger: Logger(label: "test"))
            let state = WitnessingState()
            for i in 0..<5 { _ = try await alpha.record(Self.event(i)) }
            await service.round(state)
            #expect(try alpha.witnessedSize(by: "beta") == 5)
            for i in 5..<9 { _ = try await alpha.record(Self.event(i)) }
            await service.round(state)
            // 5 + checkpoint.signed + 4 = 10: cosigned again, consistently with 5.
            #expect(try alpha.witnessedSize(by: "beta") == 10)
            // A round with only bookkeeping since the last one resends that checkpoint.
            await service.round(state)
            #expect(try alpha.witnessedSize(by: "beta") == 10)
        }
        let betaKey = beta.verifier
        let cosigned = try alpha.reader().storedCheckpoints().compactMap { try Audit.SignedCheckpoint(parsing: $0.note) }
            .filter { $0.hasCosignature(by: betaKey) }.map(\.checkpoint.size)
        #expect(cosigned == [5, 10])
        #expect(try beta.reader().witnessedCheckpoints(origin: alpha.origin).count == 2)
        #expect(try alpha.reader().entry(at: 5).entry.type == .checkpointSigned)
        await alpha.close()
        await beta.close()
        let types = try Audit.LogReader.open(path: dir + "/beta/audit.sqlite").forEachEntryType()
        #expect(types.filter { $0 == .checkpointCosigned }.count == 2)
    }

    /// A history rewritten and re-signed with alpha's own key is refused by the witness, which
    /// keeps it as evidence and records `checkpoint.refused`.
    @Test func forkedCheckpointIsRefusedAndKeptAsEvidence() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let alpha = try await Audit.Log.open(nodeDirectory: dir + "/alpha", node: "alpha")
        let beta = try await Audit.Log.open(nodeDirectory: dir + "/beta", node: "beta")
        let signer = try Audit.NoteSigner(parsing: String(contentsOfFile: dir + "/alpha/keys/audit-signing.key", encoding: .utf8))
        let forged = try await Audit.Log.open(databasePath: dir + "/forged.sqlite", node: "alpha", signer: signer)
        try await withBeta(beta) { directory in
            for i in 0..<4 { _ = try await alpha.record(Self.event(i)) }
            let real = try await alpha.signCheckpoint()
            let first = try await directory.cosign(peer: "beta", note: real.serialized, oldSize: 0, proof: [], logKey: alpha.verifier.text)
            #expect(!first.cosignedNote.isEmpty)
            for i in 100..<106 { _ = try await forged.record(Self.event(i)) }
            let fake = try await forged.signCheckpoint()
            let proof = try forged.reader().consistencyProof(from: 4, to: 6)
            await #expect(throws: NodeError.self) {
                _ = try await directory.cosign(peer: "beta", note: fake.serialized, oldSize: 4, proof: proof, logKey: alpha.verifier.text)
            }
            // A rollback (smaller than witnessed) is refused the same way.
            let small = try Audit.SignedCheckpoint(signing: Audit.Checkpoint(origin: alpha.origin, size: 2, root: try alpha.reader().treeHead(size: 2).root), with: signer)
            await #expect(throws: NodeError.self) {
                _ = try await directory.cosign(peer: "beta", note: small.serialized, oldSize: 4, proof: [], logKey: alpha.verifier.text)
            }
        }
        let evidence = try beta.reader().refusedCheckpoints()
        #expect(evidence.map(\.size) == [6, 2])
        #expect(evidence[0].reason.hasPrefix("fork"))
        #expect(evidence[1].reason.hasPrefix("rollback"))
        await alpha.close()
        await beta.close()
        await forged.close()
        let types = try Audit.LogReader.open(path: dir + "/beta/audit.sqlite").forEachEntryType()
        #expect(types.filter { $0 == .checkpointRefused }.count == 2)
    }
}

extension Audit.LogReader {
    /// Every entry's type, in order (test helper).
    func forEachEntryType() throws -> [Audit.EventType] {
        try (0..<size()).map { try entry(at: $0).entry.type }
    }
}
