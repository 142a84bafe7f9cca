import ArgumentParser
import CohortAudit
import Foundation

/// Where an audit command finds the log: `--audit <file>` or `--node-dir <dir>` (alias `--node`).
struct AuditLocationOptions: ParsableArguments {
    @Option(name: [.customLong("node-dir"), .customLong("node")], help: "Node directory (uses <dir>/audit.sqlite).")
    var nodeDir: String = "."

    @Option(name: .customLong("audit"), help: "Audit database file (overrides --node-dir).")
    var audit: String?

    /// The audit database path.
    var databasePath: String { audit ?? (nodeDir as NSString).appendingPathComponent("audit.sqlite") }

    /// Opens the log read-only.
    func openReader() throws -> Audit.LogReader {
        try Audit.LogReader.open(path: databasePath)
    }
}

/// Reads a verifier key given inline (`name+keyid+key`) or as a file containing one.
func loadVerifierKey(_ value: String) throws -> Audit.NoteVerifier {
    if FileManager.default.fileExists(atPath: value) {
        guard let text = try? String(contentsOfFile: value, encoding: .utf8) else {
            throw AuditError(.fileAccess, "cannot read verifier key file \(value)")
        }
        return try Audit.NoteVerifier(parsing: text)
    }
    // Not a file: it must be the key itself.
    do {
        return try Audit.NoteVerifier(parsing: value)
    } catch let error as AuditError {
        throw AuditError(error.code, "--key \(value): no such file, and not a verifier key either (\(error.message))")
    }
}

/// Reads a text file or throws `.fileAccess` naming it.
func readTextFile(_ path: String) throws -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw AuditError(.fileAccess, "cannot read \(path)")
    }
    return text
}

/// Writes `text` to `path`, or to standard output when `path` is nil or `-`.
func emit(_ text: String, to path: String?) throws {
    guard let path, path != "-" else {
        print(text, terminator: "")
        return
    }
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw AuditError(.fileAccess, "cannot write \(path): \(error.localizedDescription)")
    }
}
