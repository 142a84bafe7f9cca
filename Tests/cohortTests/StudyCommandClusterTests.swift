import CohortCore
import CohortNet
import CohortNode
import CohortScenario
import CohortStore
import CohortNetTestSupport
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

/// `cohort study …` run as a separate process against real `cohort node run` processes on
/// loopback (issue 17, items 1, 2, 3 and 5): show, status, list, approve, propose's progress,
/// expiry, up-front failures, retries of an unreachable participant, and validate's exit codes.
@Suite(.serialized) struct StudyCommandClusterTests {
    static let asOf = "2026-06-30"

    /// The outcome of one `cohort` run.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A `cohort` process whose output is collected into files (no pipe can fill up).
    final class CLIProcess: @unchecked Sendable {
        let process = Process()
        let out: URL
        let err: URL

        init(_ arguments: [String], in directory: URL) throws {
            let id = UUID().uuidString
            out = directory.appendingPathComponent("cli-\(id).out")
            err = directory.appendingPathComponent("cli-\(id).err")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = try BuiltProducts.cohortExecutable()
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.standardInput = FileHandle.nullDevice
            try ProcessLauncher.run(process)
        }

        /// Waits at most `timeout` for the process to exit (then kills it by pid) and returns its outcome.
        func wait(timeout: Duration = .seconds(60)) async throws -> Run {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while process.isRunning, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                _ = await ChildProcess.waitForExit(process)
                Issue.record("cohort \(process.arguments ?? []) did not exit within \(timeout)")
            }
            _ = await ChildProcess.waitForExit(process)
            return Run(
                status: process.terminationStatus,
                stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }
    }

