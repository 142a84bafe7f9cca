import CohortScenario
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Scenarios run end to end with real `cohort node run` processes: a small scenario with every
/// kind of event, a node that fails to start, and the runner itself killed mid-scenario.
@Suite(.serialized) struct ScenarioRunTests {
    /// Three small parties, two studies and one event of each kind; every expectation should hold.
    static let small = """
        name: small
        consortium: test
        parties:
          - name: alpha
            data:
              synthetic: { profile: retail, customers: 1500, seed: 1 }
              consent_rates: { segmentation: 0.8, benchmarking: 0.6 }
          - name: beta
            data:
              synthetic: { profile: telecom, customers: 1000, seed: 2 }
            approval: manual
          - name: gamma
            data:
              synthetic: { profile: bank, customers: 800, seed: 3 }
            policy:
              purposes:
                benchmarking: { epsilon_per_period: 1.5, period_days: 30, epsilon_per_study: 1.0 }
        studies:
          - name: segments
            lead: alpha
            spec:
              kind: histogram
              purpose: segmentation
              dimensions: [rfm_segment]
              privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
          - name: churn
            lead: alpha
            spec:
              kind: mean
              purpose: benchmarking
              dimensions: [value_tier]
              measure: churn_rate
              lower: 0
              upper: 1
              privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 10 }
        events:
          - at: { before: segments }
            malformed_burst: { target: alpha, connections: 5, kind: garbage }
          - at: { during: segments, round: 1 }
            bad_certificates: { target: alpha }
          - at: { after: segments }
            withdraw_consent: { party: alpha, purpose: benchmarking, share: 0.1 }
          - at: { after: segments }
            erase: { party: beta, customers: 3 }
          - at: { after: segments }
            kill: { party: gamma, restart_after_seconds: 0.2 }
          - at: { after: churn }
            over_budget: { party: gamma, purpose: benchmarking }
        expectations:
          - study: segments
            outcome: published
          - study: segments
            within_se: 6
          - study: churn
            within_se: 6
          - study: over-budget-gamma
            outcome: failed
            reason: budget
          - budget_within_cap: true
          - audited: { party: alpha, refusals: [expired, unknown-authority, revoked, unknown-peer, handshake-failed], types: [consent.withdrawn] }
          - audited: { party: beta, types: [subject.erased, study.accepted] }
          - audit_intact: true
          - no_process_left: true
        """

    static func write(_ text: String, in temp: TemporaryDirectory, name: String = "scenario.yaml") throws -> URL {
        let url = temp.appending(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func aSmallScenarioRunsEndToEndAndEveryExpectationHolds() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-run")
        defer { temp.remove() }
        let file = try Self.write(Self.small, in: temp)
        let definition = try Scenario.load(file: file.path)
        let out = temp.appending("out")
        let outcome = try await ScenarioRunner.run(definition, options: .init(
            output: out, executable: try BuiltProducts.cohortExecutable(), file: file.path))
        #expect(outcome.failedExpectations.isEmpty, "\(outcome.failedExpectations.map { "\($0.name): \($0.detail)" })")
        #expect(outcome.summary.expectations.count == definition.expectations.count)
        let run = try #require(outcome.runs.first)
        #expect(run.studies.map(\.name) == ["segments", "churn", "over-budget-gamma"])
        #expect(run.studies.first?.cells.count == 11, "one cell per RFM segment")
        #expect(run.audits.count == 3 && run.audits.allSatisfy { $0.status == .intact })
        // The runner's view of consent matches what it did: 10 % of alpha's benchmarking
        // consenters withdrew, 3 of beta's customers were erased.
        let alpha = try #require(run.parties.first { $0.name == "alpha" })
        #expect((alpha.consenting["benchmarking"] ?? 0) > 0)
        #expect(run.parties.first { $0.name == "beta" }?.customers == 997)
        #expect(run.timeline.contains { $0.kind == .event && $0.label.hasPrefix("restart gamma") })
        for name in ScenarioReport.files {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) written")
        }
        let decoded = try JSONDecoder().decode(ScenarioSummary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(decoded.studies.map(\.name) == run.studies.map(\.name))
        #expect(ScenarioChildren.registered.isEmpty, "every child was accounted for")
    }

    @Test func aFailedExpectationIsReportedByName() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-run")
        defer { temp.remove() }
        let text = """
            name: failing
            parties:
              - name: alpha
                data: { synthetic: { profile: retail, customers: 400, seed: 1 } }
              - name: beta
                data: { synthetic: { profile: bank, customers: 300, seed: 2 } }
            studies:
              - name: s
                lead: alpha
                spec:
                  kind: histogram
                  purpose: segmentation
                  dimensions: [value_tier]
                  privacy: { epsilon: 1.0, delta: 1.0e-6 }
            expectations:
              - study: s
                outcome: failed
              - no_process_left: true
            """
        let file = try Self.write(text, in: temp)
        let outcome = try await ScenarioRunner.run(try Scenario.load(file: file.path), options: .init(
            output: temp.appending("out"), executable: try BuiltProducts.cohortExecutable()))
        #expect(outcome.failedExpectations.map(\.name) == ["study s failed (line 16)"])
        #expect(outcome.failedExpectations.first?.detail == "it was published")
    }

