import ArgumentParser
import CohortNet
import CohortAudit
import CohortNode
import CohortTestSupport
import Foundation
import Testing
@testable import cohort

/// CLI-level tests of `cohort pki` against a node directory.
@Suite("pki commands")
struct PKICommandTests {
    /// An initialized node `acme` with a certificate from a fresh consortium CA.
    struct Fixture {
        let temp: TemporaryDirectory
        var node: String { temp.appending("node").path }
        var ca: String { temp.appending("ca").path }

        init(ip: [String] = []) async throws {
            temp = try TemporaryDirectory(prefix: "cohort-pki-cli")
            try await NodeInitCommand.parse([temp.appending("node").path, "--name", "acme", "--consortium", "demo"]).run()
            try PKIInitCACommand.parse(["--out", temp.appending("ca").path, "--consortium", "demo"]).run()
            try PKIIssueCommand.parse(
                ["--ca", temp.appending("ca").path, "--node", "acme", "--out", temp.appending("node").path + "/tls"]
                    + ip.flatMap { ["--ip", $0] }).run()
        }
    }

    @Test("rotate reissues the node's key, keeps a backup, and audits key.rotated durably")
    func rotateIsAudited() async throws {
        let f = try await Fixture(ip: ["127.0.0.1"])
        defer { f.temp.remove() }
        let (node, ca) = (f.node, f.ca)
        let before = try PKI.NodeTLSMaterial.load(nodeDirectory: node)
        #expect(PKI.Files.permissions(of: node + "/tls/node.key") == 0o600)

        try await PKIRotateCommand.parse(["--ca", ca, "--node-dir", node]).run()

        let after = try PKI.NodeTLSMaterial.load(nodeDirectory: node)
        let oldPrint = try PKI.fingerprint(of: before.credentials.certificate)
        let newPrint = try PKI.fingerprint(of: after.credentials.certificate)
        #expect(oldPrint != newPrint)
        #expect(try after.identity().node == "acme")
        #expect(PKI.Files.permissions(of: node + "/tls/node.key") == 0o600)
        let reader = try Audit.LogReader.open(path: node + "/audit.sqlite")
        let entries = try (0..<reader.size()).map { try reader.entry(at: $0).entry }
        let rotated = try #require(entries.last { $0.type == .keyRotated })
        #expect(rotated.details["old_sha256"] == .string(oldPrint))
        #expect(rotated.details["new_sha256"] == .string(newPrint))
        guard case .intact = try reader.verify() else {
            Issue.record("audit log does not verify after the rotation")
            return
        }
    }

    @Test("rotate refuses while the node's audit log is held by another process")
    func rotateRefusedWhileLogIsHeld() async throws {
        let f = try await Fixture()
        defer { f.temp.remove() }
        let (node, ca) = (f.node, f.ca)
        let before = try PKI.fingerprint(of: try PKI.NodeTLSMaterial.load(nodeDirectory: node).credentials.certificate)
        let held = try await Audit.Log.open(nodeDirectory: node, node: "acme")
        await #expect(throws: AuditError.self) {
            try await PKIRotateCommand.parse(["--ca", ca, "--node-dir", node]).run()
        }
        await held.close()
        let after = try PKI.fingerprint(of: try PKI.NodeTLSMaterial.load(nodeDirectory: node).credentials.certificate)
        #expect(before == after, "nothing rotated")
    }
}
