import CohortAnalytics
public import CohortPrivacy

extension Learning {
    /// `kind: kmeans` (purpose `segmentation`): DP k-means over the consortium's bounded numeric
    /// features.
    ///
    /// Rounds (each node adds its own discrete Gaussian noise to every one):
    /// 1. **Grid coreset** (payload ``Payload/grid``): the encoded space `[−½, ½]^d` is cut into
    ///    `r^d` equal cells (`r` = ``Configuration/gridResolution``); each node sends the count of
    ///    its customers per cell (one cell per customer: Δ₂ = Δ₁ = 1). The lead keeps the cells
    ///    whose noised count exceeds ``Configuration/thresholdMultiplier`` × the aggregate noise
    ///    standard deviation, and runs weighted k-means++ with Lloyd iterations on their centres
    ///    (best of ``Configuration/initializationRestarts``) — post-processing of noised counts,
    ///    so no single customer's point is ever used for initialization.
    /// 2. **Lloyd rounds** (``Payload/lloyd(iteration:centroids:)``, at most
    ///    ``Configuration/lloydRounds``): each node assigns its customers to the nearest centroid
    ///    and sends, per cluster, `count · S/2` and the coordinate sums `round(z · S)` (S = 2¹⁶;
    ///    |z_j| ≤ ½ so every entry is at most S/2): Δ₂ = (S/2)·√(1 + d), Δ₁ = (S/2)(1 + d).
    ///    The lead sets each centroid to sum/count (a cluster whose noised count is below 3
    ///    noise standard deviations keeps its centroid). **Stopping rule**: when no centroid moves
    ///    more than ``Configuration/tolerance`` (L2, encoded units) or the Lloyd rounds are used up.
    /// 3. **Profile** (``Payload/profile(centroids:iterations:converged:)``): per cluster each node
    ///    sends S × (1, recency/R, frequency/F, monetary/M, has-label, churned, high, mid, basic
    ///    tier) with recency, frequency, monetary clamped to `[0, R]`, `[0, F]`, `[0, M]`
    ///    (``Configuration/profileLimits``): Δ₂ = S·√7, Δ₁ = 7S.
    ///
    /// Budget: ρ of the whole study (from ε, δ) is split ``Configuration/initializationShare`` to
    /// the grid, ``Configuration/profileShare`` to the profile and the rest equally over the Lloyd
    /// rounds; zCDP composition gives the whole study's cost (``cost``).
    public struct KMeansStudy: FederatedAlgorithm {
        /// The fixed-point scale S of the Lloyd and profile rounds.
        public static let scale: Int64 = 1 << 16

        /// Limits for the profile round's clamped means.
        public struct ProfileLimits: Sendable, Hashable, Codable {
            /// Recency clamp R (days).
            public var recencyDays: Double = 730
            /// Frequency clamp F (purchases).
            public var frequency: Double = 200
            /// Monetary clamp M (major units).
            public var monetaryMajor: Double = 100_000
            /// Default limits.
            public init() {}
        }

        /// The spec parameters of a k-means study (all validated by ``KMeansStudy/init(_:)``).
        public struct Configuration: Sendable, Hashable, Codable {
            /// Number of clusters, 2…50.
            public var k: Int
            /// Numeric feature names (default: log recency, log frequency, log monetary, tenure
            /// years, log AOV).
            public var features: [String] = ["log_recency", "log_frequency", "log_monetary", "tenure_years", "log_aov"]
            /// Clip-bound overrides by feature name (default: each feature's documented bounds).
            public var bounds: [String: ClipBounds] = [:]
            /// (ε, δ) of the whole study, per node.
            public var privacy: PrivacyTarget
            /// Maximum Lloyd rounds, 1…100 (default 8: a 10-round study).
            public var lloydRounds: Int = 8
            /// Grid cells per dimension r (2…64, with r^d ≤ 2²⁰; default 10, i.e. 10⁵ cells for
            /// the five default features).
            public var gridResolution: Int = 10
            /// Share of ρ for the grid coreset round.
            public var initializationShare: Double = 0.4
            /// Share of ρ for the profile round.
            public var profileShare: Double = 0.2
            /// Stopping tolerance on centroid movement (encoded units, L2).
            public var tolerance: Double = 1e-3
            /// Noise-threshold multiplier for keeping grid cells.
            public var thresholdMultiplier: Double = 3
            /// Restarts of the lead's weighted k-means on the coreset.
            public var initializationRestarts: Int = 10
            /// Seed of the lead's k-means++ draws on the (public) coreset.
            public var seed: UInt64 = 1
            /// Number of parties whose noise is in each aggregate (for standard errors).
            public var parties: Int = 1
            /// With secure aggregation: how each round's noise is split among the parties (each
            /// adds its share); nil when every node adds the full noise.
            public var noiseSharing: NoiseSharing?
            /// Clamps of the profile means.
            public var profileLimits = ProfileLimits()
            /// Simulation only: σ = 0 (nothing private, cost reported as if calibrated).
            public var noiseOff: Bool = false

