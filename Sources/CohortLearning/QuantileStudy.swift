public import CohortAnalytics
public import CohortPrivacy

extension Learning {
    /// `kind: quantiles`: DP quantiles of recency, frequency and monetary from fine noised
    /// histograms in one round, and the consortium RFM cut points derived from them.
    ///
    /// Each node sends, for each of the three measures, a histogram with one cell per customer
    /// (Δ₂ = √3, Δ₁ = 3 for the three histograms together):
    /// - recency: 1-day bins over `[0, maxRecencyDays + 1)` (larger values in the last bin);
    /// - frequency: 1-purchase bins over `[0, maxFrequency + 1)`;
    /// - monetary: ``monetaryBins`` equal bins of ln(1 + major units) over
    ///   `[0, ln(1 + maxMonetaryMajor)]` — quantiles commute with the monotone log, so they are
    ///   computed on that scale and mapped back.
    /// Quantiles come from the cumulative sums of the noised counts *as released* (negative
    /// values included, so the noise adds no bias — clamping at 0 would add phantom mass to every
    /// empty bin): the quantile for probability p is in the first bin where the cumulative count
    /// reaches p × total, interpolated linearly within it (``quantiles(counts:lower:upper:probabilities:)``;
    /// on non-negative counts this is ``CohortAnalytics/Analytics/Quantiles/fromHistogram(counts:lower:upper:probabilities:)``).
    /// Standard errors are a parametric bootstrap of the noise (200 seeded replicates).
    public struct QuantileStudy: FederatedAlgorithm {
        /// The spec parameters.
        public struct Configuration: Sendable, Hashable, Codable {
            /// (ε, δ) of the study, per node.
            public var privacy: PrivacyTarget
            /// Probabilities to release (default the quintile cuts 0.2, 0.4, 0.6, 0.8).
            public var probabilities: [Double] = [0.2, 0.4, 0.6, 0.8]
            /// Largest recency bin (days), 1…100 000.
            public var maxRecencyDays: Int = 730
            /// Largest frequency bin (purchases), 1…100 000.
            public var maxFrequency: Int = 200
            /// Upper monetary bound (major units) > 0.
            public var maxMonetaryMajor: Double = 100_000
            /// Monetary bins, 10…100 000.
            public var monetaryBins: Int = 1000
            /// Number of parties whose noise is in the aggregate.
            public var parties: Int = 1
            /// With secure aggregation: how each round's noise is split among the parties (each
            /// adds its share); nil when every node adds the full noise.
            public var noiseSharing: NoiseSharing?
            /// Simulation only: σ = 0.
            public var noiseOff: Bool = false

            /// A configuration with the documented defaults.
            public init(privacy: PrivacyTarget) { self.privacy = privacy }
        }

        /// The only round's payload (nothing to send beyond the spec).
        public enum Payload: String, Sendable, Hashable, Codable { case histograms }

        /// The validated configuration.
        public let configuration: Configuration
        /// The round's noise.
        public let noise: RoundNoise
        /// The per-node cost.
        public let cost: Privacy.Cost

        /// Validates and calibrates. - Throws: `invalidParameter`, `invalidPrivacyParameter`,
        /// `budgetTooSmallForRounds`.
        public init(_ configuration: Configuration) throws {
            let c = configuration
            guard !c.probabilities.isEmpty, c.probabilities.allSatisfy({ $0 > 0 && $0 < 1 }) else {
                throw LearningError(.invalidParameter, "quantiles: probabilities \(c.probabilities) must be non-empty, each in (0, 1)")
            }
            guard (1...100_000).contains(c.maxRecencyDays), (1...100_000).contains(c.maxFrequency),
                  c.maxMonetaryMajor.isFinite, c.maxMonetaryMajor > 0, (10...100_000).contains(c.monetaryBins), c.parties >= 1 else {
                throw LearningError(.invalidParameter, "quantiles: max recency \(c.maxRecencyDays), max frequency \(c.maxFrequency) must be in 1…100000, max monetary \(c.maxMonetaryMajor) > 0, monetary bins \(c.monetaryBins) in 10…100000, parties \(c.parties) ≥ 1")
            }
            let rho = try BudgetSplit.roundRho(totalRho: try c.privacy.rho(), share: 1, rounds: 1, part: "quantiles", target: c.privacy)
            let dimension = c.maxRecencyDays + 1 + c.maxFrequency + 1 + c.monetaryBins
            noise = try .calibrated(rho: rho, l2Sensitivity: 3.0.squareRoot(), l1Sensitivity: 3, dimension: dimension,
                                    noiseOff: c.noiseOff, sharing: c.noiseSharing)
            cost = try RoundNoise.calibrated(rho: rho, l2Sensitivity: 3.0.squareRoot(), l1Sensitivity: 3, dimension: dimension,
                                             sharing: c.noiseSharing).cost()
            self.configuration = c
        }

        /// Quantiles of equal-width bins over `[lower, upper)` from (noised) counts used as given:
        /// for probability p the first bin `b` whose cumulative count reaches `p · total`, at
        /// `lower + (b + (target − before)/count_b) · width` (the bin's start when its count is not
        /// positive). Results are made non-decreasing. O(bins + probabilities).
        /// - Throws: `insufficientData` when the total is not positive.
        public static func quantiles(counts: [Double], lower: Double, upper: Double, probabilities: [Double]) throws -> [Double] {
            let total = counts.reduce(0, +)
            guard total > 0, !counts.isEmpty else {
                throw LearningError(.insufficientData, "quantiles: the histogram's total count \(total) is not positive")
            }
            let width = (upper - lower) / Double(counts.count)
            var out: [Double] = []
            for p in probabilities {
                let target = p * total
                var cumulative = 0.0
                var value = upper
                for (b, c) in counts.enumerated() {
                    if c > 0 && cumulative + c >= target {
                        value = lower + (Double(b) + min(max((target - cumulative) / c, 0), 1)) * width
                        break
                    }
                    cumulative += c
                }
                out.append(max(value, out.last ?? lower))
            }
            return out
        }

