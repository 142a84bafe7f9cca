extension Privacy {
    /// A noised result together with the privacy it cost and where its randomness came from.
    public struct Release<Values: Sendable & Hashable>: Sendable, Hashable {
        /// The noised values (safe to release once the cost is charged).
        public var values: Values
        /// The privacy cost this release incurred (to be charged to the budget ledger).
        public var cost: Cost
        /// Where the noise's randomness came from.
        public var randomness: Randomness.Provenance

        /// Creates a release record.
        public init(values: Values, cost: Cost, randomness: Randomness.Provenance) {
            self.values = values
            self.cost = cost
            self.randomness = randomness
        }

        /// Whether the noise came from a seeded (reproducible) source: a simulation, not private.
        public var isSimulated: Bool { randomness.isSimulated }
    }
}

extension Privacy {
    /// Adds `noise` to `values` coordinate-wise, refusing (not wrapping) on Int64 overflow.
    static func addChecked(_ values: [Int64], _ noise: [Int64]) throws -> [Int64] {
        var out = values
        for i in out.indices {
            let (s, o) = out[i].addingReportingOverflow(noise[i])
            guard !o else {
                throw PrivacyError(.overflow, "value \(values[i]) at index \(i) plus noise \(noise[i]) overflows Int64")
            }
            out[i] = s
        }
        return out
    }

    static func requireSensitivity(_ value: Double, _ name: String) throws {
        try PrivacyError.requirePositive(value, name)
    }
}
