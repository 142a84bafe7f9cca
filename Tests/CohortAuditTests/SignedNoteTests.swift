import Foundation
import CohortAudit
import Testing

/// Vectors from golang.org/x/mod/sumdb/note (note_test.go).
@Suite struct SignedNoteTests {
    static let peterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let peterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let enochVerifier = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterSig = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    static let enochSig = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

    @Test func signMatchesGoReference() throws {
        let signer = try Audit.NoteSigner(parsing: Self.peterSigner)
        #expect(signer.verifier.text == Self.peterVerifier)
        #expect(signer.verifier.keyID == 0xc74f20a3)
        var note = try Audit.SignedNote(text: Self.text)
        try note.sign(with: signer)
        #expect(note.serialized == Self.text + "\n" + Self.peterSig)
        #expect(!signer.description.contains("AYEKFAL"))
    }

    @Test func openWithCosignatures() throws {
        let peter = try Audit.NoteVerifier(parsing: Self.peterVerifier)
        let enoch = try Audit.NoteVerifier(parsing: Self.enochVerifier)
        let note = try Audit.SignedNote(parsing: Self.text + "\n" + Self.peterSig + Self.enochSig)
        #expect(note.text == Self.text)
        #expect(note.signatures.count == 2)
        #expect(note.verify(peter))
        #expect(note.verify(enoch))
        let bad = try Audit.SignedNote(parsing: Self.text + "\n" + Self.peterSig.replacingOccurrences(of: "x08go", with: "x08gp"))
        #expect(!bad.verify(peter))
        #expect(throws: AuditError.self) { try bad.requireSignature(by: peter) }
    }

    @Test(arguments: [
        text, text + "\n", text + "\n" + String(peterSig.dropLast()), "\u{01}" + text + "\n" + peterSig,
        text + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        text + "\n" + peterSig + "Unexpected line.\n",
    ])
    func malformedNotesRejected(_ msg: String) {
        #expect(throws: AuditError.self) { try Audit.SignedNote(parsing: msg) }
    }

    @Test func verifierManglingsRejected() {
        #expect(throws: AuditError.self) { try Audit.NoteVerifier(parsing: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") }
        #expect(throws: AuditError.self) { try Audit.NoteVerifier(parsing: "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") }
        #expect(throws: AuditError.self) { try Audit.NoteVerifier(parsing: "PeterNeumann+c74f20a3") }
    }

    @Test func checkpointRoundTripAndCosign() throws {
        let log = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        let witness = try Audit.NoteSigner.generate(name: "cohort.audit/globex")
        let cp = Audit.Checkpoint(origin: "cohort.audit/acme", size: 8, root: Audit.Merkle.emptyRoot, extensions: ["ext line"])
        #expect(cp.text == "cohort.audit/acme\n8\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next line\n")
        var signed = try Audit.SignedCheckpoint(signing: cp, with: log)
        try signed.verify(logKey: log.verifier)
        var cosignedByPeer = signed
        try cosignedByPeer.cosign(with: witness)
        let line = try #require(cosignedByPeer.note.signatures.last)
        try signed.addCosignature(line, verifiedBy: witness.verifier)
        #expect(signed.hasCosignature(by: witness.verifier))
        let parsed = try Audit.SignedCheckpoint(parsing: signed.serialized)
        #expect(parsed.checkpoint == cp)
        try parsed.verify(logKey: log.verifier)
        var wrong = line
        wrong.signature[0] ^= 1
        #expect(throws: AuditError.self) { try signed.addCosignature(wrong, verifiedBy: witness.verifier) }
        #expect(throws: AuditError.self) { try parsed.verify(logKey: witness.verifier) }
    }
}
