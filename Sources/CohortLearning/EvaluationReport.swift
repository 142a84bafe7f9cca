import CohortAnalytics

extension Learning {
    /// One row of a calibration table: customers whose predicted probability falls in
    /// `[lower, upper)`.
    public struct CalibrationRow: Sendable, Hashable, Codable {
        /// Lower edge of the predicted-probability group.
        public var lower: Double
        /// Upper edge.
        public var upper: Double
        /// Noised number of customers in the group.
        public var customers: Estimate
        /// Mean predicted probability (from the fine bins' midpoints).
        public var meanPredicted: Double?
        /// Observed churn rate (noised churned / noised customers).
        public var observedRate: Estimate?
    }

    /// Holdout metrics computed from a (noised) histogram of (score bin × label), the output of
    /// federated evaluation, each with the standard error its noise induces.
    ///
    /// The histogram has `bins` equal-width bins over [0, 1] (a score in `[b/B, (b+1)/B)` is in bin
    /// `b`; 1 is in the last). Noised counts are used as released, negative values included: every
    /// metric below is a ratio of sums that are linear in the counts, whose noise has mean zero, so
    /// no bias is added (clamping negatives at 0 would add about 0.4 σ of phantom mass to every
    /// empty bin and pull the AUC towards ½). AUC and accuracy are then limited to [0, 1].
    /// - **AUC**: Mann–Whitney on the bins, pairs within a bin counting ½ (as
    ///   ``CohortAnalytics/Analytics/Metrics/auc(positives:negatives:)``); the binning error is at
    ///   most half the share of positive–negative pairs that share a bin.
    /// - **Accuracy at 0.5**: bins `≥ B/2` predicted churn.
    /// - **Log-loss** (approximation): every score is replaced by its bin's midpoint
    ///   `(b + ½)/B`, so `−Σ_b [pos_b ln m_b + neg_b ln(1 − m_b)] / N`; for a score `p` in a bin of
    ///   width `1/B` the per-customer error is at most `ln(1 + 1/(B·min(p, 1−p)))`, small except for
    ///   scores near 0 or 1.
    /// - **Calibration**: ``calibrationGroups`` equal groups of bins; observed rate vs mean
    ///   predicted.
    /// - **Standard errors**: a parametric bootstrap of the noise — 200 replicates of the released
    ///   counts plus independent normal noise of the aggregate's variance (seeded, so the report is
    ///   reproducible), recomputing every metric; the standard deviation over replicates.
    public struct EvaluationReport: Sendable, Hashable, Codable {
        /// Number of score bins.
        public var bins: Int
        /// Noised number of positives (churned) evaluated.
        public var positives: Estimate
        /// Noised number of negatives evaluated.
        public var negatives: Estimate
        /// Area under the ROC curve.
        public var auc: Estimate?
        /// Accuracy when predicting churn at probability ≥ 0.5.
        public var accuracy: Estimate?
        /// Mean log-loss in nats (bin-midpoint approximation).
        public var logLoss: Estimate?
        /// Calibration table (10 groups).
        public var calibration: [CalibrationRow]

        /// Groups of the calibration table.
        public static let calibrationGroups = 10
        /// Bootstrap replicates of the standard errors.
        public static let replicates = 200

