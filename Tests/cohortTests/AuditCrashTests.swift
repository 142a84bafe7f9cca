import CohortScenario
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

/// Kills a continuously appending `cohort-bench stress-append` child with SIGKILL at random moments
/// and checks after every restart that each acknowledged index is present and the log verifies.
@Suite struct AuditCrashTests {
    /// The built `cohort` executable next to the test bundle.
    static func cohortExecutable() throws -> String {
        try BuiltProducts.cohortExecutable().path
    }

    static func run(_ exe: String, _ args: [String], stdout: String) async throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: stdout)
        try await ProcessLauncher.launch(p)
        _ = await ChildProcess.waitForExit(p)
        return p.terminationStatus
    }

    @Test func survivesSIGKILLWithoutLosingAcknowledgedEntries() async throws {
        let exe = try BuiltProducts.benchExecutable().path
        let dir = NSTemporaryDirectory() + "cohort-audit-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        var acknowledgedMax: Int64 = -1
        var totalAcked = 0
        for round in 0..<20 {
            let out = dir + "/acked-\(round).txt"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: exe)
            child.arguments = ["stress-append", "--node-dir", dir + "/node", "--writers", "8"]
            child.standardOutput = FileHandle(forWritingAtPath: out)
            try await ProcessLauncher.launch(child)
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let delayMs = 100 + Int(seed >> 33) % 250
            try await Task.sleep(for: .milliseconds(delayMs))
            kill(child.processIdentifier, SIGKILL)
            _ = await ChildProcess.waitForExit(child)
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): child exited on its own (status \(child.terminationStatus))")

            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if !text.hasSuffix("\n") { lines.removeLast() }  // a partly written line was not acknowledged
            let acked = lines.compactMap { Int64($0) }
            totalAcked += acked.count
            acknowledgedMax = max(acknowledgedMax, acked.max() ?? -1)

            let verifyOut = dir + "/verify-\(round).json"
            // A log killed mid-append ends in entries not yet signed (the next writer signs them on
            // open): the chain and tree must hold, so the tail is allowed here.
            let status = try await Self.run(try Self.cohortExecutable(), ["audit", "verify", "--node-dir", dir + "/node", "--json", "--allow-unsigned-tail"], stdout: verifyOut)
            let verdict = (try? String(contentsOfFile: verifyOut, encoding: .utf8)) ?? ""
            #expect(status == 0, "round \(round): log does not verify after SIGKILL: \(verdict)")
            let size = verdict.split(separator: ",").first { $0.hasPrefix("\"size\":") }
                .flatMap { Int64($0.dropFirst(7).trimmingCharacters(in: CharacterSet(charactersIn: "}\n"))) } ?? -1
            #expect(size > acknowledgedMax, "round \(round): acknowledged index \(acknowledgedMax) missing (log size \(size))")
        }
        #expect(totalAcked > 0, "the child never acknowledged an append")
    }
}
