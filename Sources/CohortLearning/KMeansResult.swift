import CohortAnalytics

extension Learning {
    /// One cluster of a released DP k-means segmentation: centroid, size and a profile, every
    /// noised statistic with its standard error.
    public struct ClusterProfile: Sendable, Hashable, Codable {
        /// Cluster number 1…k (clusters are ordered by mean monetary, highest first).
        public var cluster: Int
        /// Descriptive name derived from the profile (see ``KMeansResult``).
        public var name: String
        /// Centroid in feature units (e.g. ln(1 + days) for `log_recency`), in feature order.
        public var centroid: [Double]
        /// Centroid in natural units (days, purchases, major units, years, share).
        public var centroidNatural: [Double]
        /// Noised number of customers.
        public var size: Estimate
        /// Share of all customers (noised size / sum of noised sizes).
        public var share: Double
        /// Mean recency in days (recency clamped to the profile limit).
        public var meanRecencyDays: Estimate?
        /// Mean purchases in the window (clamped).
        public var meanFrequency: Estimate?
        /// Mean window spend in major units (clamped).
        public var meanMonetary: Estimate?
        /// Churn rate among customers with a churn label.
        public var churnRate: Estimate?
        /// Share of the high, mid and basic value tiers (``Analytics/ValueTier`` order).
        public var valueTierShares: [Estimate]
    }

    /// The released result of a DP k-means study: the centroids (encoded, feature and natural
    /// units), per-cluster profiles with standard errors, and ``label(_:row:)`` for labelling a
    /// node's own customers locally.
    ///
    /// **Names**: each cluster is compared with the size-weighted consortium mean: "High-value"
    /// (mean monetary ≥ 1.5×), "Low-value" (≤ 0.5×) or "Mid-value"; "frequent" (mean frequency ≥
    /// 1.5×) or "occasional" (≤ 0.5×); "recent" (mean recency ≤ 0.6×) or "lapsed" (≥ 1.6×); and
    /// "at-risk" when its churn rate is ≥ 1.5× the consortium's. Repeated names get " 2", " 3", ….
    public struct KMeansResult: Sendable, Hashable, Codable {
        /// The feature space the centroids live in.
        public var space: FeatureSpace
        /// Centroids in encoded units, `k × d` row-major, in cluster order.
        public var centroids: [Double]
        /// Cluster profiles, cluster 1 first.
        public var clusters: [ClusterProfile]
        /// Lloyd rounds run.
        public var lloydIterations: Int
        /// Whether the stopping tolerance was reached before the Lloyd rounds ran out.
        public var converged: Bool

        /// Number of clusters.
        public var k: Int { clusters.count }

        private enum CodingKeys: String, CodingKey { case space, centroids, clusters, lloydIterations, converged }

        /// Decodes and validates the shape (`k × d` finite centroids for `k ≥ 1` clusters), so a
        /// stored or received result can label customers without surprises.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            space = try c.decode(FeatureSpace.self, forKey: .space)
            centroids = try c.decode([Double].self, forKey: .centroids)
            clusters = try c.decode([ClusterProfile].self, forKey: .clusters)
            lloydIterations = try c.decode(Int.self, forKey: .lloydIterations)
            converged = try c.decode(Bool.self, forKey: .converged)
            guard !clusters.isEmpty, centroids.count == clusters.count * space.dimension, centroids.allSatisfy(\.isFinite) else {
                throw LearningError(.invalidPayload, "k-means result: \(centroids.count) centroid coordinates for \(clusters.count) clusters of dimension \(space.dimension)")
            }
        }

        /// The cluster (0-based index into ``clusters``) of customer `i`: the nearest centroid in
        /// the study's feature space (ties: lowest index). O(k · d).
        public func label(_ customers: Customers, row i: Int) -> Int {
            let d = space.dimension
            var z = [Double](repeating: 0, count: d)
            return z.withUnsafeMutableBufferPointer { zb in
                space.encode(customers, i, into: zb.baseAddress!)
                return KMeansStudy.nearest(zb.baseAddress!, centroids, d, k)
            }
        }

        /// Labels of all customers. O(n · k · d).
        public func labels(_ customers: Customers) -> [Int] {
            (0..<customers.count).map { label(customers, row: $0) }
        }

