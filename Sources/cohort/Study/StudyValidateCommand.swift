import CohortCore
import CohortStudy
import ArgumentParser
import CohortNode
import Foundation

/// `cohort study validate <spec> [--json]`: checks a spec offline.
struct StudyValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a study spec without a node: every key, value and rule, with file:line:column and the fix.",
        discussion: """
            Needs no node and contacts none (whether the participants' policies accept the study is \
            only known when it is proposed). Exit status: 0 valid; 1 the spec has a problem (printed \
            as file:line:column, what is wrong, and the fix); 66 the file cannot be read; 64 usage.
            """)

    @Argument(help: "The study specification (YAML or JSON).") var spec: String
    @Flag(help: "Print JSON (snake_case keys): {file, valid, error?, spec?, cells?, rho?, sigma?}.") var json = false

    /// The `--json` document.
    struct Document: Codable {
        var file: String
        var valid: Bool
        var error: Study.SpecDiagnostic?
        var spec: Study.Spec?
        var cells: Int?
        var rho: Double?
        var sigma: Double?
    }

    func run() async throws {
        let text = try StudySpecFile.read(spec)
        do {
            let parsed = try Study.Spec.check(yaml: text, file: spec)
            if json {
                let plan = try? Study.Calibration.plan(for: parsed)
                print(try JSONOutput.text(Document(
                    file: spec, valid: true, spec: parsed, cells: parsed.layout.cellCount, rho: plan?.rho,
                    sigma: plan.map { $0.sigmaSquared.squareRoot() })))
            } else {
                print(StudyRendering.valid(parsed, file: spec))
            }
        } catch let diagnostic as Study.SpecDiagnostic {
            if json {
                print(try JSONOutput.text(Document(file: spec, valid: false, error: diagnostic)))
                throw ExitCode.failure
            }
            throw CLIError.failed(diagnostic.description)
        }
    }
}
