import ArgumentParser
import CohortAudit
import Foundation

/// Hidden: appends continuously from several writers and prints each acknowledged (durable)
/// index on its own line, unbuffered. Used by the crash test.
struct StressAppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress-append",
        abstract: "Append continuously and print acknowledged indices (test tool).",
        shouldDisplay: false
    )

    @Option(name: [.customLong("node-dir"), .customLong("node")], help: "Node directory (created if missing).")
    var nodeDir: String

    @Option(help: "Concurrent writers.")
    var writers: Int = 8

    @Option(help: "Stop after this many appends per writer (default: run until killed).")
    var count: Int?

    @Option(name: .customLong("node-name"), help: "Node name for a new log.")
    var nodeName: String = "stress"

    func run() async throws {
        try FileManager.default.createDirectory(atPath: nodeDir, withIntermediateDirectories: true)
        let path = (nodeDir as NSString).appendingPathComponent("audit.sqlite")
        let node = FileManager.default.fileExists(atPath: path) ? try Audit.LogReader.open(path: path).node : nodeName
        let log = try await Audit.Log.open(nodeDirectory: nodeDir, node: node)
        let limit = count
        // Without a count this runs until killed; if the process that started it dies first (a
        // crashed test run), stop instead of filling the disk.
        let parent = getppid()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<max(1, writers) {
                group.addTask {
                    var n = 0
                    while limit.map({ n < $0 }) ?? true {
                        let index = try await log.record(.localDataAccessed(
                            actor: "stress", purpose: "benchmarking", study: "stress", command: "stress-append writer \(w)",
                            rows: n, transactions: 0, asOf: ""))
                        let line = Array("\(index)\n".utf8)
                        line.withUnsafeBytes { _ = Foundation.write(1, $0.baseAddress, $0.count) }
                        n += 1
                        if n % 256 == 0 && getppid() != parent {
                            FileHandle.standardError.write(Data("stress-append: the process that started it has exited; stopping\n".utf8))
                            throw ExitCode(3)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        await log.close()
    }
}
