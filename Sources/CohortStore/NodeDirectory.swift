import Foundation

/// The paths of a node's data directory.
///
/// ```
/// <root>/cohort.yaml   commented config
/// <root>/node.sqlite   private customer data (WAL)
/// <root>/audit.sqlite  audit log (CohortAudit)
/// <root>/keys/         0700; private keys 0600
/// <root>/tls/          node certificate, key, trust bundle, revocation list
/// ```
public struct NodeDirectory: Sendable, Hashable {
    /// The directory itself (as given; not resolved).
    public var root: String

    /// Creates a value for the directory at `root`. Does not touch the file system.
    public init(_ root: String) {
        self.root = root
    }

    /// `<root>/cohort.yaml`.
    public var configPath: String { path("cohort.yaml") }
    /// `<root>/node.sqlite`.
    public var databasePath: String { path("node.sqlite") }
    /// `<root>/audit.sqlite`.
    public var auditDatabasePath: String { path("audit.sqlite") }
    /// `<root>/keys`.
    public var keysPath: String { path("keys") }
    /// `<root>/tls`.
    public var tlsPath: String { path("tls") }

    /// `<root>/<relative>`; an absolute `relative` is returned unchanged.
    public func path(_ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        return root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// Whether the directory looks like an initialized node (config and database present).
    public var isInitialized: Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: configPath) && fm.fileExists(atPath: databasePath)
    }
}
