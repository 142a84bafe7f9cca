import CohortCore
import CohortStudy
import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// `cohort study show <id> --node <dir> [--json]`: everything the operator is asked to agree to
/// and where the study stands.
struct StudyShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a study before approving it: lead, parties, kind, purpose, spec, ε/δ and its cost to this node, as_of, the consenting customers it would use, and its state.",
        discussion: """
            Asks the running node; when it does not know the study (ended studies age out), or \
            no node runs, shows the stored result's study. The cost and the customer count are \
            this node's own and are never sent. Exit 66 when the study is unknown, 69 when no \
            node runs and no result is stored.
            """)

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String
    @Flag(help: "Print JSON (snake_case keys).") var json = false

    func run() async throws {
        let detail = try await StudyLookup.detail(study: id, node: node)
        let name = try StudyLookup.nodeName(node)
        print(json ? try JSONOutput.text(detail) : StudyRendering.show(detail, node: name))
    }
}

/// `cohort study status <id> --node <dir> [--json]`: where a running study stands, from any
/// node that takes part.
struct StudyStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Where a study stands: state, round progress, who it waits for and why, each party's stage.",
        discussion: """
            The lead knows every party's stage; a participant knows its own and the lead's. \
            Exit 66 when the study is unknown, 69 when no node runs and no result is stored.
            """)

    @Argument(help: "The study id.") var id: String
    @Option(help: "The node directory.") var node: String
    @Flag(help: "Print JSON (snake_case keys).") var json = false

    func run() async throws {
        let detail = try await StudyLookup.detail(study: id, node: node)
        let name = try StudyLookup.nodeName(node)
        print(json ? try JSONOutput.text(detail) : StudyRendering.status(detail, node: name))
    }
}

/// Finds a study: in the running node, else among the stored results.
enum StudyLookup {
    /// The node's name from its `cohort.yaml`.
    static func nodeName(_ node: String) throws -> String {
        try NodeConfig.load(from: NodeDirectory(node).configPath).node.name
    }

    /// The running node's detail of `study`, or one made from its stored result.
    static func detail(study: String, node: String) async throws -> StudyDetail {
        var unavailable: (any Error)?
        if AdminClient.runningNode(nodeDirectory: node) != nil {
            if let detail = try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(30), {
                try await $0.study(study)
            }) {
                return detail
            }
        } else {
            unavailable = NodeError(.adminUnavailable,
                "no node is running in \(node) and it has no stored result for study \(study)")
        }
        let store = try NodeStore.open(directory: node)
        defer { try? store.close() }
        guard let stored = try store.studyResult(study: study) else {
            if let unavailable { throw unavailable }
            throw CLIError.notFound("node \(node) knows no study \(study) (ended studies leave the running node's list after 15 minutes; released results stay)")
        }
        return try fromStored(stored, now: Date())
    }

    /// A completed study's detail from its stored result (no live progress, no budget preview:
    /// the spend is on record in `cohort budget status`).
    static func fromStored(_ stored: StoredStudyResult, now: Date) throws -> StudyDetail {
        let result = try Study.Result.decode(json: stored.resultJSON)
        let age = max(0, Int(now.timeIntervalSince(result.startedAt).rounded(.down)))
        return StudyDetail(
            id: result.study, role: stored.role == StudyRole.lead.rawValue ? .lead : .participant, lead: result.lead,
            parties: [result.lead] + result.spec.participants, spec: result.spec, state: "completed",
            reason: nil, since: StudyDetail.timestamp(result.startedAt), ageSeconds: age,
            deadline: result.spec.deadlineAt.map(StudyDetail.timestamp),
            secondsToDeadline: result.spec.deadlineAt.map { Int($0.timeIntervalSince(now).rounded(.up)) },
            waitingFor: [], waitingReason: nil,
            round: StudyDetail.Round(number: result.spec.rounds, of: result.spec.rounds,
                                     received: result.participants.count, expected: result.participants.count),
            progress: ([result.lead] + result.spec.participants).map { PartyProgress(node: $0, stage: "completed") },
            budget: nil)
    }
}
