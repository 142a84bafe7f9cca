import ArgumentParser
import CohortAnalytics
import CohortNode
import CohortStore
import Foundation

/// `cohort data features`: exports the per-customer feature table for the partner's own tools.
struct DataFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Export the per-customer feature table (RFM, scores, segment, stage, tier, CLV …) as CSV.",
        discussion: "Local only: the file contains customer ids and never crosses the network. The access is audited. Works while the node runs (the node reads the data and audits the access). With --study, a released kmeans study adds each customer's cluster and cluster_name, a logistic-regression (churn) study adds churn_probability; only customers consenting now to the study's purpose are exported."
    )

    @OptionGroup var options: LocalAnalysisOptions

    /// Output file.
    @Option(help: "The CSV file to write (refused if it exists, unless --force).")
    var out: String

    /// Overwrite.
    @Flag(help: "Overwrite an existing output file.")
    var force = false

    /// A released learning study whose model scores each customer.
    @Option(help: "A released kmeans or logistic-regression study: add its cluster (cluster, cluster_name) or churn_probability columns. Only customers consenting now to its purpose.")
    var study: String?

    func validate() throws {
        if !force, FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) exists; use --force to overwrite it")
        }
    }

    func run() async throws {
        // The node (or this process when it is stopped) reads the data and audits the access;
        // the file is written here, to a 0600 temporary that replaces `out` only when complete.
        let temporary = out + ".partial"
        _ = FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600])
        guard let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CLIError.failed("cannot write \(temporary)")
        }
        let lines = LineCounter()
        do {
            var request = try options.request(.features)
            request.study = study
            try await LocalAnalysis.route(request, node: options.node) { data in
                try handle.write(contentsOf: data)
                lines.add(data)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(atPath: out) }
        try FileManager.default.moveItem(atPath: temporary, toPath: out)
        print("Wrote \(max(0, lines.count - 1)) customers' features to \(out)")
    }
}

/// Counts newline bytes in streamed chunks (the feature CSV has one header line).
final class LineCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var newlines = 0

    /// Adds the newlines of `data`. O(bytes).
    func add(_ data: Data) {
        let n = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        lock.lock()
        newlines += n
        lock.unlock()
    }

    /// Newlines seen so far.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return newlines
    }
}
