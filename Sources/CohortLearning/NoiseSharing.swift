public import CohortPrivacy

extension Learning {
    /// How a securely aggregated study splits each round's noise among its parties (the
    /// distributed discrete Gaussian, Kairouz, Liu, Steinke 2021): every party adds only a share
    /// `σ²/(parties − colluders)` of the central variance, so that the sum still carries the
    /// central σ² from the parties that neither dropped out nor know their own share.
    ///
    /// Without a sharing each node adds the full σ² and its own release alone is private.
    public struct NoiseSharing: Sendable, Hashable, Codable {
        /// n: parties whose shares are summed (the lead included).
        public var parties: Int
        /// Parties whose share is not counted towards the guarantee: the tolerated dropouts plus
        /// the one party (the lead, or whoever reads the release) that knows its own share.
        public var colluders: Int

        /// Creates a sharing. - Throws: `invalidParameter` unless `0 ≤ colluders < parties`.
        public init(parties: Int, colluders: Int) throws {
            guard parties >= 1, colluders >= 0, colluders < parties else {
                throw LearningError(.invalidParameter, "noise sharing: colluders (\(colluders)) must be in 0…parties − 1 (parties \(parties))")
            }
            self.parties = parties
            self.colluders = colluders
        }

        /// Shares counted towards the guarantee: `parties − colluders`.
        public var countedShares: Int { parties - colluders }

        private enum CodingKeys: String, CodingKey { case parties, colluders }

        /// Decodes and validates.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(parties: try c.decode(Int.self, forKey: .parties), colluders: try c.decode(Int.self, forKey: .colluders))
        }
    }
}
