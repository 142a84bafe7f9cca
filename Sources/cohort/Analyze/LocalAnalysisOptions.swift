import CohortCore
import ArgumentParser
import CohortAnalytics
import CohortAudit
import CohortNode
import CohortStore
import Foundation

/// Options shared by the node-local analysis commands (`analyze`, `data features`).
struct LocalAnalysisOptions: ParsableArguments {
    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Reference date.
    @Option(name: .customLong("as-of"), help: "Reference date, YYYY-MM-DD (UTC): features are computed as of the end of that day.")
    var asOf: String

    /// Restrict to the customers consenting to a purpose.
    @Option(help: "Only customers consenting to this purpose now (segmentation, benchmarking, model-training). Default: all customers.")
    var purpose: String?

    /// Audit actor.
    @Option(help: "Who runs the analysis, for the audit log (default: $USER).")
    var actor: String?

    func validate() throws {
        guard CivilTime.parseDate(asOf) != nil else {
            throw ValidationError("--as-of '\(asOf)' is not a valid date (YYYY-MM-DD)")
        }
        if let purpose { _ = try Purpose.parse(purpose) }
    }

    /// The request for `command` with these options.
    func request(_ command: LocalAnalysis.Command) throws -> LocalAnalysis.Request {
        LocalAnalysis.Request(
            command: command, asOf: asOf, purpose: try purpose.map(Purpose.parse),
            actor: actor ?? NodeSession.defaultActor)
    }
}

extension LocalAnalysis {
    /// Runs `request` on `node`: in the running node (which reads the data and writes the
    /// `data.accessed` entry) or, when none runs, in this process. Output chunks go to `sink`.
    static func route(_ request: Request, node: String, sink: @escaping @Sendable (Data) async throws -> Void) async throws {
        try await NodeRouting.route(node: node) { client in
            try await client.localAnalysis(request, receive: sink)
        } offline: {
            try await NodeSession.run(directory: node) { store, config, log in
                try await LocalAnalysis.run(request, store: store, config: config, audit: log, emit: sink)
            }
        }
    }

    /// A sink writing to standard output.
    static let standardOutput: @Sendable (Data) async throws -> Void = { data in
        try FileHandle.standardOutput.write(contentsOf: data)
    }
}
