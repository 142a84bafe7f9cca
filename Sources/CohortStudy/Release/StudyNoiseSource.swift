extension Study {
    /// Adds integer noise to a contribution vector. The node runtime implements this with the
    /// privacy module's exact discrete Gaussian sampler and a cryptographically secure source;
    /// tests inject deterministic implementations. The study code never samples noise itself.
    public protocol NoiseSource {
        /// Adds independent discrete Gaussian noise `N_Z(0, sigmaSquared)` (variance in encoded
        /// units²) to every coordinate of `values` and says what it did.
        mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> NoiseReport
    }

    /// What a ``NoiseSource`` added.
    public struct NoiseReport: Sendable, Hashable, Codable {
        /// Mechanism name, e.g. `discrete-gaussian`.
        public var mechanism: String
        /// Variance of the noise added to each coordinate, in encoded units².
        public var sigmaSquared: Double
        /// True if the noise came from a seeded (reproducible) generator or was omitted: such a
        /// contribution gives no privacy and results built from it are marked simulated.
        public var simulated: Bool

        /// Creates a report.
        public init(mechanism: String, sigmaSquared: Double, simulated: Bool) {
            self.mechanism = mechanism
            self.sigmaSquared = sigmaSquared
            self.simulated = simulated
        }
    }
}
