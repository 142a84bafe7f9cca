public import CohortNode
import CohortProcess
public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `cohort node run` child process started by a scenario or the demo.
///
/// The child writes `<node dir>/run/node.json` (see ``NodeRunInfo``) once it is serving; the
/// parent waits for that file. Standard error goes to `<node dir>/run/node.log`.
public final class NodeProcess: @unchecked Sendable {
    /// The node directory the child serves.
    public let directory: URL
    /// Node name (for messages).
    public let name: String
    private let process: Process
    private let logURL: URL

    /// Starts `executable node run --node <directory>`; returns once the process is launched.
    public init(executable: URL, directory: URL, name: String, extraArguments: [String] = []) throws {
        self.directory = directory
        self.name = name
        let runDir = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runDir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: NodeRunInfo.url(in: directory))
        logURL = runDir.appendingPathComponent("node.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process = Process()
        process.executableURL = executable
        process.arguments = ["node", "run", "--node", directory.path] + extraArguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try ProcessLauncher.run(process)
    }

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }

    /// Waits until the child reports it is serving, it exits, or `timeout` passes.
    /// - Returns: the child's run info (bound ports, admin socket).
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws -> NodeRunInfo {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let info = try? NodeRunInfo.read(from: directory), info.pid == pid {
                return info
            }
            if !process.isRunning {
                throw ScenarioError(.nodeFailed,
                    "node \(name) exited with status \(process.terminationStatus) before it was ready; log:\n\(logTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ScenarioError(.nodeFailed, "node \(name) was not ready within \(timeout); log:\n\(logTail())")
    }

    /// Sends SIGTERM and waits up to `grace` for a clean exit, then SIGKILL.
    /// - Returns: the exit status (or the signal number for a killed process).
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while process.isRunning && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// Kills the child at once with SIGKILL (a crash, for fault injection).
    public func crash() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// The last lines of the child's log.
    public func logTail(lines: Int = 30) -> String {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
