import CohortScenario
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

/// CLI-level checks of `cohort audit …`: exit codes and messages for good and bad input.
@Suite struct AuditCommandTests {
    struct Run {
        var status: Int32
        var output: String
    }

    static func cohort(_ args: [String]) async throws -> Run {
        try await run(AuditCrashTests.cohortExecutable(), args)
    }

    /// Runs `cohort-bench` (the test tools, e.g. `stress-append`).
    static func bench(_ args: [String]) async throws -> Run {
        try await run(try BuiltProducts.benchExecutable().path, args)
    }

    static func run(_ exe: String, _ args: [String]) async throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = NSTemporaryDirectory() + "cohort-cli-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let handle = FileHandle(forWritingAtPath: out)
        p.standardOutput = handle
        p.standardError = handle
        try await ProcessLauncher.launch(p)
        _ = await ChildProcess.waitForExit(p)
        return Run(status: p.terminationStatus, output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    @Test func officerCommandsOnAFreshLog() async throws {
        let dir = NSTemporaryDirectory() + "cohort-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Self.bench(["stress-append", "--node-dir", dir, "--writers", "2", "--count", "10"]).status == 0)
        let verify = try await Self.cohort(["audit", "verify", "--node-dir", dir, "--key", dir + "/audit-verifier.txt"])
        #expect(verify.status == 0)
        #expect(verify.output.hasPrefix("intact: 20 entries"))
        let single = try await Self.cohort(["audit", "verify", "--node-dir", dir, "--threads", "1"])
        #expect(single.status == 0)
        #expect(single.output == verify.output)
        let show = try await Self.cohort(["audit", "show", "--node-dir", dir, "--json", "--type", "data.accessed", "--limit", "3"])
        #expect(show.output.split(separator: "\n").count == 3)
        let proofPath = dir + "/p.json"
        #expect(try await Self.cohort(["audit", "prove", "--node-dir", dir, "--index", "7", "-o", proofPath]).status == 0)
        #expect(try await Self.cohort(["audit", "prove", "--check", proofPath, "--key", dir + "/audit-verifier.txt"]).status == 0)
        let cp = try await Self.cohort(["audit", "checkpoint", "--node-dir", dir, "-o", dir + "/cp.txt"])
        #expect(cp.status == 0)
        #expect(cp.output.contains("\u{2014} cohort.audit/stress "))
        #expect(try await Self.cohort(["audit", "verify", "--node-dir", dir, "--checkpoint", dir + "/cp.txt"]).status == 0)
        let export = try await Self.cohort(["audit", "export", "--jsonl", "--node-dir", dir])
        #expect(export.output.split(separator: "\n").count == 20)
    }

    @Test func badInputExitsNonZeroWithAClearMessage() async throws {
        let dir = NSTemporaryDirectory() + "cohort-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Self.bench(["stress-append", "--node-dir", dir, "--writers", "1", "--count", "5"]).status == 0)
        try FileManager.default.createDirectory(atPath: dir + "/bad", withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: dir + "/bad/audit.sqlite"))
        let corrupt = try await Self.cohort(["audit", "verify", "--audit", dir + "/bad/audit.sqlite"])
        #expect(corrupt.status != 0)
        #expect(corrupt.output.contains("corruptDatabase"))
        let beyond = try await Self.cohort(["audit", "prove", "--node-dir", dir, "--index", "99"])
        #expect(beyond.status != 0)
        #expect(beyond.output.contains("outOfRange"))
        let otherKey = "cohort.audit/globex+40c27d94+AabntFWEETNap/7mc4UQouXsrlJHSDggzGnMYtj+J4Gn"
        let wrong = try await Self.cohort(["audit", "verify", "--node-dir", dir, "--key", otherKey])
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("malformedKey") || wrong.output.contains("wrongNode"))
        let noThreads = try await Self.cohort(["audit", "verify", "--node-dir", dir, "--threads", "0"])
        #expect(noThreads.status != 0)
        #expect(noThreads.output.contains("--threads must be at least 1"))
        let missing = try await Self.cohort(["audit", "verify", "--node-dir", dir + "/nope"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("does not exist"))
    }
}
