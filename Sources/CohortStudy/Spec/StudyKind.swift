extension Study {
    /// The statistic a study releases.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Counts of customers per cell of a (possibly crossed) categorical key.
        case histogram
        /// Per-cell mean of a bounded per-customer measure, released with the cell count.
        case mean
    }
}