    static func cohort(_ arguments: [String], in directory: URL, timeout: Duration = .seconds(60)) async throws -> Run {
        try await CLIProcess(arguments, in: directory).wait(timeout: timeout)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    static func writeSpec(_ directory: URL, name: String, id: String, participants: [String], epsilon: Double = 1,
                          deadline: Int) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data("""
            id: \(id)
            kind: histogram
            purpose: segmentation
            as_of: \(asOf)
            dimensions: [rfm_segment]
            privacy: { epsilon: \(epsilon), delta: 1.0e-6, min_count: 0 }
            participants: [\(participants.joined(separator: ", "))]
            deadline_seconds: \(deadline)
            """.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// alpha and beta (beta approves by hand), and gamma, which is configured but never started.
    static func makeCluster(_ directory: TemporaryDirectory) async throws -> LocalCluster {
        let pki = try PKI.TestPKI(consortium: "demo")
        let manual: @Sendable (inout NodeConfig) -> Void = { $0.studies.autoApprove = false }
        let members = [
            LocalCluster.Member(name: "alpha", profile: .retail, customers: 200, material: try pki.material(for: "alpha")),
            LocalCluster.Member(
                name: "beta", profile: .telecom, customers: 150, material: try pki.material(for: "beta"), configure: manual),
            LocalCluster.Member(name: "gamma", profile: .bank, customers: 100, material: try pki.material(for: "gamma")),
        ]
        return try await LocalCluster.prepare(members: members, base: directory.url, consortium: "demo", seed: 11, asOf: asOf)
    }

    /// Waits (bounded) until `node` lists `study` in a state starting with `state`.
    static func waitForState(_ study: String, _ state: String, node: String, in directory: URL) async throws -> Bool {
        for _ in 0..<150 {
            let run = try await cohort(["study", "list", "--node", node, "--json"], in: directory)
            if run.status == 0, let studies = try json(run.stdout)["studies"] as? [[String: Any]],
               studies.contains(where: { $0["id"] as? String == study && ($0["state"] as? String)?.hasPrefix(state) == true }) {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func showStatusAndApproveAStudyWhileProposeShowsItsProgress() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-study-cli")
        defer { temp.remove() }
        let cluster = try await Self.makeCluster(temp)
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable(), nodes: ["alpha", "beta", "gamma"])
        defer { for p in processes { p.crash() } }
        let alpha = try cluster.directory("alpha").path
        let beta = try cluster.directory("beta").path
        let gamma = try cluster.directory("gamma").path
        let spec = try Self.writeSpec(temp.url, name: "study.yaml", id: "s-show", participants: ["beta", "gamma"], deadline: 60)

        let propose = try CLIProcess(["study", "propose", spec, "--node", alpha, "--progress"], in: temp.url)
        #expect(try await Self.waitForState("s-show", "awaitingApproval", node: beta, in: temp.url), "beta queued the study")

        // What beta's operator is asked to agree to, before approving.
        let show = try await Self.cohort(["study", "show", "s-show", "--node", beta, "--json"], in: temp.url)
        #expect(show.status == 0, "\(show.stderr)")
        let detail = try Self.json(show.stdout)
        #expect(detail["state"] as? String == "awaitingApproval")
        #expect(detail["lead"] as? String == "alpha")
        #expect(detail["parties"] as? [String] == ["alpha", "beta", "gamma"])
        #expect(detail["waiting_for"] as? [String] == ["operator@beta"])
        let spec_ = try #require(detail["spec"] as? [String: Any])
        #expect(spec_["as_of"] as? String == Self.asOf && spec_["deadline_at"] is String)
        #expect((spec_["privacy"] as? [String: Any])?["epsilon"] as? Double == 1)
        let budget = try #require(detail["budget"] as? [String: Any])
        let store = try NodeStore.open(directory: beta)
        let consenting = try store.consentingCustomers(purpose: .segmentation, asOf: Date()).count
        try? store.close()
        #expect(budget["consenting_customers"] as? Int == consenting, "beta's own count, local")
        #expect(abs((budget["cost_epsilon"] as? Double ?? 0) - 1) < 1e-9)
        #expect(budget["remaining_after_epsilon"] as? Double ?? 99 < budget["remaining_epsilon"] as? Double ?? 0)
        let text = try await Self.cohort(["study", "show", "s-show", "--node", beta], in: temp.url)
        #expect(text.stdout.contains("state       awaiting this node's approval"), "\(text.stdout)")
        #expect(text.stdout.contains("customers whose data it would use (consenting to segmentation now): \(consenting)"))

        // The lead says whom it waits for.
        let status = try await Self.cohort(["study", "status", "s-show", "--node", alpha, "--json"], in: temp.url)
        #expect(status.status == 0, "\(status.stderr)")
        let leadView = try Self.json(status.stdout)
        #expect(leadView["state"] as? String == "proposing")
        #expect(leadView["waiting_for"] as? [String] == ["beta"])
        let stages = (leadView["progress"] as? [[String: Any]] ?? []).map { "\($0["node"] ?? "")=\($0["stage"] ?? "")" }
        #expect(stages == ["alpha=accepted", "beta=awaiting_approval", "gamma=accepted"], "\(stages)")

        // Another participant sees every party's stage too (asked of the lead, StudyProgress).
        let gammaStatus = try await Self.cohort(["study", "status", "s-show", "--node", gamma, "--json"], in: temp.url)
        #expect(gammaStatus.status == 0, "\(gammaStatus.stderr)")
        let gammaStages = (try Self.json(gammaStatus.stdout)["progress"] as? [[String: Any]] ?? [])
            .map { "\($0["node"] ?? "")=\($0["stage"] ?? "")" }
        #expect(gammaStages == ["alpha=proposing", "beta=awaiting_approval", "gamma=accepted"], "\(gammaStages)")

        let approve = try await Self.cohort(["study", "approve", "s-show", "--node", beta], in: temp.url)
        #expect(approve.status == 0 && approve.stdout.contains("study s-show: accepted"), "\(approve)")

        let proposed = try await propose.wait()
        #expect(proposed.status == 0, "\(proposed.stderr)")
        #expect(proposed.stdout.contains("study s-show completed"))
        #expect(proposed.stderr.contains("waiting for beta (awaiting approval)"), "progress lines: \(proposed.stderr)")

        let list = try Self.json(try await Self.cohort(["study", "list", "--node", alpha, "--json"], in: temp.url).stdout)
        let line = try #require((list["studies"] as? [[String: Any]])?.first { $0["id"] as? String == "s-show" })
        #expect(line["state"] as? String == "completed" && line["epsilon"] as? Double == 1 && line["age_seconds"] is Int)
        #expect((list["results"] as? [[String: Any]])?.contains { $0["study"] as? String == "s-show" } == true)
        for p in processes { #expect(await p.stop() == 0) }
    }

    @Test func expiredApprovalIsRefusedAndKnownFailuresAreReportedAtOnce() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-study-cli")
        defer { temp.remove() }
        let cluster = try await Self.makeCluster(temp)
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable(), nodes: ["alpha", "beta"])
        defer { for p in processes { p.crash() } }
        let alpha = try cluster.directory("alpha").path
        let beta = try cluster.directory("beta").path

        // Nobody approves within the 2 s deadline: the lead fails, saying why, and tells beta
        // (AbortStudy), which ends the study there: it can no longer be approved.
        let expiring = try Self.writeSpec(temp.url, name: "expire.yaml", id: "s-expire", participants: ["beta"], deadline: 2)
        let failed = try await Self.cohort(["study", "propose", expiring, "--node", alpha], in: temp.url)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("deadline of 2 s passed while waiting for beta"), "\(failed.stderr)")
        #expect(failed.stderr.contains("beta's operator had not approved the study"), "\(failed.stderr)")
        #expect(failed.stdout.isEmpty && !failed.stderr.contains("[0 s]"), "quiet when stdout is not a terminal")
        let approve = try await Self.cohort(["study", "approve", "s-expire", "--node", beta], in: temp.url)
        #expect(approve.status == 77, "refused: \(approve)")
        #expect(approve.stderr.contains("study s-expire is not waiting for approval (state: aborted")
                    && approve.stderr.contains("deadline of 2 s passed"),
                "\(approve.stderr)")
        let status = try Self.json(try await Self.cohort(["study", "status", "s-expire", "--node", beta, "--json"], in: temp.url).stdout)
        #expect(status["state"] as? String == "aborted")

        // gamma is configured but down: retried until the deadline, with the reason.
        let down = try Self.writeSpec(temp.url, name: "down.yaml", id: "s-down", participants: ["gamma"], deadline: 3)
        let unreachable = try await Self.cohort(["study", "propose", down, "--node", alpha, "--progress"], in: temp.url)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("gamma could not be reached ("), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("waiting for gamma (unreachable:"), "progress names the reason: \(unreachable.stderr)")
        let attempts = unreachable.stderr.components(separatedBy: "gamma could not be reached (").last?
            .split(separator: " ").first.flatMap { Int($0) } ?? 0
        #expect(attempts >= 2, "retried with backoff: \(unreachable.stderr)")

