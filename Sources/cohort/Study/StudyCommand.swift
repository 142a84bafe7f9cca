import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort study …`: propose, approve, reject and read federated studies.
struct StudyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Propose, approve, reject and read federated studies.",
        subcommands: [
            StudyProposeCommand.self, StudyApproveCommand.self, StudyRejectCommand.self, StudyListCommand.self,
            StudyResultCommand.self,
        ]
    )
}

/// `cohort study propose <study.yaml> --node <dir>`: the node leads the study and waits for it.
struct StudyProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a study (YAML) with this node as lead; waits until it completes or fails.",
        discussion: "The node must be running (cohort node run). Exit status 1 when the study fails."
    )

    /// The spec file.
    @Argument(help: "The study specification (YAML or JSON).")
    var spec: String

    /// The node directory.
    @Option(help: "The lead node's directory.")
    var node: String

    /// JSON output.
    @Flag(help: "Print the released result as JSON.")
    var json = false

    func validate() throws {
        let text: String
        do {
            text = try String(contentsOfFile: spec, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(spec): \(error.localizedDescription)")
        }
        do {
            _ = try Study.Spec.load(yaml: text)
        } catch {
            throw ValidationError("\(spec): \(error)")
        }
    }

    func run() async throws {
        var parsed = try Study.Spec.load(yaml: try String(contentsOfFile: spec, encoding: .utf8))
        if parsed.id == nil {
            parsed = try parsed.withID(StudyEngine.newStudyID(purpose: parsed.purpose.rawValue))
        }
        let id = try parsed.requireID()
        FileHandle.standardError.write(Data(
            "study \(id) proposed by \(node) to \(parsed.participants.joined(separator: ", ")); waiting up to \(parsed.deadlineSeconds) s (participants without auto-approval must run `cohort study approve \(id)`)\n".utf8))
        let text = String(decoding: try parsed.canonicalJSON(), as: UTF8.self)
        let response = try await AdminClient.withConnection(nodeDirectory: node) { try await $0.propose(spec: text) }
        guard response.state == "completed" else {
            FileHandle.standardError.write(Data("study \(response.studyID) failed: \(response.reason)\n".utf8))
            throw ExitCode.failure
        }
        let result = try Study.Result.decode(json: response.resultJson)
        print(json ? String(decoding: try result.prettyJSON(), as: UTF8.self) : "study \(result.study) completed\n" + result.textTable())
    }
}

/// `cohort study approve <id> --node <dir>`.
struct StudyApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a study this node queued for the operator.")

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String

    func run() async throws {
        let state = try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30)) {
            try await $0.decide(study: id, approve: true, reason: "")
        }
        print("study \(id): \(state)")
    }
}

/// `cohort study reject <id> --node <dir> [--reason r]`.
struct StudyRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a study this node queued for the operator.")

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String
    @Option(help: "The reason sent to the lead and audited.") var reason: String = "no reason given"

    func run() async throws {
        let state = try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30)) {
            try await $0.decide(study: id, approve: false, reason: reason)
        }
        print("study \(id): \(state)")
    }
}

/// `cohort study list --node <dir>`: studies the running node knows, and stored results.
struct StudyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List studies: those the running node knows, and every stored result.")

    @Option(help: "The node directory.") var node: String

    func run() async throws {
        if let studies = try? await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30), { try await $0.studies() }) {
            print("running node:")
            if studies.isEmpty { print("  no studies") }
            for s in studies { print("  \(s.id) [\(s.role.rawValue), lead \(s.lead), \(s.kind), \(s.purpose)]: \(s.state)") }
        }
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        print("stored results:")
        let results = try store.studyResults()
        if results.isEmpty { print("  none") }
        for r in results {
            print("  \(r.study) [\(r.role), lead \(r.lead), \(r.kind), \(r.purpose)] sha256 \(r.digestHex.prefix(16))…")
        }
    }
}

/// `cohort study result <id> --node <dir> [--json|--csv]`: a stored result with standard errors.
struct StudyResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result", abstract: "Show a released study result with its standard errors.")

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print CSV.") var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }

    func run() async throws {
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        guard let stored = try store.studyResult(study: id) else {
            throw ValidationError("node \(node) has no released result for study \(id)")
        }
        let result = try Study.Result.decode(json: stored.resultJSON)
        if json {
            print(String(decoding: try result.prettyJSON(), as: UTF8.self))
        } else if csv {
            print(result.csv(), terminator: "")
        } else {
            print("study \(result.study) (\(stored.role), lead \(stored.lead)), sha256 \(stored.digestHex)")
            print(result.textTable())
        }
    }
}
