import CohortAnalytics

extension Learning {
    /// k-means on weighted points (a noised coreset): weighted k-means++ seeding (a point is drawn
    /// with probability ∝ weight × squared distance to the nearest chosen centroid) and weighted
    /// Lloyd iterations, best of several restarts. Runs on the lead on already-noised data, so it
    /// is post-processing and costs no privacy.
    public enum WeightedKMeans {
        /// Centroids (`k × d`, row-major) and their weighted inertia.
        public struct Fit: Sendable, Hashable {
            /// Row-major `k × d` centroids.
            public var centroids: [Double]
            /// Σ weight × squared distance to the nearest centroid.
            public var inertia: Double
        }

        /// Fits `k` centroids to `points` (`m × d` row-major) with non-negative `weights`, keeping
        /// the lowest-inertia of `restarts` runs of at most `iterations` Lloyd steps each.
        /// O(restarts · iterations · m · k · d).
        /// - Throws: `insufficientData` when fewer than `k` points have positive weight.
        public static func fit(points: [Double], weights: [Double], dimension d: Int, k: Int, restarts: Int,
                               iterations: Int = 50, seed: UInt64) throws -> Fit {
            let m = weights.count
            guard points.count == m * d, d >= 1 else {
                throw LearningError(.dimensionMismatch, "WeightedKMeans: \(points.count) coordinates for \(m) points of dimension \(d)")
            }
            let positive = weights.filter { $0 > 0 }.count
            guard positive >= k else {
                throw LearningError(.insufficientData, "only \(positive) noised grid cells remain above the noise threshold, need at least k = \(k); raise ε or lower the grid resolution")
            }
            var generator = Analytics.SplitMix64(seed: seed)
            var best: Fit?
            for _ in 0..<max(restarts, 1) {
                var centroids = seeding(points, weights, d, k, &generator)
                var assignment = [Int](repeating: -1, count: m)
                var inertia = 0.0
                for _ in 0..<max(iterations, 1) {
                    var sums = [Double](repeating: 0, count: k * d)
                    var mass = [Double](repeating: 0, count: k)
                    var changed = false
                    inertia = 0
                    for i in 0..<m where weights[i] > 0 {
                        let (c, dist) = nearest(points, i, centroids, d, k)
                        if c != assignment[i] { changed = true; assignment[i] = c }
                        inertia += weights[i] * dist
                        mass[c] += weights[i]
                        for j in 0..<d { sums[c * d + j] += weights[i] * points[i * d + j] }
                    }
                    for c in 0..<k where mass[c] > 0 {
                        for j in 0..<d { centroids[c * d + j] = sums[c * d + j] / mass[c] }
                    }
                    if !changed { break }
                }
                inertia = 0
                for i in 0..<m where weights[i] > 0 { inertia += weights[i] * nearest(points, i, centroids, d, k).1 }
                if best == nil || inertia < best!.inertia { best = Fit(centroids: centroids, inertia: inertia) }
            }
            return best!
        }

        /// Index of the nearest centroid to point `i` (ties: lowest index) and the squared distance.
        @inline(__always)
        static func nearest(_ points: [Double], _ i: Int, _ centroids: [Double], _ d: Int, _ k: Int) -> (Int, Double) {
            var best = 0, bestDist = Double.infinity
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d {
                    let diff = points[i * d + j] - centroids[c * d + j]
                    s += diff * diff
                }
                if s < bestDist { bestDist = s; best = c }
            }
            return (best, bestDist)
        }

        static func seeding(_ points: [Double], _ weights: [Double], _ d: Int, _ k: Int,
                            _ generator: inout Analytics.SplitMix64) -> [Double] {
            let m = weights.count
            var centroids = [Double](repeating: 0, count: k * d)
            var near = [Double](repeating: .infinity, count: m)
            func draw(_ mass: (Int) -> Double) -> Int {
                var total = 0.0
                for i in 0..<m { total += mass(i) }
                guard total > 0, total.isFinite else { return weights.firstIndex { $0 > 0 } ?? 0 }
                let target = Double.random(in: 0..<1, using: &generator) * total
                var cumulative = 0.0
                var last = 0
                for i in 0..<m where mass(i) > 0 {
                    cumulative += mass(i)
                    last = i
                    if cumulative > target { return i }
                }
                return last
            }
            for c in 0..<k {
                let chosen = c == 0 ? draw { max(weights[$0], 0) } : draw { max(weights[$0], 0) * near[$0] }
                for j in 0..<d { centroids[c * d + j] = points[chosen * d + j] }
                for i in 0..<m {
                    var s = 0.0
                    for j in 0..<d {
                        let diff = points[i * d + j] - centroids[c * d + j]
                        s += diff * diff
                    }
                    if s < near[i] { near[i] = s }
                }
            }
            return centroids
        }
    }
}
