extension Analytics {
    /// Counts over dense categorical codes `0..<binCount` (one cell per customer), or over
    /// equal-width bins of a numeric value. This is the local, non-private input of a federated
    /// `histogram` or `quantiles` study.
    public struct Histogram: Sendable, Equatable, Codable {
        /// Count per bin.
        public private(set) var counts: [Int]

        /// Number of bins.
        public var binCount: Int { counts.count }

        /// Total count over all bins.
        public var total: Int { counts.reduce(0, +) }

        /// An empty histogram with `binCount` bins.
        public init(binCount: Int) {
            counts = [Int](repeating: 0, count: max(0, binCount))
        }

        /// Wraps known counts.
        public init(counts: [Int]) {
            self.counts = counts
        }

        /// Counts codes into `binCount` bins. O(n). Throws naming the first code ≥ `binCount`.
        public init(codes: [UInt8], binCount: Int) throws {
            guard binCount > 0 else {
                throw AnalyticsError(.invalidParameter, "Histogram: binCount \(binCount) must be > 0")
            }
            var counts = [Int](repeating: 0, count: binCount)
            var bad: Int?
            codes.withUnsafeBufferPointer { c in
                counts.withUnsafeMutableBufferPointer { h in
                    for i in 0..<c.count {
                        let code = Int(c[i])
                        if code < binCount { h[code] += 1 } else if bad == nil { bad = i }
                    }
                }
            }
            if let bad {
                throw AnalyticsError(.invalidValue, "Histogram: code \(codes[bad]) at row \(bad) is ≥ binCount \(binCount)")
            }
            self.counts = counts
        }

        /// Counts the codes of a ``Category`` (one bin per case).
        public init<C: Category>(codes: [UInt8], of category: C.Type) throws {
            try self.init(codes: codes, binCount: C.codeCount)
        }

        /// Counts numeric values into `binCount` equal-width bins over `[lower, upper)`; values
        /// outside are clamped into the first/last bin (NaN values are skipped). O(n).
        public init(values: [Double], lower: Double, upper: Double, binCount: Int) throws {
            guard binCount > 0, lower.isFinite, upper.isFinite, lower < upper else {
                throw AnalyticsError(.invalidParameter,
                                     "Histogram: need binCount > 0 and finite lower < upper, got \(binCount) bins over [\(lower), \(upper))")
            }
            var counts = [Int](repeating: 0, count: binCount)
            let scale = Double(binCount) / (upper - lower)
            values.withUnsafeBufferPointer { v in
                counts.withUnsafeMutableBufferPointer { h in
                    for x in v where !x.isNaN {
                        let b = ((x - lower) * scale).rounded(.down)
                        h[b < 0 ? 0 : (b >= Double(binCount) ? binCount - 1 : Int(b))] += 1
                    }
                }
            }
            self.counts = counts
        }

        /// Adds one observation of `code`; throws if the code has no bin.
        public mutating func add(code: Int) throws {
            guard code >= 0 && code < counts.count else {
                throw AnalyticsError(.invalidValue, "Histogram.add: code \(code) outside 0..<\(counts.count)")
            }
            counts[code] += 1
        }

        /// Element-wise sum with another histogram of the same width.
        public func merged(with other: Histogram) throws -> Histogram {
            guard other.binCount == binCount else {
                throw AnalyticsError(.dimensionMismatch, "Histogram.merged: \(binCount) vs \(other.binCount) bins")
            }
            return Histogram(counts: zip(counts, other.counts).map { $0 + $1 })
        }

        /// Count per bin divided by the total (all zeros when empty).
        public var shares: [Double] {
            let t = total
            return counts.map { t > 0 ? Double($0) / Double(t) : 0 }
        }
    }
}
