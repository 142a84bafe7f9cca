import CohortStudy
import CohortNode
import Foundation

/// Reads and checks a study spec file for `study validate` and `study propose`.
enum StudySpecFile {
    /// The text of `path`, or a not-found error (exit 66) naming the file and the reason.
    static func read(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.notFound("\(path): no such spec file")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError.notFound("\(path): cannot read the spec as UTF-8 text: \(error.localizedDescription)")
        }
    }

    /// The checked spec of `path`; a problem is a failure (exit 1) whose message is the
    /// diagnostic: `file:line:column: what is wrong` and a `fix:` line.
    static func load(_ path: String) throws -> Study.Spec {
        let text = try read(path)
        do {
            return try Study.Spec.check(yaml: text, file: path)
        } catch let diagnostic as Study.SpecDiagnostic {
            throw CLIError.failed(diagnostic.description)
        }
    }
}