            /// A configuration with the documented defaults.
            public init(k: Int, privacy: PrivacyTarget) {
                self.k = k
                self.privacy = privacy
            }
        }

        /// What the lead sends each round.
        public enum Payload: Sendable, Hashable, Codable {
            /// Round 0: per-cell counts of the grid coreset.
            case grid
            /// A Lloyd round (1-based iteration) against these centroids (`k × d`, encoded units).
            case lloyd(iteration: Int, centroids: [Double])
            /// The final profile round against the final centroids.
            case profile(centroids: [Double], iterations: Int, converged: Bool)
        }

        /// The validated configuration.
        public let configuration: Configuration
        /// The feature space (half-width ½).
        public let space: FeatureSpace
        /// Noise of the grid round.
        public let gridNoise: RoundNoise
        /// Noise of each Lloyd round.
        public let lloydNoise: RoundNoise
        /// Noise of the profile round.
        public let profileNoise: RoundNoise
        /// The whole study's per-node cost (zCDP composition of all budgeted rounds).
        public let cost: Privacy.Cost

        /// Validates `configuration` and derives the noise of every round.
        /// - Throws: `invalidK` (k < 2 or > 50), `invalidRounds`, `unknownFeature`,
        ///   `invalidBounds`, `invalidPrivacyParameter`, `budgetTooSmallForRounds`,
        ///   `invalidParameter` (grid, shares, tolerance, parties, limits) — before any data is read.
        public init(_ configuration: Configuration) throws {
            let c = configuration
            guard c.k >= 2, c.k <= 50 else { throw LearningError(.invalidK, "k-means: k = \(c.k) must be in 2…50") }
            guard c.lloydRounds >= 1, c.lloydRounds <= 100 else {
                throw LearningError(.invalidRounds, "k-means: lloyd_rounds = \(c.lloydRounds) must be in 1…100")
            }
            let space = try FeatureSpace(names: c.features, boundOverrides: c.bounds, halfWidth: 0.5)
            guard space.categorical.isEmpty else {
                throw LearningError(.invalidParameter, "k-means clusters numeric features only; remove \(space.categorical.map(\.name))")
            }
            let d = space.dimension
            guard c.gridResolution >= 2, c.gridResolution <= 64,
                  Double(c.gridResolution).pow(d) <= Double(1 << 20) else {
                throw LearningError(.invalidParameter, "k-means: grid_resolution \(c.gridResolution) must be in 2…64 with resolution^\(d) ≤ 1 048 576 cells")
            }
            let shares = [c.initializationShare, c.profileShare]
            guard shares.allSatisfy({ $0 > 0 && $0.isFinite }), c.initializationShare + c.profileShare < 1 else {
                throw LearningError(.invalidParameter, "k-means: initialization_share \(c.initializationShare) and profile_share \(c.profileShare) must be > 0 and sum to less than 1")
            }
            guard c.tolerance >= 0, c.tolerance.isFinite, c.thresholdMultiplier >= 0, c.thresholdMultiplier.isFinite else {
                throw LearningError(.invalidParameter, "k-means: tolerance \(c.tolerance) and threshold multiplier \(c.thresholdMultiplier) must be finite and ≥ 0")
            }
            guard c.initializationRestarts >= 1, c.initializationRestarts <= 1000, c.parties >= 1 else {
                throw LearningError(.invalidParameter, "k-means: initialization restarts (\(c.initializationRestarts)) must be in 1…1000 and parties (\(c.parties)) ≥ 1")
            }
            let limits = [c.profileLimits.recencyDays, c.profileLimits.frequency, c.profileLimits.monetaryMajor]
            guard limits.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw LearningError(.invalidParameter, "k-means: profile limits \(limits) must be finite and > 0")
            }
            let rho = try c.privacy.rho()
            let gridRho = try BudgetSplit.roundRho(totalRho: rho, share: c.initializationShare, rounds: 1, part: "the grid coreset", target: c.privacy)
            let lloydRho = try BudgetSplit.roundRho(totalRho: rho, share: 1 - c.initializationShare - c.profileShare,
                                                    rounds: c.lloydRounds, part: "Lloyd", target: c.privacy)
            let profileRho = try BudgetSplit.roundRho(totalRho: rho, share: c.profileShare, rounds: 1, part: "the profile", target: c.privacy)
            let half = Double(Self.scale / 2)
            let cells = Int(Double(c.gridResolution).pow(d))
            func noise(_ rho: Double, _ l2: Double, _ l1: Double, _ dimension: Int, off: Bool) throws -> RoundNoise {
                try .calibrated(rho: rho, l2Sensitivity: l2, l1Sensitivity: l1, dimension: dimension, noiseOff: off, sharing: c.noiseSharing)
            }
            let rounds = [(gridRho, 1.0, 1.0, cells),
                          (lloydRho, half * Double(1 + d).squareRoot(), half * Double(1 + d), c.k * (1 + d)),
                          (profileRho, Double(Self.scale) * 7.0.squareRoot(), 7 * Double(Self.scale), c.k * Self.profileWidth)]
            let added = try rounds.map { try noise($0.0, $0.1, $0.2, $0.3, off: c.noiseOff) }
            (gridNoise, lloydNoise, profileNoise) = (added[0], added[1], added[2])
            let calibrated = c.noiseOff ? try rounds.map { try noise($0.0, $0.1, $0.2, $0.3, off: false) } : added
            let costs = [try calibrated[0].cost()] + Array(repeating: try calibrated[1].cost(), count: c.lloydRounds) + [try calibrated[2].cost()]
            cost = try Privacy.Cost.composition(costs)
            self.configuration = c
            self.space = space
        }

