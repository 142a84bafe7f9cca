extension Audit {
    /// Where a consent event came from: the `source` (and `import_id`) details of
    /// `consent.granted` and `consent.withdrawn`.
    public enum ConsentSource: Sendable, Hashable {
        /// Recorded one by one by the operator (`cohort consent`).
        case cli
        /// Read from a consent file by the import with this id.
        case `import`(id: Int64)
    }
}