        /// Builds the report from released counts: `negatives[b]`, `positives[b]` per bin, and the
        /// standard deviation `noiseSD` of each released count's noise (0 when noise is off).
        /// O(replicates · bins). - Throws: `dimensionMismatch` unless both have the same number of
        /// bins, a multiple of 10.
        public init(negatives: [Double], positives: [Double], noiseSD: Double, seed: UInt64 = 0x5EED) throws {
            let b = positives.count
            guard negatives.count == b, b >= 10, b % 10 == 0 else {
                throw LearningError(.dimensionMismatch, "EvaluationReport: \(negatives.count) negative and \(b) positive bins; need equal counts, a multiple of 10")
            }
            let point = Self.metrics(negatives, positives)
            var replicates: [[Double?]] = []
            if noiseSD > 0 {
                var generator = Analytics.SplitMix64(seed: seed)
                for _ in 0..<Self.replicates {
                    let n = negatives.map { $0 + noiseSD * Self.normal(&generator) }
                    let p = positives.map { $0 + noiseSD * Self.normal(&generator) }
                    replicates.append(Self.metrics(n, p).scalars)
                }
            }
            func se(_ index: Int) -> Double {
                let values = replicates.compactMap { $0[index] }
                guard values.count > 1 else { return 0 }
                let mean = values.reduce(0, +) / Double(values.count)
                return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            }
            let totalSD = noiseSD * Double(b).squareRoot()
            self.bins = b
            self.positives = Estimate(positives.reduce(0, +), standardError: totalSD)
            self.negatives = Estimate(negatives.reduce(0, +), standardError: totalSD)
            self.auc = point.auc.map { Estimate($0, standardError: se(0)) }
            self.accuracy = point.accuracy.map { Estimate($0, standardError: se(1)) }
            self.logLoss = point.logLoss.map { Estimate($0, standardError: se(2)) }
            let groups = Self.calibrationGroups, per = b / groups
            self.calibration = (0..<groups).map { g in
                let range = (g * per)..<((g + 1) * per)
                let neg = range.reduce(0.0) { $0 + negatives[$1] }, pos = range.reduce(0.0) { $0 + positives[$1] }
                let total = neg + pos
                let predicted = range.reduce(0.0) { $0 + (negatives[$1] + positives[$1]) * (Double($1) + 0.5) / Double(b) }
                let groupSD = noiseSD * Double(per).squareRoot()
                return CalibrationRow(
                    lower: Double(g) / Double(groups), upper: Double(g + 1) / Double(groups),
                    customers: Estimate(range.reduce(0.0) { $0 + negatives[$1] + positives[$1] }, standardError: groupSD * 2.0.squareRoot()),
                    meanPredicted: total > 0 ? min(max(predicted / total, Double(g) / Double(groups)), Double(g + 1) / Double(groups)) : nil,
                    observedRate: Estimate.ratio(pos, total, numeratorSE: groupSD, denominatorSE: groupSD * 2.0.squareRoot()))
            }
        }

        struct Point {
            var auc: Double?
            var accuracy: Double?
            var logLoss: Double?
            var scalars: [Double?] { [auc, accuracy, logLoss] }
        }

        static func metrics(_ negatives: [Double], _ positives: [Double]) -> Point {
            let b = positives.count
            let neg = negatives.map { $0.isFinite ? $0 : 0 }, pos = positives.map { $0.isFinite ? $0 : 0 }
            let p = pos.reduce(0, +), n = neg.reduce(0, +)
            let total = p + n
            var below = 0.0, pairs = 0.0, correct = 0.0, loss = 0.0
            for i in 0..<b {
                pairs += pos[i] * (below + neg[i] / 2)
                below += neg[i]
                correct += i >= b / 2 ? pos[i] : neg[i]
                let m = (Double(i) + 0.5) / Double(b)
                loss -= pos[i] * Analytics.Math.log(m) + neg[i] * Analytics.Math.log(1 - m)
            }
            return Point(auc: p > 0 && n > 0 ? min(max(pairs / (p * n), 0), 1) : nil,
                         accuracy: total > 0 ? min(max(correct / total, 0), 1) : nil,
                         logLoss: total > 0 ? max(loss / total, 0) : nil)
        }

        /// A standard normal draw (Box–Muller) for the bootstrap (not privacy noise).
        static func normal(_ g: inout Analytics.SplitMix64) -> Double {
            let u1 = (Double(g.next() >> 11) + 0.5) * 0x1.0p-53
            let u2 = Double(g.next() >> 11) * 0x1.0p-53
            return (-2 * Analytics.Math.log(u1)).squareRoot() * cos2pi(u2)
        }

        /// cos(2πu) for u ∈ [0, 1) by a short Taylor series on a reduced argument (no Foundation).
        static func cos2pi(_ u: Double) -> Double {
            // Reduce to x ∈ [−π, π].
            let x = 2 * Double.pi * (u - (u + 0.5).rounded(.down))
            let x2 = x * x
            var term = 1.0, sum = 1.0
            for n in 1...12 {
                term *= -x2 / Double((2 * n - 1) * (2 * n))
                sum += term
            }
            return sum
        }
    }
}
