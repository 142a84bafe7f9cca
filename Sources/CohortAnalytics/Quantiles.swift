extension Analytics {
    /// Quantiles: exact from values, or approximate from a fine-binned histogram (which is how a
    /// federated study gets them, from a DP histogram).
    public enum Quantiles {
        /// Exact quantiles with linear interpolation between order statistics (Hyndman–Fan type 7,
        /// the default of R and NumPy): for sorted `x₀ … xₙ₋₁` and probability `p`, `h = (n−1)p`,
        /// result `x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋)`. O(n log n). Throws on empty input, NaN values or
        /// probabilities outside [0, 1].
        public static func exact(_ values: [Double], probabilities: [Double]) throws -> [Double] {
            guard !values.isEmpty else {
                throw AnalyticsError(.insufficientData, "Quantiles.exact: no values")
            }
            if let bad = values.firstIndex(where: { $0.isNaN }) {
                throw AnalyticsError(.invalidValue, "Quantiles.exact: value at index \(bad) is NaN")
            }
            try validate(probabilities)
            let sorted = values.sorted()
            return probabilities.map { type7(sorted: sorted, $0) }
        }

        /// Type-7 quantile of non-empty ascending `sorted` values at probability `p` ∈ [0, 1]. O(1).
        static func type7(sorted: [Double], _ p: Double) -> Double {
            let n = sorted.count
            let h = Double(n - 1) * p
            let lo = min(Int(h.rounded(.down)), n - 1)
            let hi = min(lo + 1, n - 1)
            return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
        }

        /// Quantiles from a histogram with `counts.count` equal-width bins over `[lower, upper)`.
        ///
        /// Counts may be noisy (DP): negative counts are treated as 0. For probability `p` the
        /// target mass is `p · total`; the result is the point inside the bin where the cumulative
        /// count reaches the target, interpolating linearly (mass uniform within a bin). `p = 0`
        /// gives the lower edge of the first non-empty bin, `p = 1` the upper edge of the last.
        /// O(bins + probabilities). Throws on bad bounds, no bins, or zero total mass.
        public static func fromHistogram(counts: [Double], lower: Double, upper: Double,
                                         probabilities: [Double]) throws -> [Double] {
            guard !counts.isEmpty else {
                throw AnalyticsError(.invalidParameter, "Quantiles.fromHistogram: no bins")
            }
            guard lower.isFinite, upper.isFinite, lower < upper else {
                throw AnalyticsError(.invalidParameter, "Quantiles.fromHistogram: need finite lower < upper, got [\(lower), \(upper))")
            }
            try validate(probabilities)
            let clean = counts.map { $0.isFinite ? max(0, $0) : 0 }
            let total = clean.reduce(0, +)
            guard total > 0 else {
                throw AnalyticsError(.insufficientData, "Quantiles.fromHistogram: histogram has no mass")
            }
            let width = (upper - lower) / Double(clean.count)
            let firstNonEmpty = clean.firstIndex { $0 > 0 } ?? 0
            let lastNonEmpty = clean.lastIndex { $0 > 0 } ?? clean.count - 1
            return probabilities.map { p in
                if p <= 0 { return lower + Double(firstNonEmpty) * width }
                if p >= 1 { return lower + Double(lastNonEmpty + 1) * width }
                let target = p * total
                var cumulative = 0.0
                for (b, c) in clean.enumerated() where c > 0 {
                    if cumulative + c >= target {
                        return lower + (Double(b) + (target - cumulative) / c) * width
                    }
                    cumulative += c
                }
                return lower + Double(lastNonEmpty + 1) * width
            }
        }

        static func validate(_ probabilities: [Double]) throws {
            for (i, p) in probabilities.enumerated() where !(p >= 0 && p <= 1) {
                throw AnalyticsError(.invalidParameter, "Quantiles: probability \(i) = \(p) is outside [0, 1]")
            }
        }
    }
}
