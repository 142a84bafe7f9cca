public import CohortStore

extension NodeStore {
    /// Loads and validates the `cohort.yaml` of the node whose store this is.
    /// - Throws: ``NodeError`` `.invalidConfiguration` naming the file and the key.
    public func loadConfig() throws -> NodeConfig {
        try NodeConfig.load(from: directory.configPath)
    }
}
