import Foundation

/// `<node-dir>/audit-verifier.txt`: the public verifier key an officer keeps. The node creates it
/// once and never overwrites it.
enum VerifierFile {
    /// Creates the file (mode 0644) with `signer`'s verifier if it does not exist; if it exists it
    /// must hold exactly that verifier, otherwise `.wrongNode` is thrown and the file is left as
    /// it is (a replaced signing key is refused, never silently published).
    static func check(path: String, signer: Audit.NoteSigner) throws {
        let expected = signer.verifier.text
        if FileManager.default.fileExists(atPath: path) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw AuditError(.fileAccess, "cannot read \(path): \(error.localizedDescription)")
            }
            let existing = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard existing == expected else {
                throw AuditError(.wrongNode, "the audit signing key (verifier \(expected)) does not match \(path) (\(existing)); the verifier file is never overwritten: restore the original key, or rotate keys with `cohort audit rotate-key`")
            }
            return
        }
        try SecureFile.write(Array((expected + "\n").utf8), to: path, mode: 0o644)
    }
}
