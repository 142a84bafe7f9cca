import CohortCore
import CohortStudy
import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort study …`: propose, follow, approve, reject, read and apply federated studies.
struct StudyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Propose, follow, approve, reject, read and apply federated studies.",
        subcommands: [
            StudyProposeCommand.self, StudyValidateCommand.self, StudyShowCommand.self, StudyStatusCommand.self,
            StudyApproveCommand.self, StudyRejectCommand.self, StudyListCommand.self, StudyResultCommand.self,
            StudyApplyCommand.self,
        ]
    )
}

/// `cohort study approve <id> --node <dir>`.
struct StudyApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a study this node queued for the operator.",
        discussion: "Run `cohort study show <id>` first to see what is asked. Exit 66 when the node does not know the study, 77 when it is no longer waiting for approval (expired, already decided).")

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String

    func run() async throws {
        let state = try await StudyDecision.decide(node: node, study: id, approve: true, reason: "")
        print("study \(id): \(state)")
    }
}

/// `cohort study reject <id> --node <dir> [--reason r]`.
struct StudyRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a study this node queued for the operator.",
        discussion: "Exit 66 when the node does not know the study, 77 when it is no longer waiting for approval.")

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String
    @Option(help: "The reason sent to the lead and audited.") var reason: String = "no reason given"

    func run() async throws {
        let state = try await StudyDecision.decide(node: node, study: id, approve: false, reason: reason)
        print("study \(id): \(state)")
    }
}

/// The operator's decision on a queued study, with refusals mapped to exit status 77.
enum StudyDecision {
    /// Sends the decision to the running node; returns the study's state afterwards.
    static func decide(node: String, study: String, approve: Bool, reason: String) async throws -> String {
        do {
            return try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30)) {
                try await $0.decide(study: study, approve: approve, reason: reason)
            }
        } catch let error as NodeError where error.code == .refused {
            throw CLIError.refused(error.message)
        }
    }
}

/// `cohort study list --node <dir> [--json]`: studies the running node knows, and stored results.
struct StudyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List studies: state, lead, purpose, ε and age of those the running node knows, and every stored result.",
        discussion: "Ended studies leave the running node's list 15 minutes after they end (participant studies not before their deadline); released results stay in the store.")

    @Option(help: "The node directory.") var node: String
    @Flag(help: "Print JSON (snake_case keys).") var json = false

    /// The `--json` document.
    struct Document: Codable {
        /// Whether a node runs in the directory.
        var running: Bool
        /// Studies the running node knows (empty when none runs).
        var studies: [StudySummary]
        /// Stored results.
        var results: [Result]

        /// One stored result.
        struct Result: Codable {
            var study: String
            var role: String
            var lead: String
            var kind: String
            var purpose: String
            var sha256: String
            var storedAt: String
        }
    }

    func run() async throws {
        var studies: [StudySummary]?
        if AdminClient.runningNode(nodeDirectory: node) != nil {
            studies = try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30)) { try await $0.studies() }
        }
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        let results = try store.studyResults()
        if json {
            let document = Document(
                running: studies != nil, studies: studies ?? [],
                results: results.map {
                    Document.Result(study: $0.study, role: $0.role, lead: $0.lead, kind: $0.kind, purpose: $0.purpose,
                                    sha256: $0.digestHex, storedAt: StudyDetail.timestamp($0.storedAt))
                })
            print(try JSONOutput.text(document))
        } else {
            print(StudyRendering.list(studies: studies, results: results))
        }
    }
}

/// `cohort study result <id> --node <dir> [--json|--csv|--html [--out FILE]]`: a stored result with standard errors.
struct StudyResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result", abstract: "Show a released study result with its standard errors.",
        discussion: "Exit 66 when the node has no released result for the study.")

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print CSV.") var csv = false
    @Flag(help: "Print a self-contained HTML report (charts, no external assets).") var html = false
    @Option(help: "With --html: write the page to this file instead of standard output.") var out: String?

    func validate() throws {
        if [json, csv, html].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --csv and --html") }
        if out != nil && !html { throw ValidationError("--out needs --html") }
    }

    func run() async throws {
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        guard let stored = try store.studyResult(study: id) else {
            throw CLIError.notFound("node \(node) has no released result for study \(id)")
        }
        let result = try Study.Result.decode(json: stored.resultJSON)
        if json {
            print(String(decoding: try result.prettyJSON(), as: UTF8.self))
        } else if csv {
            print(result.csv(), terminator: "")
        } else if html {
            try StudyResultHTML.emit(result: result, role: stored.role, digest: stored.digestHex, out: out)
        } else {
            print("study \(result.study) (\(stored.role), lead \(stored.lead)), sha256 \(stored.digestHex)")
            print(result.textTable())
        }
    }
}