        /// Entries per cluster in the profile round.
        static let profileWidth = 9

        /// Grid round + Lloyd rounds + profile round.
        public var maximumRounds: Int { configuration.lloydRounds + 2 }

        /// ``Payload/grid``.
        public var initialPayload: Payload { .grid }

        /// The noise of the round carrying `payload`.
        public func roundNoise(for payload: Payload) throws -> RoundNoise {
            switch payload {
            case .grid: gridNoise
            case .lloyd: lloydNoise
            case .profile: profileNoise
            }
        }

        /// The grid cell (row-major over dimensions) of an encoded point.
        @inline(__always)
        func cell(_ z: UnsafePointer<Double>) -> Int {
            let r = configuration.gridResolution
            var index = 0
            for j in 0..<space.dimension {
                let b = min(max(Int(((z[j] + 0.5) * Double(r)).rounded(.down)), 0), r - 1)
                index = index * r + b
            }
            return index
        }

        /// The centre of grid cell `index` in encoded units.
        func cellCentre(_ index: Int) -> [Double] {
            let r = configuration.gridResolution, d = space.dimension
            var out = [Double](repeating: 0, count: d)
            var rest = index
            for j in stride(from: d - 1, through: 0, by: -1) {
                out[j] = (Double(rest % r) + 0.5) / Double(r) - 0.5
                rest /= r
            }
            return out
        }

        func checkCentroids(_ centroids: [Double]) throws {
            guard centroids.count == configuration.k * space.dimension, centroids.allSatisfy({ $0.isFinite }) else {
                throw LearningError(.invalidPayload, "k-means payload has \(centroids.count) centroid coordinates, expected \(configuration.k) × \(space.dimension) finite values")
            }
        }

        /// A node's un-noised vector for `payload` (see the type documentation for each round's
        /// layout and sensitivity). O(n · k · d) (grid: O(n · d)). `generator` is unused.
        public func localContribution(_ payload: Payload, customers: Customers,
                                      using generator: inout some RandomNumberGenerator) throws -> [Int64] {
            let d = space.dimension, k = configuration.k, n = customers.count
            var z = [Double](repeating: 0, count: d)
            switch payload {
            case .grid:
                var counts = [Int64](repeating: 0, count: gridNoise.dimension)
                z.withUnsafeMutableBufferPointer { zb in
                    for i in 0..<n {
                        space.encode(customers, i, into: zb.baseAddress!)
                        counts[cell(UnsafePointer(zb.baseAddress!))] += 1
                    }
                }
                return counts
            case .lloyd(_, let centroids):
                try checkCentroids(centroids)
                var out = [Int64](repeating: 0, count: k * (1 + d))
                let s = Double(Self.scale)
                z.withUnsafeMutableBufferPointer { zb in
                    for i in 0..<n {
                        space.encode(customers, i, into: zb.baseAddress!)
                        let c = Self.nearest(zb.baseAddress!, centroids, d, k)
                        out[c * (1 + d)] += Self.scale / 2
                        for j in 0..<d { out[c * (1 + d) + 1 + j] += Int64((zb[j] * s).rounded()) }
                    }
                }
                return out
            case .profile(let centroids, _, _):
                try checkCentroids(centroids)
                let w = Self.profileWidth
                var out = [Int64](repeating: 0, count: k * w)
                let s = Double(Self.scale), lim = configuration.profileLimits
                z.withUnsafeMutableBufferPointer { zb in
                    for i in 0..<n {
                        space.encode(customers, i, into: zb.baseAddress!)
                        let o = Self.nearest(zb.baseAddress!, centroids, d, k) * w
                        out[o] += Self.scale
                        out[o + 1] += Int64((min(Double(customers.recencyDays[i]), lim.recencyDays) / lim.recencyDays * s).rounded())
                        out[o + 2] += Int64((min(Double(customers.frequency[i]), lim.frequency) / lim.frequency * s).rounded())
                        out[o + 3] += Int64((min(Double(customers.monetaryMinor[i]) / 100, lim.monetaryMajor) / lim.monetaryMajor * s).rounded())
                        if let churned = customers.churned[i] {
                            out[o + 4] += Self.scale
                            if churned { out[o + 5] += Self.scale }
                        }
                        out[o + 6 + Int(customers.valueTier[i])] += Self.scale
                    }
                }
                return out
            }
        }

