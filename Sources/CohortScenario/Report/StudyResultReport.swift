import CohortCore
public import CohortStudy
import CohortNode
import Foundation

/// `cohort study result <id> --html`: one released result as a self-contained page for a
/// partner's data team — the spec that was agreed, the answer per cell with error bars, the
/// privacy each node spent and the digest that identifies the result.
public enum StudyResultReport {
    /// The page for `result`, stored on this node in `role` (`lead`/`participant`) with SHA-256
    /// `digest` (hex). O(cells).
    public static func html(result: Study.Result, role: String, digest: String) -> String {
        let study = ScenarioSummary.StudySummary(result: result)
        var body = ""
        if result.simulatedNoise {
            body += "<p class=\"banner bad\">SIMULATED NOISE — at least one node used seeded noise: no privacy guarantee.</p>"
        }
        let spec = result.spec
        var specRows: [[HTMLTable.Cell]] = [
            [.text("study"), .text(result.study)],
            [.text("lead"), .text(result.lead)],
            [.text("this node's role"), .text(role)],
            [.text("kind"), .text(spec.kind.rawValue)],
            [.text("purpose"), .text(spec.purpose.rawValue)],
            [.text("as of"), .text("\(spec.asOf)")],
            [.text("dimensions"), .text(spec.dimensions.map(\.rawValue).joined(separator: " × "))],
        ]
        if let mean = spec.mean {
            specRows.append([.text("measure"), .text("\(mean.measure.rawValue), clamped to [\(HTMLText.exact(mean.lower)), \(HTMLText.exact(mean.upper))] (\(mean.measure.unit))")])
        }
        specRows += [
            [.text("ε per node"), .text(HTMLText.exact(spec.privacy.epsilon))],
            [.text("δ per node"), .text(HTMLText.exact(spec.privacy.delta))],
            [.text("min_count (suppression)"), .text(String(spec.privacy.minCount))],
            [.text("started"), .text(Self.timestamp(result.startedAt))],
            [.text("completed"), .text(Self.timestamp(result.completedAt))],
            [.text("result SHA-256"), .text(digest)],
        ]
        body += "<section id=\"spec\"><h2>What was agreed</h2>" + HTMLTable(headers: ["", ""], rows: specRows).html() + "</section>"
        body += "<section id=\"result\"><h2>Result</h2>"
        body += "<p>Standard errors include the privacy noise only, not the sampling variation of customers. "
            + "Suppressed cells had a released count below min_count. No node's exact count of customers was released.</p>"
        body += StudySectionHTML.render(study, anchor: "study") + "</section>"
        return HTMLPage(title: "Study \(result.study)", subtitle: "Released result, lead \(result.lead), sha256 \(digest)", body: body).html()
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