    @Test func seedsRepeatTheScenarioAndReportMeanAndSDOfEveryMetric() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-run")
        defer { temp.remove() }
        let text = """
            name: seeds
            parties:
              - name: alpha
                data: { synthetic: { profile: retail, customers: 400, seed: 1 } }
              - name: beta
                data: { synthetic: { profile: bank, customers: 300, seed: 2 } }
            studies:
              - name: s
                lead: alpha
                spec: { kind: histogram, purpose: segmentation, dimensions: [value_tier], privacy: { epsilon: 1.0, delta: 1.0e-6 } }
            expectations:
              - study: s
                outcome: published
            """
        let file = try Self.write(text, in: temp)
        let out = temp.appending("out")
        let outcome = try await ScenarioRunner.run(try Scenario.load(file: file.path), options: .init(
            output: out, seeds: 2, executable: try BuiltProducts.cohortExecutable()))
        #expect(outcome.runs.count == 2)
        #expect(outcome.summary.seeds.count == 2 && Set(outcome.summary.seeds).count == 2, "\(outcome.summary.seeds)")
        #expect(outcome.summary.expectations.count == 2 && outcome.failedExpectations.isEmpty)
        let mae = try #require(outcome.summary.seedStatistics.first { $0.metric == "study.s.mean_absolute_error" })
        #expect(mae.values.count == 2)
        // Different seeds generate different customers: the central answers differ.
        let central = outcome.runs.map { $0.studies.first?.cells.compactMap(\.central) ?? [] }
        #expect(central[0] != central[1])
        for k in 1...2 {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("seed-\(k)/nodes/alpha/cohort.yaml").path))
        }
    }

    @Test func aNodeThatFailsToStartStopsEveryNodeStartedAndLeavesNoProcess() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-run")
        defer { temp.remove() }
        // beta's "node" exits at once; alpha's is the real one and must be stopped.
        let wrapper = temp.appending("cohort-wrapper")
        let real = try BuiltProducts.cohortExecutable().path
        let pidFile = temp.appending("pids.txt")
        try Data("#!/bin/sh\ncase \"$*\" in *\"/nodes/beta\"*) echo 'beta will not start' >&2; exit 3;; esac\necho $$ >> '\(pidFile.path)'\nexec '\(real)' \"$@\"\n".utf8).write(to: wrapper)
        chmod(wrapper.path, 0o755)
        let text = """
            name: broken
            parties:
              - name: alpha
                data: { synthetic: { profile: retail, customers: 300, seed: 1 } }
              - name: beta
                data: { synthetic: { profile: bank, customers: 300, seed: 2 } }
            studies:
              - name: s
                lead: alpha
                spec: { kind: histogram, purpose: segmentation, dimensions: [value_tier], privacy: { epsilon: 1.0, delta: 1.0e-6 } }
            """
        let file = try Self.write(text, in: temp)
        let out = temp.appending("out")
        await #expect {
            _ = try await ScenarioRunner.run(try Scenario.load(file: file.path), options: .init(output: out, executable: wrapper))
        } throws: { error in
            "\(error)".contains("beta") && "\(error)".contains("before it was ready")
        }
        let pids = try String(contentsOf: pidFile, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        let pid = try #require(pids.first, "alpha had started")
        #expect(pids.count == 1)
        #expect(!ScenarioChildren.isAlive(pid), "alpha (pid \(pid)) was stopped")
        #expect(ScenarioChildren.registered.isEmpty)
    }

    @Test func killingTheRunnerMidScenarioLeavesNoNodeProcess() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-kill")
        defer { temp.remove() }
        // gamma stops answering for 60 s during the study: the scenario is mid-way for a minute.
        let text = """
            name: long
            parties:
              - name: alpha
                data: { synthetic: { profile: retail, customers: 300, seed: 1 } }
              - name: beta
                data: { synthetic: { profile: telecom, customers: 300, seed: 2 } }
              - name: gamma
                data: { synthetic: { profile: bank, customers: 300, seed: 3 } }
            studies:
              - name: s
                lead: alpha
                spec: { kind: histogram, purpose: segmentation, dimensions: [value_tier], privacy: { epsilon: 1.0, delta: 1.0e-6 }, deadline_seconds: 120 }
            events:
              - at: { during: s, round: 1 }
                pause: { party: gamma, seconds: 60 }
            """
        let file = try Self.write(text, in: temp)
        let out = temp.appending("out")
        let runner = Process()
        runner.executableURL = try BuiltProducts.cohortExecutable()
        runner.arguments = ["scenario", "run", file.path, "--out", out.path]
        runner.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        runner.standardError = errors
        try await ProcessLauncher.launch(runner)
        // Wait (at most 60 s) until the three nodes serve and the study has been proposed.
        var pids: [Int32] = []
        for _ in 0..<600 {
            pids = ["alpha", "beta", "gamma"].compactMap { name in
                let url = out.appendingPathComponent("nodes/\(name)/run/node.json")
                guard let data = try? Data(contentsOf: url),
                      let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
                return (info["pid"] as? NSNumber)?.int32Value
            }
            if pids.count == 3, Self.isStopped(pids[2]) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard pids.count == 3 else {
            runner.terminate()
            _ = await ChildProcess.waitForExit(runner)
            Issue.record("the nodes never all started")
            return
        }
        #expect(pids.allSatisfy(ScenarioChildren.isAlive), "every node runs before the runner is killed")
        kill(runner.processIdentifier, SIGTERM)
        let status = await ChildProcess.waitForExit(runner)
        let stderr = String(decoding: await ChildProcess.readToEnd(errors.fileHandleForReading), as: UTF8.self)
        #expect(status == 128 + SIGTERM, "the runner exits with 128 + SIGTERM: \(stderr)")
        #expect(stderr.contains("stopped 3 node processes"), "\(stderr)")
        // Bounded wait for the (orphaned, then reaped) children to disappear.
        var alive: [Int32] = pids
        for _ in 0..<50 where !alive.isEmpty {
            alive = alive.filter(ScenarioChildren.isAlive)
            if !alive.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(alive.isEmpty, "node processes left: \(alive)")
    }

    /// Whether `pid` is stopped (SIGSTOP): state `T` in `/proc/<pid>/stat`.
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "T"
    }
}