        // Known up front: a participant not in the configuration, the lead's own policy, a bad spec.
        let started = ContinuousClock.now
        let unknown = try Self.writeSpec(temp.url, name: "unknown.yaml", id: "s-unknown", participants: ["zeta"], deadline: 600)
        let notConfigured = try await Self.cohort(["study", "propose", unknown, "--node", alpha], in: temp.url)
        #expect(notConfigured.status == 1)
        #expect(notConfigured.stderr.contains("participant zeta is not in this node's configuration"), "\(notConfigured.stderr)")
        let greedy = try Self.writeSpec(temp.url, name: "greedy.yaml", id: "s-greedy", participants: ["beta"], epsilon: 9, deadline: 600)
        let refused = try await Self.cohort(["study", "propose", greedy, "--node", alpha], in: temp.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("this node's own policy refuses the study"), "\(refused.stderr)")
        let bad = temp.url.appendingPathComponent("bad.yaml").path
        try Data("kind: histogram\npurpose: segmentation\n".utf8).write(to: URL(fileURLWithPath: bad))
        let invalid = try await Self.cohort(["study", "propose", bad, "--node", alpha], in: temp.url)
        #expect(invalid.status == 1 && invalid.stderr.contains("\(bad):1:1: the required key `as_of` is missing"), "\(invalid)")
        #expect(ContinuousClock.now - started < .seconds(60), "none of them waited for a 600 s deadline")
        #expect(try await Self.waitForState("s-greedy", "failed", node: alpha, in: temp.url))
        for p in processes { #expect(await p.stop() == 0) }
    }

    @Test func validateChecksASpecOfflineWithDocumentedExitCodes() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-study-cli")
        defer { temp.remove() }
        let good = try Self.writeSpec(temp.url, name: "good.yaml", id: "s-good", participants: ["beta"], deadline: 60)
        let valid = try await Self.cohort(["study", "validate", good], in: temp.url)
        #expect(valid.status == 0 && valid.stdout.hasPrefix("\(good): valid"), "\(valid)")

        let badPath = temp.url.appendingPathComponent("typo.yaml").path
        try Data(try String(contentsOfFile: good, encoding: .utf8)
            .replacingOccurrences(of: "deadline_seconds: 60", with: "deadline_secnds: 60").utf8)
            .write(to: URL(fileURLWithPath: badPath))
        let invalid = try await Self.cohort(["study", "validate", badPath], in: temp.url)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("\(badPath):8:1: `deadline_secnds` is not a spec key"), "\(invalid.stderr)")
        #expect(invalid.stderr.contains("fix: did you mean `deadline_seconds`?"))

        let json = try await Self.cohort(["study", "validate", badPath, "--json"], in: temp.url)
        #expect(json.status == 1)
        let document = try Self.json(json.stdout)
        #expect(document["valid"] as? Bool == false)
        #expect((document["error"] as? [String: Any])?["line"] as? Int == 8)

        let missing = try await Self.cohort(["study", "validate", temp.url.appendingPathComponent("nope.yaml").path], in: temp.url)
        #expect(missing.status == 66, "\(missing)")
        let usage = try await Self.cohort(["study", "validate"], in: temp.url)
        #expect(usage.status == 64)
    }
}
