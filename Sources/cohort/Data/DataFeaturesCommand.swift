import ArgumentParser
import CohortAnalytics
import CohortStore
import Foundation

/// `cohort data features`: exports the per-customer feature table for the partner's own tools.
struct DataFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Export the per-customer feature table (RFM, scores, segment, stage, tier, CLV …) as CSV.",
        discussion: "Local only: the file contains customer ids and never crosses the network. The access is audited."
    )

    @OptionGroup var options: LocalAnalysisOptions

    /// Output file.
    @Option(help: "The CSV file to write (refused if it exists, unless --force).")
    var out: String

    /// Overwrite.
    @Flag(help: "Overwrite an existing output file.")
    var force = false

    func validate() throws {
        if !force, FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) exists; use --force to overwrite it")
        }
    }

    func run() async throws {
        let count = try await NodeSession.run(directory: options.node) { store, _, log in
            let tables = try await options.loadTables(store: store, log: log, command: "data features")
            let features = try Analytics.Features.compute(
                customers: tables.customers, transactions: tables.transactions, asOf: options.asOfDay)
            let temporary = out + ".partial"
            _ = FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600])
            guard let handle = FileHandle(forWritingAtPath: temporary) else {
                throw ValidationError("cannot write \(temporary)")
            }
            var buffer = Data()
            for line in Analytics.FeatureCSV.lines(features) {
                buffer.append(contentsOf: line.utf8)
                buffer.append(0x0A)
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: buffer)
            try handle.synchronize()
            try handle.close()
            if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(atPath: out) }
            try FileManager.default.moveItem(atPath: temporary, toPath: out)
            return features.count
        }
        print("Wrote \(count) customers' features to \(out)")
    }
}
