public import CohortStore
import Foundation

extension NodeDirectory {
    /// `<root>/cohort.yaml`: the node's config (``NodeConfig``).
    public var configPath: String { path("cohort.yaml") }
    /// `<root>/keys`.
    public var keysPath: String { path("keys") }
    /// `<root>/tls`.
    public var tlsPath: String { path("tls") }

    /// Whether the directory looks like an initialized node (config and database present).
    public var isInitialized: Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: configPath) && fm.fileExists(atPath: databasePath)
    }
}
