extension Learning {
    /// The seeded per-node holdout: a customer is held out when
    /// `u(seed, id) < share`, with `u` a uniform number in [0, 1) made from the FNV-1a 64-bit hash
    /// of the customer id's UTF-8 bytes, XOR the seed, through the SplitMix64 finalizer.
    ///
    /// The assignment depends only on the seed and the customer's own id — not on row order, on
    /// other customers or on consent changes — so a held-out customer is never trained on in any
    /// round, and the central baseline can reproduce the same split on the union.
    public struct Holdout: Sendable, Hashable, Codable {
        /// Fraction of labelled customers held out, in (0, 1).
        public var share: Double
        /// The study's seed.
        public var seed: UInt64

        /// Creates a holdout. - Throws: `invalidParameter` unless `0 < share < 1`.
        public init(share: Double, seed: UInt64) throws {
            guard share > 0, share < 1 else {
                throw LearningError(.invalidParameter, "holdout share \(share) must be in (0, 1)")
            }
            self.share = share
            self.seed = seed
        }

        /// Whether the customer with this id is held out. O(id length).
        @inlinable
        public func isHeldOut(_ id: String) -> Bool {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in id.utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01B3
            }
            var z = h ^ seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) * 0x1.0p-53 < share
        }

        /// Rows of `customers` with a churn label, split into training and holdout rows. O(n).
        public func split(_ customers: Customers) -> (train: [Int], holdout: [Int]) {
            var train: [Int] = [], holdout: [Int] = []
            for i in 0..<customers.count where customers.churned[i] != nil {
                if isHeldOut(customers.ids[i]) { holdout.append(i) } else { train.append(i) }
            }
            return (train, holdout)
        }
    }
}
