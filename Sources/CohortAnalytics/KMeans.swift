extension Analytics {
    /// k-means clustering: k-means++ initialization, Lloyd iterations, inertia, empty-cluster
    /// handling, and the single Lloyd step (per-cluster sums and counts) that a federated k-means
    /// study aggregates across nodes.
    public enum KMeans {
        /// The local part of one Lloyd step: every point assigned to its nearest centroid
        /// (ties: lowest cluster index), with per-cluster coordinate sums and counts.
        public struct StepSums: Sendable, Equatable, Codable {
            /// Number of clusters.
            public var k: Int
            /// Feature dimension.
            public var dimension: Int
            /// Coordinate sums, row-major `k × dimension`.
            public var sums: [Double]
            /// Points per cluster.
            public var counts: [Int]
            /// Sum of squared distances of the points to their nearest centroid.
            public var inertia: Double

            /// Creates step sums; throws unless `sums` has `k × dimension` and `counts` has `k` entries.
            public init(k: Int, dimension: Int, sums: [Double], counts: [Int], inertia: Double) throws {
                guard k >= 1, dimension >= 1, sums.count == k * dimension, counts.count == k else {
                    throw AnalyticsError(.dimensionMismatch,
                                         "KMeans.StepSums: \(sums.count) sums and \(counts.count) counts for k = \(k), dimension \(dimension)")
                }
                self.init(unchecked: k, dimension, sums, counts, inertia)
            }

            init(unchecked k: Int, _ dimension: Int, _ sums: [Double], _ counts: [Int], _ inertia: Double) {
                self.k = k
                self.dimension = dimension
                self.sums = sums
                self.counts = counts
                self.inertia = inertia
            }

            private enum CodingKeys: String, CodingKey { case k, dimension, sums, counts, inertia }

            /// Decodes and validates the shape.
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try self.init(k: try c.decode(Int.self, forKey: .k), dimension: try c.decode(Int.self, forKey: .dimension),
                              sums: try c.decode([Double].self, forKey: .sums), counts: try c.decode([Int].self, forKey: .counts),
                              inertia: try c.decode(Double.self, forKey: .inertia))
            }

            /// Adds another node's (or chunk's) sums. Throws on shape mismatch.
            public func merged(with other: StepSums) throws -> StepSums {
                guard other.k == k, other.dimension == dimension else {
                    throw AnalyticsError(.dimensionMismatch,
                                         "KMeans.StepSums.merged: \(k)×\(dimension) vs \(other.k)×\(other.dimension)")
                }
                return StepSums(unchecked: k, dimension, zip(sums, other.sums).map { $0 + $1 },
                                zip(counts, other.counts).map { $0 + $1 }, inertia + other.inertia)
            }

            /// New centroids = sums / counts; an empty cluster keeps its `previous` centroid.
            public func centroids(previous: Matrix) throws -> Matrix {
                guard previous.rows == k, previous.cols == dimension else {
                    throw AnalyticsError(.dimensionMismatch,
                                         "KMeans.StepSums.centroids: previous is \(previous.rows)×\(previous.cols), expected \(k)×\(dimension)")
                }
                var out = previous
                out.withUnsafeMutableElements { c in
                    for cluster in 0..<k where counts[cluster] > 0 {
                        let inv = 1 / Double(counts[cluster])
                        for j in 0..<dimension { c[cluster * dimension + j] = sums[cluster * dimension + j] * inv }
                    }
                }
                return out
            }
        }

        /// A fitted clustering.
        public struct Model: Sendable, Equatable, Codable {
            /// Final centroids, `k × d`.
            public var centroids: Matrix
            /// Cluster of each point.
            public var assignments: [Int32]
            /// Points per cluster.
            public var sizes: [Int]
            /// Sum of squared distances to the assigned centroids.
            public var inertia: Double
            /// Lloyd iterations run.
            public var iterations: Int
            /// Whether assignments stopped changing before `maxIterations`.
            public var converged: Bool
        }

        /// One Lloyd step's local sums for `points` (n × d) against `centroids` (k × d).
        /// O(n · k · d), parallel over rows. Throws on width mismatch or no centroids.
        public static func stepSums(points: Matrix, centroids: Matrix) throws -> StepSums {
            try validate(points: points, centroids: centroids)
            return pass(points: points, centroids: centroids, assignments: nil).sums
        }

        /// Nearest-centroid assignment of every point and the resulting inertia. O(n · k · d).
        public static func assign(points: Matrix, centroids: Matrix) throws -> (assignments: [Int32], inertia: Double) {
            try validate(points: points, centroids: centroids)
            var assignments = [Int32](repeating: -1, count: points.rows)
            let result = assignments.withUnsafeMutableBufferPointer { a in
                pass(points: points, centroids: centroids, assignments: a.baseAddress)
            }
            return (assignments, result.sums.inertia)
        }

        /// k-means++ seeding (Arthur & Vassilvitskii 2007): the first centroid is a uniformly random
        /// point, each further one a point drawn with probability proportional to its squared
        /// distance to the nearest chosen centroid. O(n · k · d). Throws unless 1 ≤ k ≤ n.
        public static func plusPlusInitialization(
            points: Matrix, k: Int, using generator: inout some RandomNumberGenerator
        ) throws -> Matrix {
            let n = points.rows, d = points.cols
            guard d >= 1 else {
                throw AnalyticsError(.invalidParameter, "KMeans: points need at least one feature")
            }
            guard k >= 1, k <= n else {
                throw AnalyticsError(.invalidParameter, "KMeans: k = \(k) must be in 1…\(n) (number of points)")
            }
            var centroids = Matrix(rows: k, cols: d)
            var nearest = [Double](repeating: .infinity, count: n)
            var chosen = Int.random(in: 0..<n, using: &generator)
            for c in 0..<k {
                if c > 0 {
                    let total = nearest.reduce(0, +)
                    if total > 0 && total.isFinite {
                        let target = Double.random(in: 0..<1, using: &generator) * total
                        var cumulative = 0.0
                        chosen = n - 1
                        for i in 0..<n {
                            cumulative += nearest[i]
                            if cumulative > target { chosen = i; break }
                        }
                    } else {
                        chosen = Int.random(in: 0..<n, using: &generator)   // all points coincide with centroids
                    }
                }
                points.withUnsafeElements { x in
                    centroids.withUnsafeMutableElements { m in
                        for j in 0..<d { m[c * d + j] = x[chosen * d + j] }
                    }
                }
                points.withUnsafeElements { x in
                    centroids.withUnsafeElements { m in
                        nearest.withUnsafeMutableBufferPointer { near in
                            for i in 0..<n {
                                var s = 0.0
                                for j in 0..<d {
                                    let diff = x[i * d + j] - m[c * d + j]
                                    s += diff * diff
                                }
                                if s < near[i] { near[i] = s }
                            }
                        }
                    }
                }
            }
            return centroids
        }

        /// Fits k-means: k-means++ seeding, then Lloyd iterations until no point changes cluster
        /// or `maxIterations` is reached; an emptied cluster is re-seeded farthest-first (the point
        /// farthest from every other centroid). With `restarts > 1` the best (lowest-inertia) run is kept.
        /// O(restarts · iterations · n · k · d). Throws unless 1 ≤ k ≤ n and maxIterations ≥ 1.
        public static func fit(
            points: Matrix, k: Int, maxIterations: Int = 100, restarts: Int = 1,
            using generator: inout some RandomNumberGenerator
        ) throws -> Model {
            guard maxIterations >= 1, restarts >= 1 else {
                throw AnalyticsError(.invalidParameter, "KMeans.fit: maxIterations (\(maxIterations)) and restarts (\(restarts)) must be ≥ 1")
            }
            var best: Model?
            for _ in 0..<restarts {
                let initial = try plusPlusInitialization(points: points, k: k, using: &generator)
                let model = try lloyd(points: points, initial: initial, maxIterations: maxIterations)
                if let current = best, current.inertia <= model.inertia { continue }
                best = model
            }
            guard let best else {
                throw AnalyticsError(.invalidParameter, "KMeans.fit: no run completed")
            }
            return best
        }

        /// Lloyd iterations from given initial centroids (see ``fit(points:k:maxIterations:restarts:using:)``).
        public static func lloyd(points: Matrix, initial: Matrix, maxIterations: Int = 100) throws -> Model {
            try validate(points: points, centroids: initial)
            let n = points.rows, d = points.cols, k = initial.rows
            var centroids = initial
            var assignments = [Int32](repeating: -1, count: n)
            var iterations = 0
            var converged = false
            var result: PassResult
            while true {
                result = assignments.withUnsafeMutableBufferPointer { a in
                    pass(points: points, centroids: centroids, assignments: a.baseAddress)
                }
                if result.changed == 0 && iterations > 0 { converged = true; break }
                if iterations >= maxIterations { break }
                iterations += 1
                centroids = try result.sums.centroids(previous: centroids)
                // Empty clusters: farthest-first re-seeding. Each empty cluster moves to the point
                // farthest from its nearest non-empty (or already re-seeded) centroid.
                let empty = (0..<k).filter { result.sums.counts[$0] == 0 }
                if !empty.isEmpty {
                    let filled = (0..<k).filter { result.sums.counts[$0] > 0 }
                    var nearest = [Double](repeating: .infinity, count: n)
                    func lower(with cluster: Int) {
                        points.withUnsafeElements { x in
                            centroids.withUnsafeElements { m in
                                for i in 0..<n {
                                    var dist = 0.0
                                    for j in 0..<d {
                                        let diff = x[i * d + j] - m[cluster * d + j]
                                        dist += diff * diff
                                    }
                                    if dist < nearest[i] { nearest[i] = dist }
                                }
                            }
                        }
                    }
                    for cluster in filled { lower(with: cluster) }
                    for cluster in empty {
                        var farthest = 0
                        for i in 0..<n where nearest[i] > nearest[farthest] { farthest = i }
                        for j in 0..<d { centroids[cluster, j] = points[farthest, j] }
                        lower(with: cluster)
                    }
                }
            }
            return Model(centroids: centroids, assignments: assignments, sizes: result.sums.counts,
                         inertia: result.sums.inertia, iterations: iterations, converged: converged)
        }

        /// Calinski–Harabasz index `(B / (k − 1)) / (W / (n − k))` with W the inertia and
        /// B = total sum of squares − W; larger is better. `nil` when k < 2 or n ≤ k.
        public static func calinskiHarabasz(totalSumOfSquares: Double, inertia: Double, n: Int, k: Int) -> Double? {
            guard k >= 2, n > k, inertia > 0 else { return nil }
            return ((totalSumOfSquares - inertia) / Double(k - 1)) / (inertia / Double(n - k))
        }

        /// Sum of squared distances of the points to their column means. O(n · d).
        public static func totalSumOfSquares(points: Matrix) -> Double {
            let n = points.rows, d = points.cols
            guard n > 0 else { return 0 }
            var mean = [Double](repeating: 0, count: d)
            var total = 0.0
            points.withUnsafeElements { x in
                for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
                for j in 0..<d { mean[j] /= Double(n) }
                for i in 0..<n {
                    for j in 0..<d {
                        let diff = x[i * d + j] - mean[j]
                        total += diff * diff
                    }
                }
            }
            return total
        }

        static func validate(points: Matrix, centroids: Matrix) throws {
            guard centroids.rows >= 1 else {
                throw AnalyticsError(.invalidParameter, "KMeans: no centroids")
            }
            guard points.cols >= 1 else {
                throw AnalyticsError(.invalidParameter, "KMeans: points need at least one feature")
            }
            guard centroids.cols == points.cols else {
                throw AnalyticsError(.dimensionMismatch, "KMeans: centroids have \(centroids.cols) features, points have \(points.cols)")
            }
        }

        struct PassResult {
            var sums: StepSums
            var changed: Int
        }

        /// Assigns points and accumulates sums; optionally writes assignments and counts changed
        /// ones. Parallel over row chunks, reduced in chunk order.
        static func pass(points: Matrix, centroids: Matrix, assignments: UnsafeMutablePointer<Int32>?) -> PassResult {
            let d = points.cols, k = centroids.rows
            nonisolated(unsafe) let assignOut = assignments
            let partials = points.withUnsafeElements { x in
                centroids.withUnsafeElements { m in
                    ParallelChunks.map(count: points.rows, minimumChunk: 8192) { range -> PassResult in
                        var sums = [Double](repeating: 0, count: k * d)
                        var counts = [Int](repeating: 0, count: k)
                        var inertia = 0.0
                        var changed = 0
                        if let xb = x.baseAddress, let mb = m.baseAddress {
                            sums.withUnsafeMutableBufferPointer { s in
                                counts.withUnsafeMutableBufferPointer { cnt in
                                    guard let sb = s.baseAddress else { return }
                                    for i in range {
                                        let row = xb + i * d
                                        var best = 0
                                        var bestDistance = Double.infinity
                                        for c in 0..<k {
                                            let dist = VectorKernels.squaredDistance(row, mb + c * d, d)
                                            if dist < bestDistance { bestDistance = dist; best = c }
                                        }
                                        VectorKernels.add(row, sb + best * d, d)
                                        cnt[best] += 1
                                        inertia += bestDistance
                                        if let assignOut, assignOut[i] != Int32(best) {
                                            changed += 1
                                            assignOut[i] = Int32(best)
                                        }
                                    }
                                }
                            }
                        }
                        return PassResult(sums: StepSums(unchecked: k, d, sums, counts, inertia), changed: changed)
                    }
                }
            }
            var total = PassResult(
                sums: StepSums(unchecked: k, d, [Double](repeating: 0, count: k * d), [Int](repeating: 0, count: k), 0),
                changed: 0)
            for p in partials {
                for t in 0..<(k * d) { total.sums.sums[t] += p.sums.sums[t] }
                for c in 0..<k { total.sums.counts[c] += p.sums.counts[c] }
                total.sums.inertia += p.sums.inertia
                total.changed += p.changed
            }
            return total
        }
    }
}
