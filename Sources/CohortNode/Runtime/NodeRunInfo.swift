public import Foundation

/// What a running node publishes in `<node dir>/run/node.json` once it is serving.
public struct NodeRunInfo: Codable, Sendable, Equatable {
    /// The node process id.
    public var pid: Int32
    /// The node name.
    public var node: String
    /// The bound peer (mTLS gRPC) port on the configured host.
    public var peerPort: Int
    /// The bound metrics port, if the endpoint is enabled.
    public var metricsPort: Int?
    /// Path of the admin Unix socket.
    public var adminSocket: String

    /// Creates run info.
    public init(pid: Int32, node: String, peerPort: Int, metricsPort: Int?, adminSocket: String) {
        self.pid = pid
        self.node = node
        self.peerPort = peerPort
        self.metricsPort = metricsPort
        self.adminSocket = adminSocket
    }

    /// Where the file lives for a node directory.
    public static func url(in directory: URL) -> URL {
        directory.appendingPathComponent("run").appendingPathComponent("node.json")
    }

    /// Reads the file of a node directory.
    public static func read(from directory: URL) throws -> NodeRunInfo {
        try JSONDecoder().decode(NodeRunInfo.self, from: Data(contentsOf: url(in: directory)))
    }

    /// Writes the file atomically (so a reader never sees half of it).
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let url = Self.url(in: directory)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
