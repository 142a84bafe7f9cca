import CohortNet
import CohortAudit
import CohortNode
import CohortScenario
import CohortNetTestSupport
import CohortTestSupport
import Foundation
import Testing

/// Issue 15 with real `cohort node run` processes on 127.0.0.1: at graceful shutdown a node sends
/// its checkpoint to its peers, they cosign and keep it, the node stores their cosignatures, and
/// an officer verifies the node's log against what the peers witnessed — which catches a
/// rewrite re-signed with the node's own key. Before, `CosignCheckpoint` answered
/// `unimplemented` and the `witnessed` table stayed empty.
@Suite(.serialized) struct WitnessClusterTests {
    @Test func peersWitnessAtShutdownAndTheOfficerVerifiesAgainstThem() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-witness-cluster")
        defer { temp.remove() }
        let pki = try PKI.TestPKI(consortium: "demo")
        let members = try [("alpha", Synthetic.Profile.retail), ("beta", .telecom), ("gamma", .bank)].map {
            LocalCluster.Member(name: $0.0, profile: $0.1, customers: 40, material: try pki.material(for: $0.0), configure: { _ in })
        }
        let cluster = try await LocalCluster.prepare(members: members, base: temp.url, consortium: "demo", seed: 3, asOf: "2026-06-30")
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        // alpha stops first: its final witnessing round reaches beta and gamma, still serving.
        var statuses: [Int32] = []
        for p in processes { statuses.append(await p.stop()) }
        #expect(statuses == [0, 0, 0])

        let alpha = try cluster.directory("alpha").path
        let reader = try Audit.LogReader.open(path: alpha + "/audit.sqlite")
        let keys = try ["beta", "gamma"].map {
            try Audit.NoteVerifier(parsing: String(contentsOfFile: try cluster.directory($0).path + "/audit-verifier.txt", encoding: .utf8))
        }
        let cosignedSizes = try reader.storedCheckpoints().map { try Audit.SignedCheckpoint(parsing: $0.note) }
            .filter { cp in keys.allSatisfy { cp.hasCosignature(by: $0) } }.map(\.checkpoint.size)
        #expect(!cosignedSizes.isEmpty, "alpha stored no checkpoint cosigned by both peers")

        let witnesses = temp.url.appendingPathComponent("witnesses").path
        for peer in ["beta", "gamma"] {
            let r = try await AuditCommandTests.cohort([
                "audit", "witnessed", "--node-dir", try cluster.directory(peer).path, "--origin", "cohort.audit/alpha", "-o", witnesses])
            #expect(r.status == 0, "\(r.output)")
        }
        let verify = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", alpha, "--witnesses", witnesses])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("by cohort.audit/beta, cohort.audit/gamma"), "\(verify.output)")

        // Every node's own log (real entries of every type written) verifies strictly.
        for name in cluster.names {
            let r = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", try cluster.directory(name).path])
            #expect(r.status == 0, "\(name): \(r.output)")
        }

        // An insider rewrites alpha's history and re-signs it with alpha's key: alone it verifies,
        // the witnesses catch it.
        let signer = try Audit.NoteSigner(parsing: String(contentsOfFile: alpha + "/keys/audit-signing.key", encoding: .utf8))
        try AuditTamperTableTests.write(db: alpha + "/audit.sqlite") { db in
            try AuditTamperTableTests.rechain(db, from: 1) { $0.actor = "someone-else" }
            try AuditTamperTableTests.resign(db, with: signer, origin: "cohort.audit/alpha")
        }
        #expect(try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", alpha]).status == 0)
        let caught = try await AuditCommandTests.cohort(["audit", "verify", "--node-dir", alpha, "--witnesses", witnesses])
        #expect(caught.status == 1)
        // Entry 1 was changed: the divergence is placed after the last witnessed size that still
        // matches, which is none (the re-signed stored checkpoints do not count).
        #expect(caught.output.hasPrefix("BROKEN at index 0: fork"), "\(caught.output)")
    }
}
