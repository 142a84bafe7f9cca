import Foundation

/// The paths of a node's data directory. The store uses the SQLite files and
/// `imports-pending/`; `CohortNode` adds the home's own paths (`cohort.yaml`, `keys/`, `tls/`).
///
/// ```
/// <root>/cohort.yaml   commented config
/// <root>/node.sqlite   private customer data (WAL)
/// <root>/audit.sqlite  audit log (CohortAudit)
/// <root>/keys/         0700; private keys 0600
/// <root>/tls/          node certificate, key, trust bundle, revocation list
/// <root>/imports-pending/  0700; one marker per import whose outcome is not yet audited
/// ```
///
/// The directory is 0700 and the SQLite files (with their `-wal`/`-shm`) are 0600; see
/// ``NodeFilePermissions``.
public struct NodeDirectory: Sendable, Hashable {
    /// The directory itself (as given; not resolved).
    public var root: String

    /// Creates a value for the directory at `root`. Does not touch the file system.
    public init(_ root: String) {
        self.root = root
    }

    /// `<root>/node.sqlite`.
    public var databasePath: String { path("node.sqlite") }
    /// `<root>/audit.sqlite`.
    public var auditDatabasePath: String { path("audit.sqlite") }
    /// `<root>/imports-pending`: markers of imports whose outcome is not yet in the audit log.
    public var pendingImportsPath: String { path("imports-pending") }

    /// `node.sqlite`, `audit.sqlite` and their `-wal` / `-shm` files (which may not exist).
    public var databaseFiles: [String] {
        [databasePath, auditDatabasePath].flatMap { [$0, $0 + "-wal", $0 + "-shm"] }
    }

    /// `<root>/<relative>`; an absolute `relative` is returned unchanged.
    public func path(_ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        return root.hasSuffix("/") ? root + relative : root + "/" + relative
    }
}
