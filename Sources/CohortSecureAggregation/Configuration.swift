extension SecureAggregation {
    /// The agreed parameters of one aggregation (one study round), validated up front.
    ///
    /// **Threshold range.** `⌊n/2⌋ < t ≤ n`. The lower bound keeps a lead that deviates from the
    /// protocol from obtaining t self-mask shares of a party from one half of the parties and t
    /// masking-key shares from the other half (each half answering a different survivor set):
    /// two disjoint sets of t parties do not exist when 2t > n. t parties are needed to unmask,
    /// so up to n − t may drop out; up to t − 1 colluding parties (the lead counted as one of
    /// them when it is a party) learn nothing beyond the sum. The default is ``minimumThreshold(parties:)``.
    public struct Configuration: Sendable, Hashable {
        /// Largest number of parties accepted.
        public static let maximumParties = 1_000
        /// Largest vector length accepted (2²⁴ words = 128 MiB per message).
        public static let maximumVectorLength = 1 << 24

        /// Study id (bound into every signature, key derivation and AEAD).
        public let study: String
        /// Aggregation round within the study (one aggregation per round).
        public let round: UInt64
        /// The parties, sorted; a party's Shamir index is its 1-based position here.
        public let parties: [String]
        /// t: shares needed to reconstruct; the minimum number of survivors.
        public let threshold: Int
        /// L: words per input vector.
        public let vectorLength: Int
        /// B: the largest |value| of one coordinate of one party's input (noise included).
        public let inputBound: UInt64

        /// Validates and creates a configuration.
        /// - Throws: ``SecureAggregationError`` with ``SecureAggregationError/Code/tooFewParties``
        ///   for n < 3 (with two parties the lead learns the other's input from the sum and its own),
        ///   ``SecureAggregationError/Code/thresholdOutOfRange`` for t ∉ (n/2, n] (t > n: fewer
        ///   parties than t), ``SecureAggregationError/Code/sumCanWrap`` when n·B > 2⁶³ − 1, and
        ///   ``SecureAggregationError/Code/invalidParameter`` for an empty study, empty or
        ///   duplicate party names, more than 1 000 parties, L ∉ 1…2²⁴ or B = 0.
        public init(study: String, round: UInt64, parties: [String], threshold: Int, vectorLength: Int, inputBound: UInt64) throws {
            guard !study.isEmpty else { throw SecureAggregationError(.invalidParameter, "study id is empty") }
            guard parties.count >= 3 else {
                throw SecureAggregationError(.tooFewParties, "secure aggregation needs at least 3 parties, got \(parties.count): with 2 parties the lead learns the other party's input from the sum and its own input, so masking hides nothing; turn secure aggregation off explicitly for such a study")
            }
            guard parties.count <= Self.maximumParties else {
                throw SecureAggregationError(.invalidParameter, "at most \(Self.maximumParties) parties, got \(parties.count)")
            }
            if let empty = parties.firstIndex(where: \.isEmpty) {
                throw SecureAggregationError(.invalidParameter, "party name at position \(empty) is empty")
            }
            let sorted = parties.sorted()
            for i in 1 ..< sorted.count where sorted[i] == sorted[i - 1] {
                throw SecureAggregationError(.invalidParameter, "party \(sorted[i]) is listed twice")
            }
            let n = parties.count
            guard threshold <= n else {
                throw SecureAggregationError(.thresholdOutOfRange, "fewer parties (\(n)) than the threshold t = \(threshold): the sum could never be unmasked")
            }
            guard threshold > n / 2 else {
                throw SecureAggregationError(.thresholdOutOfRange, "threshold t = \(threshold) is too small for \(n) parties: t must satisfy \(n / 2) < t ≤ \(n) so that no two disjoint sets of t parties exist (a lead could otherwise collect both kinds of share of one party)")
            }
            guard vectorLength >= 1, vectorLength <= Self.maximumVectorLength else {
                throw SecureAggregationError(.invalidParameter, "vector length must be in 1…\(Self.maximumVectorLength), got \(vectorLength)")
            }
            guard inputBound >= 1 else {
                throw SecureAggregationError(.invalidParameter, "input bound must be ≥ 1")
            }
            let (total, overflow) = UInt64(n).multipliedReportingOverflow(by: inputBound)
            guard !overflow, total <= UInt64(Int64.max) else {
                throw SecureAggregationError(.sumCanWrap, "the sum of \(n) inputs bounded by \(inputBound) can reach \(overflow ? "more than 2^64" : String(total)) > 2^63 − 1 and wrap mod 2^64; lower the bound (scale) or the number of parties")
            }
            self.study = study
            self.round = round
            self.parties = sorted
            self.threshold = threshold
            self.vectorLength = vectorLength
            self.inputBound = inputBound
        }

        /// The smallest safe threshold for `n` parties, ⌊n/2⌋ + 1 (tolerates the most dropouts).
        public static func minimumThreshold(parties n: Int) -> Int { n / 2 + 1 }

        /// n − t: how many parties may drop out after sharing keys with the sum still released.
        public var toleratedDropouts: Int { parties.count - threshold }

        /// The 1-based Shamir index of `party`, or `nil` when it is not a party. O(log n).
        public func index(of party: String) -> Int? {
            var lo = 0
            var hi = parties.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if parties[mid] < party { lo = mid + 1 } else { hi = mid }
            }
            return lo < parties.count && parties[lo] == party ? lo + 1 : nil
        }

        /// Encodes a party's signed input as words mod 2⁶⁴ (two's complement).
        /// - Throws: ``SecureAggregationError/Code/invalidInput`` when the length is not L or a
        ///   value's magnitude exceeds B (naming the coordinate).
        public func encode(_ input: [Int64]) throws -> [UInt64] {
            guard input.count == vectorLength else {
                throw SecureAggregationError(.invalidInput, "input has \(input.count) values, the configuration says \(vectorLength)")
            }
            if let bad = input.firstIndex(where: { $0.magnitude > inputBound }) {
                throw SecureAggregationError(.invalidInput, "input value \(input[bad]) at coordinate \(bad) exceeds the bound ±\(inputBound)")
            }
            return input.map { UInt64(bitPattern: $0) }
        }

        /// Decodes the unmasked sum of `contributors` inputs to signed values, checking that each
        /// lies within ±contributors·B (it cannot have wrapped mod 2⁶⁴).
        /// - Throws: ``SecureAggregationError/Code/sumOutOfBound`` naming the first bad coordinate.
        public func decodeSum(_ sum: [UInt64], contributors: Int) throws -> [Int64] {
            let limit = UInt64(Swift.max(contributors, 0)) * inputBound
            var out = [Int64]()
            out.reserveCapacity(sum.count)
            for (i, word) in sum.enumerated() {
                let value = Int64(bitPattern: word)
                guard value.magnitude <= limit else {
                    throw SecureAggregationError(.sumOutOfBound, "sum coordinate \(i) decodes to \(value), outside ±\(limit) (\(contributors) contributors × bound \(inputBound)): an input exceeded the bound or the masks did not cancel; nothing released")
                }
                out.append(value)
            }
            return out
        }
    }
}
