public import Foundation

/// Writes a scenario run's three report files into a directory: `summary.json`
/// (``ScenarioSummary/json()``), `report.md` (``ScenarioReportMarkdown``) and `report.html`
/// (``ScenarioReportHTML``) — the same numbers in each.
public enum ScenarioReport {
    /// The file names written.
    public static let files = ["summary.json", "report.md", "report.html"]

    /// Writes the three files into `directory` (created if missing), each atomically, and returns
    /// their URLs in ``files`` order. Throws ``ScenarioError/Code/io`` naming the file on failure,
    /// ``ScenarioError/Code/invalidArgument`` when a number is not finite (nothing is written then).
    @discardableResult
    public static func write(_ summary: ScenarioSummary, to directory: URL) throws -> [URL] {
        let contents: [Data] = [
            try summary.json(),
            Data(ScenarioReportMarkdown.render(summary).utf8),
            Data(ScenarioReportHTML.render(summary).utf8),
        ]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ScenarioError(.io, "cannot create report directory \(directory.path): \(error.localizedDescription)")
        }
        var urls: [URL] = []
        for (name, data) in zip(files, contents) {
            let url = directory.appendingPathComponent(name)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw ScenarioError(.io, "cannot write \(url.path): \(error.localizedDescription)")
            }
            urls.append(url)
        }
        return urls
    }
}
