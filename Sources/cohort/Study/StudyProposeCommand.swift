import CohortWire
import CohortCore
import CohortStudy
import ArgumentParser
import CohortNode
import CohortStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `cohort study propose <study.yaml> --node <dir>`: the node leads the study; on a terminal
/// the command shows who it waits for and each round's progress until it ends.
struct StudyProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a study (YAML) with this node as lead; waits until it completes or fails.",
        discussion: """
            The node must be running (cohort node run). On a terminal, progress lines (who the \
            study waits for, each round's contributions, unreachable participants being retried) \
            go to standard error; when standard output is not a terminal the command is quiet \
            until the end. A spec problem, a participant missing from the node's configuration or \
            the node's own policy refusing the study are reported at once. Exit status: 0 \
            completed; 1 failed or invalid spec; 66 spec file missing; 69 no node running.
            """)

    /// The spec file.
    @Argument(help: "The study specification (YAML or JSON).")
    var spec: String

    /// The node directory.
    @Option(help: "The lead node's directory.")
    var node: String

    /// JSON output.
    @Flag(help: "Print the released result as JSON.")
    var json = false

    /// Force progress lines even when standard output is not a terminal.
    @Flag(help: "Show progress even when standard output is not a terminal.")
    var progress = false

    func run() async throws {
        var parsed = try StudySpecFile.load(spec)
        if parsed.id == nil {
            parsed = try parsed.withID(StudyEngine.newStudyID(purpose: parsed.purpose.rawValue))
        }
        let id = try parsed.requireID()
        let text = String(decoding: try parsed.canonicalJSON(), as: UTF8.self)
        let showProgress = progress || isatty(STDOUT_FILENO) == 1
        let response = try await AdminClient.withConnection(nodeDirectory: node) { client in
            try await withThrowingTaskGroup(of: ProposeOutcome?.self) { group in
                group.addTask {
                    let r = try await client.propose(spec: text)
                    return ProposeOutcome(studyID: r.studyID, state: r.state, reason: r.reason, resultJSON: r.resultJson)
                }
                if showProgress {
                    group.addTask {
                        await Self.follow(study: id, node: node)
                        return nil
                    }
                }
                var outcome: ProposeOutcome?
                for try await value in group {
                    if let value {
                        outcome = value
                        group.cancelAll()
                    }
                }
                guard let outcome else { throw CLIError.failed("study \(id): the node gave no outcome") }
                return outcome
            }
        }
        guard response.state == "completed" else {
            throw CLIError.failed("study \(response.studyID) failed: \(response.reason)")
        }
        let result = try Study.Result.decode(json: response.resultJSON)
        print(json ? String(decoding: try result.prettyJSON(), as: UTF8.self) : "study \(result.study) completed\n" + result.textTable())
    }

    /// Prints a progress line to standard error whenever the study's state, round or awaited
    /// parties change, polling the node every 250 ms until cancelled. Unknown-study answers
    /// (before the node has registered it) are skipped.
    static func follow(study: String, node: String) async {
        var last = ""
        var announced = false
        while !Task.isCancelled {
            let detail = try? await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(10)) {
                try await $0.study(study)
            }
            if let detail {
                if !announced, detail.state != "failed" {
                    announced = true
                    FileHandle.standardError.write(Data(
                        "study \(study) proposed to \(detail.spec.participants.joined(separator: ", ")); the lead waits until \(detail.deadline ?? "its deadline")\n".utf8))
                }
                var key = StudyRendering.progressLine(detail)
                if let bracket = key.firstIndex(of: "]") { key = String(key[key.index(after: bracket)...]) }
                if key != last, detail.state != "failed", detail.state != "completed" {
                    last = key
                    FileHandle.standardError.write(Data((StudyRendering.progressLine(detail) + "\n").utf8))
                }
            }
            do {
                try await Task.sleep(for: .milliseconds(250))
            } catch {
                return  // cancelled: the study has ended
            }
        }
    }
}

/// The parts of the admin propose response the command uses.
struct ProposeOutcome: Sendable {
    /// The study id.
    var studyID: String
    /// `completed` or `failed`.
    var state: String
    /// The failure reason.
    var reason: String
    /// The released result (canonical JSON) when completed.
    var resultJSON: Data
}
