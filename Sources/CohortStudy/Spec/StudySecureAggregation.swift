extension Study {
    /// The spec's `secure_aggregation` key: whether each round is securely aggregated (the lead
    /// learns only the sum of the parties' noised contributions, never one party's) and how many
    /// parties may drop out of a round after sharing their keys with the sum still released.
    ///
    /// Written `secure_aggregation: true | false` or `secure_aggregation: { enabled: true,
    /// dropouts: 1 }`. Left out, it is on with no tolerated dropouts when the study has three or
    /// more parties (the lead included) and off with two. It needs three or more parties: with
    /// two the lead learns the other party's contribution from the sum and its own, so masking
    /// would hide nothing, and a two-party spec that asks for it is refused.
    public struct SecureAggregationSetting: Sendable, Hashable {
        /// Whether the rounds are securely aggregated.
        public let enabled: Bool
        /// D: how many parties may drop out of a round after sharing their keys; the threshold
        /// is t = n − D, which must satisfy n/2 < t ≤ n.
        public let dropouts: Int

        /// Creates a setting (validated against the party count by ``Spec``).
        public init(enabled: Bool, dropouts: Int = 0) {
            self.enabled = enabled
            self.dropouts = dropouts
        }
    }

    /// How a study's rounds are aggregated, resolved from the spec.
    public enum AggregationMode: Sendable, Hashable {
        /// Every party sends its noised contribution to the lead, which sums them.
        case plain
        /// Secure aggregation among `parties` parties (the lead included) with threshold t:
        /// up to `parties − threshold` may drop out of a round after sharing their keys.
        case secure(parties: Int, threshold: Int)

        /// With secure aggregation, the parties whose noise share the guarantee does not count
        /// on: the tolerated dropouts (n − t) plus the one that knows its own share (the lead,
        /// or any party reading the release), so the released sum always carries the central σ²
        /// from the others. Nil for plain aggregation, where each party adds the full noise.
        public var uncountedNoiseShares: (parties: Int, uncounted: Int)? {
            guard case .secure(let parties, let threshold) = self else { return nil }
            return (parties, parties - threshold + 1)
        }
    }
}

extension Study.Spec {
    /// Parties of the study, the lead included.
    public var partyCount: Int { participants.count + 1 }

    /// The resolved aggregation of every round (see ``Study/SecureAggregationSetting``): the
    /// spec's setting, or when it has none, secure with no tolerated dropouts for three or more
    /// parties and plain for two.
    public var aggregation: Study.AggregationMode {
        let setting = secureAggregation ?? Study.SecureAggregationSetting(enabled: partyCount >= 3)
        guard setting.enabled else { return .plain }
        return .secure(parties: partyCount, threshold: partyCount - setting.dropouts)
    }

    /// A copy with an explicit `secure_aggregation` setting (nil: the default, on for three or
    /// more parties), validated
    /// again; id and deadline are kept.
    /// - Throws: ``StudyError`` at `secure_aggregation` or `secure_aggregation.dropouts`.
    public func withSecureAggregation(_ setting: Study.SecureAggregationSetting?) throws -> Study.Spec {
        var copy = self
        copy.secureAggregation = setting
        try copy.validateSecureAggregation()
        return copy
    }

    /// Checks the `secure_aggregation` setting against the number of parties.
    func validateSecureAggregation() throws {
        guard let setting = secureAggregation else { return }
        let n = partyCount
        if setting.enabled, n < 3 {
            throw StudyError(
                .invalidValue, key: "secure_aggregation",
                "secure aggregation needs at least 3 parties, this study has \(n) (the lead and \(participants.count)): with 2 parties the lead learns the other party's contribution from the sum and its own, so masking hides nothing; set `secure_aggregation: false` (each party then adds its full noise) or add a participant")
        }
        guard setting.dropouts >= 0 else {
            throw StudyError(.invalidValue, key: "secure_aggregation.dropouts", "must be an integer ≥ 0, got \(setting.dropouts)")
        }
        if !setting.enabled, setting.dropouts != 0 {
            throw StudyError(.invalidValue, key: "secure_aggregation.dropouts", "tolerated dropouts only apply with secure aggregation on")
        }
        if setting.enabled {
            let t = n - setting.dropouts
            guard t > n / 2 else {
                throw StudyError(
                    .invalidValue, key: "secure_aggregation.dropouts",
                    "\(setting.dropouts) tolerated dropouts of \(n) parties leave a threshold t = \(t); it must exceed n/2 = \(n / 2) so that no two disjoint sets of t parties exist (at most \((n - 1) / 2) dropouts for \(n) parties)")
            }
        }
    }
}
