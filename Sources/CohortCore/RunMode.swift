/// Whether a node handles real data or is part of a simulation (`node.mode` in `cohort.yaml`).
public enum RunMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Real data, real releases: noise only from the operating system's CSPRNG.
    case production
    /// Synthetic scenario runs: seeded randomness is allowed and marked as such.
    case simulation
}