        /// One round.
        public var maximumRounds: Int { 1 }
        /// ``Payload/histograms``.
        public var initialPayload: Payload { .histograms }
        /// The round's noise.
        public func roundNoise(for payload: Payload) throws -> RoundNoise { noise }

        /// The three histograms, concatenated (recency, frequency, monetary). O(n).
        public func localContribution(_ payload: Payload, customers: Customers,
                                      using generator: inout some RandomNumberGenerator) throws -> [Int64] {
            let c = configuration
            var out = [Int64](repeating: 0, count: noise.dimension)
            let fOffset = c.maxRecencyDays + 1, mOffset = fOffset + c.maxFrequency + 1
            let logUpper = Analytics.Math.log1p(c.maxMonetaryMajor)
            for i in 0..<customers.count {
                out[min(Int(customers.recencyDays[i]), c.maxRecencyDays)] += 1
                out[fOffset + min(Int(customers.frequency[i]), c.maxFrequency)] += 1
                let m = Analytics.Math.log1p(Double(customers.monetaryMinor[i]) / 100) / logUpper
                out[mOffset + min(Int((m * Double(c.monetaryBins)).rounded(.down)), c.monetaryBins - 1)] += 1
            }
            return out
        }

        /// The released quantiles. - Throws: `dimensionMismatch`, `insufficientData` (no mass).
        public func advance(_ payload: Payload, aggregate: [Int64], round: Int) throws -> Step<Payload, QuantileResult> {
            guard aggregate.count == noise.dimension, round == 0 else {
                throw LearningError(.dimensionMismatch, "quantiles: aggregate has \(aggregate.count) values in round \(round), expected \(noise.dimension) in round 0")
            }
            let c = configuration
            let fOffset = c.maxRecencyDays + 1, mOffset = fOffset + c.maxFrequency + 1
            let counts = aggregate.map(Double.init)
            let logUpper = Analytics.Math.log1p(c.maxMonetaryMajor)
            let parts: [(ArraySlice<Double>, Double, (Double) -> Double)] = [
                (counts[0..<fOffset], Double(c.maxRecencyDays + 1), { $0 }),
                (counts[fOffset..<mOffset], Double(c.maxFrequency + 1), { $0 }),
                (counts[mOffset...], logUpper, { Analytics.Math.exp($0) - 1 }),
            ]
            let sd = noise.aggregateStandardDeviation(parties: c.parties)
            var released: [[Estimate]] = []
            for (index, (slice, upper, back)) in parts.enumerated() {
                let h = Array(slice)
                func quantiles(_ h: [Double]) throws -> [Double] {
                    try Self.quantiles(counts: h, lower: 0, upper: upper, probabilities: c.probabilities).map(back)
                }
                let point: [Double]
                do { point = try quantiles(h) } catch {
                    throw LearningError(.insufficientData, "quantiles: the noised histogram \(index) has no mass")
                }
                var replicates: [[Double]] = []
                if sd > 0 {
                    var g = Analytics.SplitMix64(seed: 0x9A17 &+ UInt64(index))
                    for _ in 0..<EvaluationReport.replicates {
                        if let r = try? quantiles(h.map { $0 + sd * EvaluationReport.normal(&g) }) { replicates.append(r) }
                    }
                }
                released.append(point.indices.map { j in
                    let values = replicates.map { $0[j] }
                    guard values.count > 1 else { return Estimate(point[j], standardError: 0) }
                    let mean = values.reduce(0, +) / Double(values.count)
                    let v = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                    return Estimate(point[j], standardError: v.squareRoot())
                })
            }
            return .finished(QuantileResult(probabilities: c.probabilities, recencyDays: released[0],
                                            frequency: released[1], monetaryMajor: released[2]))
        }
    }

    /// Released DP quantiles of recency, frequency and monetary.
    public struct QuantileResult: Sendable, Hashable, Codable {
        /// The probabilities, in order.
        public var probabilities: [Double]
        /// Recency quantiles (days).
        public var recencyDays: [Estimate]
        /// Frequency quantiles (purchases).
        public var frequency: [Estimate]
        /// Monetary quantiles (major units).
        public var monetaryMajor: [Estimate]

        /// Consortium RFM cut points from the quintile probabilities 0.2, 0.4, 0.6, 0.8 (monetary
        /// converted to cents), made non-decreasing (a later cut below an earlier one is raised to
        /// it, which noise can cause), for scoring every node's customers the same way
        /// (``CohortAnalytics/Analytics/Features/RFMScoring/cutPoints(_:)``).
        /// - Throws: `invalidParameter` when the released probabilities are not the quintile cuts.
        public func rfmCutPoints() throws -> Analytics.RFM.CutPoints {
            guard probabilities == [0.2, 0.4, 0.6, 0.8] else {
                throw LearningError(.invalidParameter, "RFM cut points need the quintile probabilities [0.2, 0.4, 0.6, 0.8], the study released \(probabilities)")
            }
            func ascending(_ values: [Double]) -> [Double] {
                var out = values
                for i in 1..<out.count where out[i] < out[i - 1] { out[i] = out[i - 1] }
                return out
            }
            do {
                return try Analytics.RFM.CutPoints(recency: ascending(recencyDays.map(\.value)), frequency: ascending(frequency.map(\.value)),
                                                   monetary: ascending(monetaryMajor.map { $0.value * 100 }))
            } catch let error as AnalyticsError {
                throw LearningError(.invalidParameter, "RFM cut points: \(error.message)")
            }
        }
    }
}
