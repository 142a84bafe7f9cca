import CohortStudy
import CohortNode
import CohortScenario
import Foundation

/// `cohort study result <id> --html [--out FILE]`: the released result as a self-contained HTML
/// page (``StudyResultReport``), on standard output or written to a file (0644, atomically).
enum StudyResultHTML {
    /// Renders `result` and prints it, or writes it to `out` (`-` is standard output).
    static func emit(result: Study.Result, role: String, digest: String, out: String?) throws {
        let page = StudyResultReport.html(result: result, role: role, digest: digest)
        guard let out, out != "-" else {
            print(page, terminator: "")
            return
        }
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIError.failed("cannot write \(out): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
    }
}
