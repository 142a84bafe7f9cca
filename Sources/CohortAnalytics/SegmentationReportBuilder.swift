extension Analytics.SegmentationReport {
    /// How k is chosen for the report's k-means.
    public enum KChoice: Sendable, Equatable {
        /// Use exactly this k.
        case fixed(Int)
        /// Try each k in the range on a seeded sample and keep the largest Calinski–Harabasz index.
        case automatic(ClosedRange<Int>)
    }

    /// Report options.
    public struct Options: Sendable, Equatable {
        /// Window length in days (default 365).
        public var windowDays: Int32
        /// Feature scoring options.
        public var features: Analytics.Features.Options
        /// Seed for the train/holdout split, the k-means sample and k-means++ seeding.
        public var seed: UInt64
        /// Fraction of labelled customers held out for evaluation (default 0.3).
        public var holdoutFraction: Double
        /// k-means k (default automatic 2…6).
        public var k: KChoice
        /// Maximum rows used to choose k (default 20 000).
        public var kSelectionSampleSize: Int
        /// L2 strength of the churn model (default 1e-3).
        public var l2: Double

        /// Creates options.
        public init(windowDays: Int32 = 365, features: Analytics.Features.Options = .init(), seed: UInt64 = 1,
                    holdoutFraction: Double = 0.3, k: KChoice = .automatic(2...6),
                    kSelectionSampleSize: Int = 20_000, l2: Double = 1e-3) {
            self.windowDays = windowDays
            self.features = features
            self.seed = seed
            self.holdoutFraction = holdoutFraction
            self.k = k
            self.kSelectionSampleSize = kSelectionSampleSize
            self.l2 = l2
        }
    }

    /// Features used for k-means (standardized): log-recency, log-frequency, log-monetary,
    /// tenure in years, log-AOV.
    public static let clusterFeatures: [Analytics.FeatureTable.Column] = [
        .logRecency, .logFrequency, .logMonetary, .tenureYears, .logAOV,
    ]

    /// Features of the churn model (standardized inside the model): the cluster features plus the
    /// channel-dependence share.
    public static let churnFeatures: [Analytics.FeatureTable.Column] = clusterFeatures + [.channelShare]

    /// Computes features and builds the report. Throws on invalid input or options.
    public static func build(
        customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable, asOf: Int32,
        options: Options = Options()
    ) throws -> Analytics.SegmentationReport {
        let features = try Analytics.Features.compute(
            customers: customers, transactions: transactions, asOf: asOf, window: options.windowDays,
            options: options.features)
        return try build(features: features, options: options)
    }

    /// Builds the report from an already computed feature table (`options.windowDays` and
    /// `options.features` are then ignored). Deterministic for a given seed and core count.
    public static func build(features t: Analytics.FeatureTable, options: Options = Options()) throws -> Analytics.SegmentationReport {
        guard options.holdoutFraction > 0, options.holdoutFraction < 1 else {
            throw AnalyticsError(.invalidParameter, "SegmentationReport: holdoutFraction \(options.holdoutFraction) must be in (0, 1)")
        }
        guard options.kSelectionSampleSize >= 2 else {
            throw AnalyticsError(.invalidParameter, "SegmentationReport: kSelectionSampleSize must be ≥ 2")
        }
        switch options.k {
        case .fixed(let k) where k < 1:
            throw AnalyticsError(.invalidParameter, "SegmentationReport: k = \(k) must be ≥ 1")
        case .automatic(let range) where range.lowerBound < 2:
            throw AnalyticsError(.invalidParameter, "SegmentationReport: automatic k range must start at ≥ 2")
        default: break
        }
        let n = t.count
        var notes: [String] = []
        let allRows = Array(0..<n)
        let segmentRows = (0..<Analytics.RFMSegment.codeCount).map { c in allRows.filter { Int(t.segment[$0]) == c } }
        let segments = Analytics.RFMSegment.allCases.map { s in
            summary(t, rows: segmentRows[Int(s.code)], total: n, code: Int(s.code), name: s.name, slug: s.slug)
        }
        let overall = summary(t, rows: allRows, total: n, code: -1, name: "All customers", slug: "all")

        var kmeans: ClusterSegmentation?
        var generator = Analytics.SplitMix64(seed: options.seed)
        do {
            kmeans = try clusterSegmentation(t, options: options, generator: &generator)
        } catch let error as AnalyticsError {
            notes.append("k-means skipped: \(error.message)")
        }
        var churn: ChurnModel?
        var splitGenerator = Analytics.SplitMix64(seed: options.seed ^ 0x5EED_C4A2)
        do {
            churn = try churnModel(t, options: options, generator: &splitGenerator)
        } catch let error as AnalyticsError {
            notes.append("churn model skipped: \(error.message)")
        }

        return Analytics.SegmentationReport(
            asOfDay: t.asOfDay, asOfDate: Analytics.CivilDay.isoString(ofDay: Int64(t.asOfDay)), windowDays: t.windowDays,
            customers: n, seed: options.seed, rfmCutPoints: t.rfmCutPoints, rfmScoredByRank: t.rfmScoredByRank,
            tierCutPoints: t.tierCutPoints, overall: overall, segments: segments,
            lifecycleStages: counts(t.lifecycleStage, Analytics.LifecycleStage.self, total: n),
            valueTiers: counts(t.valueTier, Analytics.ValueTier.self, total: n),
            channelBands: counts(t.channelBand, Analytics.ChannelBand.self, total: n),
            kmeans: kmeans, churnModel: churn, notes: notes)
    }

    static func counts<C: Analytics.Category>(_ codes: [UInt8], _ type: C.Type, total: Int) -> [CategoryCount] {
        let histogram = (try? Analytics.Histogram(codes: codes, of: type)) ?? Analytics.Histogram(binCount: C.codeCount)
        return C.allCases.map { c in
            let k = histogram.counts[Int(c.code)]
            return CategoryCount(code: Int(c.code), name: c.name, slug: c.slug, customers: k,
                                 share: total > 0 ? Double(k) / Double(total) : 0)
        }
    }

    static func summary(_ t: Analytics.FeatureTable, rows: [Int], total: Int, code: Int, name: String, slug: String) -> SegmentSummary {
        var labelled = 0, churned = 0, promoters = 0, passives = 0, detractors = 0
        var recency = 0.0, frequency = 0.0, monetary = 0.0, clv = 0.0
        for i in rows {
            if let c = t.churned[i] {
                labelled += 1
                if c { churned += 1 }
            }
            switch Analytics.NPSClass(rawValue: t.npsClass[i]) {
            case .promoter: promoters += 1
            case .passive: passives += 1
            case .detractor: detractors += 1
            default: break
            }
            recency += Double(t.recencyDays[i])
            frequency += Double(t.frequency[i])
            monetary += Double(t.monetaryMinor[i])
            clv += Double(t.clvMinor[i])
        }
        let m = Double(max(rows.count, 1))
        return SegmentSummary(
            code: code, name: name, slug: slug, customers: rows.count,
            share: total > 0 ? Double(rows.count) / Double(total) : 0, churnLabelled: labelled, churned: churned,
            churnRate: labelled > 0 ? Double(churned) / Double(labelled) : nil,
            npsAnswered: promoters + passives + detractors,
            nps: Analytics.NPSClass.score(promoters: promoters, passives: passives, detractors: detractors),
            meanRecencyDays: recency / m, meanFrequency: frequency / m, meanMonetaryMinor: monetary / m,
            meanCLVMinor: clv / m)
    }

    /// `count` distinct indices of `0..<n` by a partial Fisher–Yates shuffle (deterministic for a seed).
    static func sample(_ n: Int, _ count: Int, generator: inout Analytics.SplitMix64) -> [Int] {
        var indices = Array(0..<n)
        let m = min(count, n)
        for i in 0..<m {
            let j = i + Int(generator.next() % UInt64(n - i))
            indices.swapAt(i, j)
        }
        return Array(indices[0..<m])
    }

    static func clusterSegmentation(
        _ t: Analytics.FeatureTable, options: Options, generator: inout Analytics.SplitMix64
    ) throws -> ClusterSegmentation {
        let n = t.count
        let minimumK: Int
        switch options.k {
        case .fixed(let k): minimumK = k
        case .automatic(let range): minimumK = range.lowerBound
        }
        guard n > minimumK else {
            throw AnalyticsError(.insufficientData, "\(n) customers, need more than k = \(minimumK)")
        }
        var x = t.matrix(clusterFeatures)
        let standardizer = Analytics.Standardizer(fitting: x)
        try standardizer.transform(&x)

        var candidates: [ClusterSegmentation.Candidate] = []
        var sampleSize = 0
        let k: Int
        let selection: String
        switch options.k {
        case .fixed(let fixed):
            k = fixed
            selection = "fixed"
        case .automatic(let range):
            let rows = n > options.kSelectionSampleSize
                ? sample(n, options.kSelectionSampleSize, generator: &generator).sorted() : Array(0..<n)
            let s = rows.count == n ? x : x.selectingRows(rows)
            sampleSize = s.rows
            let total = Analytics.KMeans.totalSumOfSquares(points: s)
            for candidate in range where candidate < s.rows {
                let model = try Analytics.KMeans.fit(points: s, k: candidate, maxIterations: 100, restarts: 3, using: &generator)
                candidates.append(.init(
                    k: candidate, inertia: model.inertia,
                    calinskiHarabasz: Analytics.KMeans.calinskiHarabasz(
                        totalSumOfSquares: total, inertia: model.inertia, n: s.rows, k: candidate)))
            }
            var bestK = range.lowerBound, bestIndex = -Double.infinity
            for c in candidates {
                if let index = c.calinskiHarabasz, index > bestIndex {
                    bestIndex = index
                    bestK = c.k
                }
            }
            k = bestK
            selection = "calinski-harabasz"
        }
        let model = try Analytics.KMeans.fit(points: x, k: k, maxIterations: 100, restarts: 2, using: &generator)

        // Profiles, ordered by mean monetary descending.
        var members = [[Int]](repeating: [], count: k)
        for i in 0..<n { members[Int(model.assignments[i])].append(i) }
        func mean(_ rows: [Int], _ f: (Int) -> Double) -> Double {
            rows.isEmpty ? 0 : rows.reduce(0.0) { $0 + f($1) } / Double(rows.count)
        }
        let order = (0..<k).sorted { a, b in
            let ma = mean(members[a]) { Double(t.monetaryMinor[$0]) }, mb = mean(members[b]) { Double(t.monetaryMinor[$0]) }
            return ma != mb ? ma > mb : a < b
        }
        let clusters = order.enumerated().map { rank, c -> ClusterProfile in
            let rows = members[c]
            let labels = rows.compactMap { t.churned[$0] }
            var segmentCounts = [Int](repeating: 0, count: Analytics.RFMSegment.codeCount)
            for i in rows { segmentCounts[Int(t.segment[i])] += 1 }
            var dominant = 0
            for s in segmentCounts.indices where segmentCounts[s] > segmentCounts[dominant] { dominant = s }
            return ClusterProfile(
                cluster: rank + 1, size: rows.count, share: Double(rows.count) / Double(n),
                meanRecencyDays: mean(rows) { Double(t.recencyDays[$0]) }, meanFrequency: mean(rows) { Double(t.frequency[$0]) },
                meanMonetaryMinor: mean(rows) { Double(t.monetaryMinor[$0]) }, meanTenureDays: mean(rows) { Double(t.tenureDays[$0]) },
                meanAOVMinor: mean(rows) { t.aovMinor[$0] },
                churnRate: labels.isEmpty ? nil : Double(labels.filter { $0 }.count) / Double(labels.count),
                dominantSegment: Analytics.RFMSegment(rawValue: UInt8(dominant))?.name ?? "",
                centroid: model.centroids.row(c))
        }
        return ClusterSegmentation(
            k: k, selection: selection, candidates: candidates, sampleSize: sampleSize,
            features: clusterFeatures.map(\.rawValue), standardizer: standardizer, inertia: model.inertia,
            iterations: model.iterations, converged: model.converged, clusters: clusters)
    }

    static func churnModel(
        _ t: Analytics.FeatureTable, options: Options, generator: inout Analytics.SplitMix64
    ) throws -> ChurnModel {
        let labelled = (0..<t.count).filter { t.churned[$0] != nil }
        guard labelled.count >= 20 else {
            throw AnalyticsError(.insufficientData, "\(labelled.count) customers with a churn flag, need at least 20")
        }
        let shuffled = sample(labelled.count, labelled.count, generator: &generator).map { labelled[$0] }
        let holdoutCount = max(1, Int((Double(labelled.count) * options.holdoutFraction).rounded()))
        let holdout = Array(shuffled[0..<holdoutCount]).sorted()
        let train = Array(shuffled[holdoutCount...]).sorted()
        func labels(_ rows: [Int]) -> [Bool] { rows.map { t.churned[$0] ?? false } }
        let trainY = labels(train), holdoutY = labels(holdout)
        let trainPositives = trainY.filter { $0 }.count, holdoutPositives = holdoutY.filter { $0 }.count
        guard trainPositives > 0, trainPositives < train.count, holdoutPositives > 0, holdoutPositives < holdout.count else {
            throw AnalyticsError(.insufficientData,
                                 "train (\(trainPositives)/\(train.count) churned) and holdout (\(holdoutPositives)/\(holdout.count) churned) both need churned and retained customers")
        }
        let model = try Analytics.LogisticRegression.train(
            features: t.matrix(churnFeatures, rows: train), labels: trainY.map { $0 ? 1 : 0 }, l2: options.l2)
        let probabilities = try model.probabilities(t.matrix(churnFeatures, rows: holdout))
        let threshold = try Analytics.LogisticRegression.accuracyMaximizingThreshold(
            probabilities: try model.probabilities(t.matrix(churnFeatures, rows: train)), labels: trainY)
        let majority = trainPositives * 2 >= train.count
        return ChurnModel(
            features: churnFeatures.map(\.rawValue), trainCount: train.count, holdoutCount: holdout.count,
            trainChurnRate: Double(trainPositives) / Double(train.count),
            holdoutChurnRate: Double(holdoutPositives) / Double(holdout.count),
            holdoutAUC: try Analytics.Metrics.auc(scores: probabilities, labels: holdoutY),
            holdoutAccuracy: try Analytics.Metrics.accuracy(probabilities: probabilities, labels: holdoutY, threshold: threshold),
            decisionThreshold: threshold,
            holdoutLogLoss: try Analytics.Metrics.logLoss(probabilities: probabilities, labels: holdoutY),
            majorityAccuracy: Double(holdoutY.filter { $0 == majority }.count) / Double(holdout.count),
            baselineFeature: Analytics.FeatureTable.Column.recencyDays.rawValue,
            baselineAUC: try Analytics.Metrics.auc(scores: holdout.map { Double(t.recencyDays[$0]) }, labels: holdoutY),
            l2: options.l2,
            coefficients: zip(churnFeatures, model.weights).map { .init(feature: $0.rawValue, weight: $1) },
            intercept: model.intercept, iterations: model.iterations)
    }
}