        /// Index of the nearest centroid (ties: lowest index).
        @inline(__always)
        static func nearest(_ z: UnsafePointer<Double>, _ centroids: [Double], _ d: Int, _ k: Int) -> Int {
            var best = 0, bestDist = Double.infinity
            centroids.withUnsafeBufferPointer { m in
                for c in 0..<k {
                    var s = 0.0
                    for j in 0..<d {
                        let diff = z[j] - m[c * d + j]
                        s += diff * diff
                    }
                    if s < bestDist { bestDist = s; best = c }
                }
            }
            return best
        }

        /// The lead's step after round `round` (see the type documentation).
        /// - Throws: `dimensionMismatch` for a wrong-length aggregate, `invalidPayload` for a
        ///   malformed payload or a round past the budget, `insufficientData` when too few grid
        ///   cells survive the noise threshold.
        public func advance(_ payload: Payload, aggregate: [Int64], round: Int) throws -> Step<Payload, KMeansResult> {
            let noise = try roundNoise(for: payload)
            guard aggregate.count == noise.dimension else {
                throw LearningError(.dimensionMismatch, "k-means round \(round): aggregate has \(aggregate.count) values, expected \(noise.dimension)")
            }
            guard round >= 0, round < maximumRounds else {
                throw LearningError(.invalidPayload, "k-means: round \(round) is outside the \(maximumRounds) budgeted rounds")
            }
            let c = configuration, d = space.dimension, k = c.k
            switch payload {
            case .grid:
                let threshold = c.thresholdMultiplier * noise.aggregateStandardDeviation(parties: c.parties)
                var points: [Double] = [], weights: [Double] = []
                for (index, count) in aggregate.enumerated() where Double(count) > threshold && count > 0 {
                    points.append(contentsOf: cellCentre(index))
                    weights.append(Double(count))
                }
                let fit = try WeightedKMeans.fit(points: points, weights: weights, dimension: d, k: k,
                                                 restarts: c.initializationRestarts, seed: c.seed)
                return .nextRound(.lloyd(iteration: 1, centroids: fit.centroids))
            case .lloyd(let iteration, let centroids):
                try checkCentroids(centroids)
                guard iteration >= 1, iteration <= c.lloydRounds, round == iteration else {
                    throw LearningError(.invalidPayload, "k-means: Lloyd iteration \(iteration) does not match round \(round) (1…\(c.lloydRounds))")
                }
                let countSD = noise.aggregateStandardDeviation(parties: c.parties, scale: Double(Self.scale / 2))
                var next = centroids
                var shift = 0.0
                for cluster in 0..<k {
                    let base = cluster * (1 + d)
                    let count = Double(aggregate[base]) / Double(Self.scale / 2)
                    guard count >= max(1, 3 * countSD) else { continue }
                    var moved = 0.0
                    for j in 0..<d {
                        let value = min(max(Double(aggregate[base + 1 + j]) / Double(Self.scale) / count, -0.5), 0.5)
                        moved += (value - centroids[cluster * d + j]) * (value - centroids[cluster * d + j])
                        next[cluster * d + j] = value
                    }
                    shift = max(shift, moved.squareRoot())
                }
                let converged = shift <= c.tolerance
                if converged || iteration == c.lloydRounds {
                    return .nextRound(.profile(centroids: next, iterations: iteration, converged: converged))
                }
                return .nextRound(.lloyd(iteration: iteration + 1, centroids: next))
            case .profile(let centroids, let iterations, let converged):
                try checkCentroids(centroids)
                return .finished(try KMeansResult(study: self, centroids: centroids, aggregate: aggregate,
                                                  iterations: iterations, converged: converged))
            }
        }
    }
}

extension Double {
    /// `self` raised to an integer power (no Foundation).
    func pow(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<max(n, 0) { r *= self }
        return r
    }
}