        init(study: KMeansStudy, centroids raw: [Double], aggregate: [Int64], iterations: Int, converged: Bool) throws {
            let c = study.configuration, k = c.k, d = study.space.dimension, w = KMeansStudy.profileWidth
            let s = Double(KMeansStudy.scale)
            let sd = study.profileNoise.aggregateStandardDeviation(parties: c.parties, scale: s)
            let lim = c.profileLimits
            struct Raw { var size: Double; var profile: ClusterProfile; var centroid: [Double] }
            var raws: [Raw] = []
            for cluster in 0..<k {
                let o = cluster * w
                func v(_ j: Int) -> Double { Double(aggregate[o + j]) / s }
                let size = v(0)
                let centroid = Array(raw[(cluster * d)..<((cluster + 1) * d)])
                let featureUnits = centroid.enumerated().map { study.space.featureValue($1, column: $0) }
                let natural = featureUnits.enumerated().map { study.space.numeric[$0].naturalValue($1) }
                func mean(_ j: Int, _ limit: Double) -> Estimate? {
                    Estimate.ratio(v(j), size, numeratorSE: sd, denominatorSE: sd).map {
                        Estimate($0.value * limit, standardError: $0.standardError * limit)
                    }
                }
                let profile = ClusterProfile(
                    cluster: 0, name: "", centroid: featureUnits, centroidNatural: natural,
                    size: Estimate(size, standardError: sd), share: 0,
                    meanRecencyDays: mean(1, lim.recencyDays), meanFrequency: mean(2, lim.frequency),
                    meanMonetary: mean(3, lim.monetaryMajor),
                    churnRate: Estimate.ratio(v(5), v(4), numeratorSE: sd, denominatorSE: sd),
                    valueTierShares: (0..<3).map { Estimate.ratio(v(6 + $0), size, numeratorSE: sd, denominatorSE: sd) ?? Estimate(0, standardError: 0) })
                raws.append(Raw(size: size, profile: profile, centroid: centroid))
            }
            let order = (0..<k).sorted { a, b in
                let ma = raws[a].profile.meanMonetary?.value ?? -.infinity, mb = raws[b].profile.meanMonetary?.value ?? -.infinity
                return ma != mb ? ma > mb : a < b
            }
            let total = raws.reduce(0.0) { $0 + max($1.size, 0) }
            func overall(_ key: (ClusterProfile) -> Estimate?) -> Double? {
                var sum = 0.0, mass = 0.0
                for r in raws { if let e = key(r.profile), r.size > 0 { sum += e.value * r.size; mass += r.size } }
                return mass > 0 ? sum / mass : nil
            }
            let overallMonetary = overall(\.meanMonetary), overallFrequency = overall(\.meanFrequency)
            let overallRecency = overall(\.meanRecencyDays), overallChurn = overall(\.churnRate)
            var names: [String: Int] = [:]
            var clusters: [ClusterProfile] = []
            var centroids: [Double] = []
            for (rank, index) in order.enumerated() {
                var p = raws[index].profile
                p.cluster = rank + 1
                p.share = total > 0 ? max(raws[index].size, 0) / total : 0
                var words: [String] = []
                let m = p.meanMonetary?.value, f = p.meanFrequency?.value, r = p.meanRecencyDays?.value
                if let m, let om = overallMonetary, om > 0 {
                    words.append(m >= 1.5 * om ? "High-value" : m <= 0.5 * om ? "Low-value" : "Mid-value")
                } else {
                    words.append("Segment")
                }
                if let f, let of = overallFrequency, of > 0 {
                    if f >= 1.5 * of { words.append("frequent") } else if f <= 0.5 * of { words.append("occasional") }
                }
                if let r, let or = overallRecency, or > 0 {
                    if r <= 0.6 * or { words.append("recent") } else if r >= 1.6 * or { words.append("lapsed") }
                }
                if let ch = p.churnRate?.value, let oc = overallChurn, oc > 0, ch >= 1.5 * oc { words.append("at-risk") }
                var name = words.joined(separator: ", ")
                let seen = names[name, default: 0] + 1
                names[name] = seen
                if seen > 1 { name += " \(seen)" }
                p.name = name
                clusters.append(p)
                centroids.append(contentsOf: raws[index].centroid)
            }
            self.space = study.space
            self.centroids = centroids
            self.clusters = clusters
            self.lloydIterations = iterations
            self.converged = converged
        }
    }
}
