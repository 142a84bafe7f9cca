extension Analytics {
    /// Evaluation metrics for classifiers and clusterings.
    public enum Metrics {
        /// Area under the ROC curve by the Mann–Whitney U statistic: the probability that a random
        /// positive scores above a random negative, ties counting ½ (average ranks). O(n log n).
        /// Throws on length mismatch, NaN scores, or when one class is missing.
        public static func auc(scores: [Double], labels: [Bool]) throws -> Double {
            guard scores.count == labels.count else {
                throw AnalyticsError(.dimensionMismatch, "Metrics.auc: \(scores.count) scores vs \(labels.count) labels")
            }
            if let bad = scores.firstIndex(where: { $0.isNaN }) {
                throw AnalyticsError(.invalidValue, "Metrics.auc: score at index \(bad) is NaN")
            }
            let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
            let negatives = labels.count - positives
            guard positives > 0, negatives > 0 else {
                throw AnalyticsError(.insufficientData, "Metrics.auc: need both classes, got \(positives) positives and \(negatives) negatives")
            }
            let order = scores.indices.sorted { scores[$0] < scores[$1] }
            var rankSumPositives = 0.0
            var start = 0
            while start < order.count {
                var end = start + 1
                while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
                let averageRank = Double(start + end + 1) / 2   // ranks are 1-based: start+1 … end
                for p in start..<end where labels[order[p]] { rankSumPositives += averageRank }
                start = end
            }
            let p = Double(positives), n = Double(negatives)
            return (rankSumPositives - p * (p + 1) / 2) / (p * n)
        }

        /// AUC from a histogram of scores by label: `positives[b]` and `negatives[b]` are the counts
        /// (possibly noisy, so negative counts are treated as 0) of bin `b`, bins in ascending
        /// score order. Pairs in the same bin count ½. This is what the federated `evaluation`
        /// study computes from a DP histogram of (score bin, label). O(bins).
        public static func auc(positives: [Double], negatives: [Double]) throws -> Double {
            guard positives.count == negatives.count else {
                throw AnalyticsError(.dimensionMismatch, "Metrics.auc: \(positives.count) positive bins vs \(negatives.count) negative bins")
            }
            let pos = positives.map { $0.isFinite ? max(0, $0) : 0 }
            let neg = negatives.map { $0.isFinite ? max(0, $0) : 0 }
            let p = pos.reduce(0, +), n = neg.reduce(0, +)
            guard p > 0, n > 0 else {
                throw AnalyticsError(.insufficientData, "Metrics.auc: histogram needs mass in both classes (positives \(p), negatives \(n))")
            }
            var below = 0.0, pairs = 0.0
            for b in pos.indices {
                pairs += pos[b] * (below + neg[b] / 2)
                below += neg[b]
            }
            return pairs / (p * n)
        }

        /// The local input of a federated `evaluation` study: counts of positives and negatives per
        /// score bin, `bins` equal-width bins over `[lower, upper)` (scores outside are clamped into
        /// the first/last bin). O(n). Throws on length mismatch, NaN scores or bad bounds.
        public static func scoreHistogram(
            scores: [Double], labels: [Bool], bins: Int, lower: Double = 0, upper: Double = 1
        ) throws -> (positives: [Int], negatives: [Int]) {
            guard scores.count == labels.count else {
                throw AnalyticsError(.dimensionMismatch, "Metrics.scoreHistogram: \(scores.count) scores vs \(labels.count) labels")
            }
            if let bad = scores.firstIndex(where: { $0.isNaN }) {
                throw AnalyticsError(.invalidValue, "Metrics.scoreHistogram: score at index \(bad) is NaN")
            }
            let positives = try Histogram(values: zip(scores, labels).filter { $0.1 }.map(\.0), lower: lower, upper: upper, binCount: bins)
            let negatives = try Histogram(values: zip(scores, labels).filter { !$0.1 }.map(\.0), lower: lower, upper: upper, binCount: bins)
            return (positives.counts, negatives.counts)
        }

        /// Accuracy from a score histogram when predicting positive for bins `≥ thresholdBin`:
        /// (positives at or above + negatives below) / total. Negative (noisy) counts count as 0.
        /// O(bins).
        public static func accuracy(positives: [Double], negatives: [Double], thresholdBin: Int) throws -> Double {
            guard positives.count == negatives.count else {
                throw AnalyticsError(.dimensionMismatch, "Metrics.accuracy: \(positives.count) positive bins vs \(negatives.count) negative bins")
            }
            let pos = positives.map { $0.isFinite ? max(0, $0) : 0 }, neg = negatives.map { $0.isFinite ? max(0, $0) : 0 }
            let total = pos.reduce(0, +) + neg.reduce(0, +)
            guard total > 0 else {
                throw AnalyticsError(.insufficientData, "Metrics.accuracy: histogram has no mass")
            }
            var correct = 0.0
            for b in pos.indices { correct += b >= thresholdBin ? pos[b] : neg[b] }
            return correct / total
        }

        /// Fraction of predictions `probability ≥ threshold` that equal the label. O(n).
        public static func accuracy(probabilities: [Double], labels: [Bool], threshold: Double = 0.5) throws -> Double {
            try check(probabilities, labels, "accuracy")
            var correct = 0
            for i in labels.indices where (probabilities[i] >= threshold) == labels[i] { correct += 1 }
            return Double(correct) / Double(labels.count)
        }

        /// Mean log-loss −[y ln p + (1 − y) ln(1 − p)] in nats, with p clipped to
        /// [`epsilon`, 1 − `epsilon`] (default 1e-15, as scikit-learn). O(n).
        public static func logLoss(probabilities: [Double], labels: [Bool], epsilon: Double = 1e-15) throws -> Double {
            try check(probabilities, labels, "logLoss")
            var total = 0.0
            for i in labels.indices {
                let p = min(max(probabilities[i], epsilon), 1 - epsilon)
                total -= labels[i] ? Math.log(p) : Math.log(1 - p)
            }
            return total / Double(labels.count)
        }

        static func check(_ probabilities: [Double], _ labels: [Bool], _ name: String) throws {
            guard probabilities.count == labels.count else {
                throw AnalyticsError(.dimensionMismatch, "Metrics.\(name): \(probabilities.count) predictions vs \(labels.count) labels")
            }
            guard !labels.isEmpty else {
                throw AnalyticsError(.insufficientData, "Metrics.\(name): no predictions")
            }
            if let bad = probabilities.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw AnalyticsError(.invalidValue, "Metrics.\(name): probability at index \(bad) is \(probabilities[bad]), outside [0, 1]")
            }
        }

        /// Inertia: the sum of squared Euclidean distances from each point to its nearest centroid.
        /// O(n · k · d).
        public static func inertia(points: Matrix, centroids: Matrix) throws -> Double {
            try KMeans.stepSums(points: points, centroids: centroids).inertia
        }

        /// Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same items:
        /// 1 for identical partitions (up to renaming), about 0 for independent ones, negative when
        /// worse than chance. When both partitions are trivial in the same way (the chance-adjusted
        /// denominator is 0) the result is 1, as in scikit-learn. O(n).
        public static func adjustedRandIndex(_ a: [Int], _ b: [Int]) throws -> Double {
            guard a.count == b.count else {
                throw AnalyticsError(.dimensionMismatch, "Metrics.adjustedRandIndex: \(a.count) vs \(b.count) labels")
            }
            let n = a.count
            guard n > 1 else { return 1 }
            var pair: [Int: [Int: Int]] = [:]
            var rowTotals: [Int: Int] = [:], colTotals: [Int: Int] = [:]
            for i in 0..<n {
                pair[a[i], default: [:]][b[i], default: 0] += 1
                rowTotals[a[i], default: 0] += 1
                colTotals[b[i], default: 0] += 1
            }
            func choose2(_ x: Int) -> Double { Double(x) * Double(x - 1) / 2 }
            let index = pair.values.reduce(0.0) { s, row in s + row.values.reduce(0.0) { $0 + choose2($1) } }
            let sumA = rowTotals.values.reduce(0.0) { $0 + choose2($1) }
            let sumB = colTotals.values.reduce(0.0) { $0 + choose2($1) }
            let expected = sumA * sumB / choose2(n)
            let maximum = (sumA + sumB) / 2
            if maximum == expected { return 1 }
            return (index - expected) / (maximum - expected)
        }
    }
}
