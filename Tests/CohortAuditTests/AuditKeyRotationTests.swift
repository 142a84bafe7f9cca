@testable import CohortAudit
import Foundation
import Testing

/// Issue 15: replacing the audit key was possible only by overwriting files (the verifier file
/// was rewritten by the node); a rotation is now explicit, on record, and signed by both keys.
@Suite struct AuditKeyRotationTests {
    @Test func rotationIsRecordedSignedByBothKeysAndVerifiesWithEitherKey() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let node = dir.path + "/acme"
        let log = try await Audit.Log.open(nodeDirectory: node, node: "acme")
        for i in 0..<5 { _ = try await log.record(sampleEvent(i)) }
        await log.close()
        let oldKey = try Audit.NoteVerifier(parsing: String(contentsOfFile: node + "/audit-verifier.txt", encoding: .utf8))

        let r = try await Audit.Log.rotateKey(nodeDirectory: node, node: "acme", actor: "ops")
        #expect(r.oldVerifier == oldKey)
        #expect(try String(contentsOfFile: r.retiredVerifierFile, encoding: .utf8) == oldKey.text + "\n")
        let newKey = try Audit.NoteVerifier(parsing: String(contentsOfFile: node + "/audit-verifier.txt", encoding: .utf8))
        #expect(newKey == r.newVerifier && newKey != oldKey)

        // Appends continue under the new key.
        let again = try await Audit.Log.open(nodeDirectory: node, node: "acme")
        for i in 5..<8 { _ = try await again.record(sampleEvent(i)) }
        await again.close()

        let reader = try Audit.LogReader.open(path: node + "/audit.sqlite")
        let rotated = try reader.entry(at: 5).entry
        #expect(rotated.type == .keyRotated)
        #expect(rotated.details["old_verifier"] == .string(oldKey.text))
        #expect(rotated.details["new_verifier"] == .string(newKey.text))
        let handover = try #require(try reader.storedCheckpoints().first { $0.size == r.handoverSize })
        let cp = try Audit.SignedCheckpoint(parsing: handover.note)
        #expect(cp.note.verify(oldKey) && cp.note.verify(newKey))
        #expect(r.handoverSize == 6)

        for key in [oldKey, newKey] {
            guard case .intact(9, _) = try reader.verify(key: key) else {
                Issue.record("the rotated log should verify with \(key.text)")
                return
            }
        }
        // A key that is not in the log's history still fails every checkpoint.
        let stranger = try Audit.NoteSigner.generate(name: "cohort.audit/acme").verifier
        guard case .broken = try reader.verify(key: stranger) else {
            Issue.record("a foreign key verified the log")
            return
        }
    }
}
