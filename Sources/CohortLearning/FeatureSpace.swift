public import CohortAnalytics

extension Learning {
    /// The bounded vector space a study learns in, identical on every node: numeric features
    /// clipped to fixed bounds and mapped linearly onto `[−halfWidth, halfWidth]`, followed by the
    /// one-hot columns of the categorical features (values 0/1).
    ///
    /// Every encoded vector has L2 norm at most ``maximumNorm`` =
    /// `√(numeric · halfWidth² + categorical)`; the studies derive their sensitivities from it.
    public struct FeatureSpace: Sendable, Hashable, Codable {
        /// Numeric features, in column order.
        public var numeric: [NumericFeature]
        /// Clip bounds of each numeric feature (same order).
        public var bounds: [ClipBounds]
        /// Categorical features, one-hot after the numeric columns.
        public var categorical: [CategoricalFeature]
        /// Half-width of the numeric range (k-means uses 1/2, logistic regression 1).
        public var halfWidth: Double

        /// Creates a space. - Throws: `invalidParameter` for no columns, a duplicate feature,
        /// mismatched bounds or a half-width that is not finite and > 0.
        public init(numeric: [NumericFeature], bounds: [ClipBounds]? = nil, categorical: [CategoricalFeature] = [],
                    halfWidth: Double) throws {
            let bounds = bounds ?? numeric.map(\.defaultBounds)
            guard bounds.count == numeric.count else {
                throw LearningError(.invalidParameter, "FeatureSpace: \(bounds.count) clip bounds for \(numeric.count) numeric features")
            }
            guard !numeric.isEmpty || !categorical.isEmpty else {
                throw LearningError(.invalidParameter, "FeatureSpace: no features")
            }
            let names = numeric.map(\.rawValue) + categorical.map(\.name)
            if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw LearningError(.invalidParameter, "FeatureSpace: feature \(dup) is listed twice")
            }
            for case .region(let regions) in categorical where regions.isEmpty || Set(regions).count != regions.count {
                throw LearningError(.invalidParameter, "FeatureSpace: region names \(regions) must be non-empty and distinct")
            }
            guard halfWidth.isFinite, halfWidth > 0 else {
                throw LearningError(.invalidParameter, "FeatureSpace: halfWidth \(halfWidth) must be > 0")
            }
            self.numeric = numeric
            self.bounds = bounds
            self.categorical = categorical
            self.halfWidth = halfWidth
        }

        /// Builds a space from spec feature names (`log_recency`, …, `region`, `channel_band`,
        /// `nps_class`) and optional clip-bound overrides by name; other numeric features get
        /// their documented defaults.
        /// - Throws: `unknownFeature` naming an unknown feature (or an override for a feature not
        ///   in the list), `invalidParameter` as ``init(numeric:bounds:categorical:halfWidth:)``.
        public init(names: [String], boundOverrides: [String: ClipBounds] = [:],
                    regions: [String] = CategoricalFeature.defaultRegions, halfWidth: Double) throws {
            var numeric: [NumericFeature] = []
            var categorical: [CategoricalFeature] = []
            for name in names {
                if let f = NumericFeature(rawValue: name) {
                    numeric.append(f)
                } else if name == "region" {
                    categorical.append(.region(regions))
                } else if name == "channel_band" {
                    categorical.append(.channelBand)
                } else if name == "nps_class" {
                    categorical.append(.npsClass)
                } else {
                    let known = NumericFeature.allCases.map(\.rawValue) + ["region", "channel_band", "nps_class"]
                    throw LearningError(.unknownFeature, "unknown feature \"\(name)\"; known features: \(known.joined(separator: ", "))")
                }
            }
            for name in boundOverrides.keys.sorted() where !numeric.contains(where: { $0.rawValue == name }) {
                throw LearningError(.unknownFeature, "clip bounds given for \"\(name)\", which is not a numeric feature of this study (\(numeric.map(\.rawValue)))")
            }
            try self.init(numeric: numeric, bounds: numeric.map { boundOverrides[$0.rawValue] ?? $0.defaultBounds },
                          categorical: categorical, halfWidth: halfWidth)
        }

        private enum CodingKeys: String, CodingKey { case numeric, bounds, categorical, halfWidth }

        /// Decodes and validates as ``init(numeric:bounds:categorical:halfWidth:)`` (a payload
        /// from the network never yields an inconsistent space).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(numeric: try c.decode([NumericFeature].self, forKey: .numeric),
                          bounds: try c.decode([ClipBounds].self, forKey: .bounds),
                          categorical: try c.decode([CategoricalFeature].self, forKey: .categorical),
                          halfWidth: try c.decode(Double.self, forKey: .halfWidth))
        }

        /// Number of columns.
        public var dimension: Int { numeric.count + categorical.reduce(0) { $0 + $1.width } }

        /// Column names (numeric feature names, then `<categorical>=<category>`).
        public var columnNames: [String] { numeric.map(\.rawValue) + categorical.flatMap(\.columnNames) }

        /// The largest L2 norm of an encoded vector: `√(numeric · halfWidth² + categorical)`.
        public var maximumNorm: Double {
            (Double(numeric.count) * halfWidth * halfWidth + Double(categorical.count)).squareRoot()
        }

        /// Writes customer `i`'s encoded vector into `out[0..<dimension]`. O(dimension).
        @inlinable
        public func encode(_ c: Customers, _ i: Int, into out: UnsafeMutablePointer<Double>) {
            for (j, f) in numeric.enumerated() { out[j] = bounds[j].normalized(f.value(c, i), halfWidth: halfWidth) }
            var offset = numeric.count
            for f in categorical {
                let w = f.width
                for j in 0..<w { out[offset + j] = 0 }
                if let hot = f.hotColumn(c, i) { out[offset + hot] = 1 }
                offset += w
            }
        }

        /// The encoded rows (all customers, or `rows`) as a matrix. O(rows · dimension).
        public func matrix(_ c: Customers, rows: [Int]? = nil) -> Analytics.Matrix {
            let selected = rows ?? Array(0..<c.count)
            let d = dimension
            var m = Analytics.Matrix(rows: selected.count, cols: d)
            m.withUnsafeMutableElements { out in
                guard let base = out.baseAddress else { return }
                for (r, i) in selected.enumerated() { encode(c, i, into: base + r * d) }
            }
            return m
        }

        /// A numeric column's encoded value converted back to feature units. O(1).
        public func featureValue(_ z: Double, column j: Int) -> Double {
            bounds[j].denormalized(z, halfWidth: halfWidth)
        }
    }
}
