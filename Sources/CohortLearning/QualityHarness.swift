import CohortAnalytics

extension Learning {
    /// Measures the DP federated algorithms against the central baselines on in-memory parties
    /// (e.g. the demo's three synthetic partners): each party adds real discrete Gaussian noise
    /// (seeded, so the run is reproducible and marked simulated) at the configured (ε, δ) per node
    /// for the whole study. No timing is measured.
    ///
    /// Targets (issue 12, on the mean over seeds): k-means inertia on the union ≤ 1.2 × central
    /// (best of 10 k-means++ restarts, same k) and adjusted Rand index ≥ 0.9 against the central
    /// labels; churn model holdout AUC within 0.01 and accuracy at 0.5 within 1 percentage point
    /// of the central L2 logistic regression (same features, same holdout).
    public enum QualityHarness {
        /// What to run.
        public struct Configuration: Sendable {
            /// The k-means study (its `parties` is set to the number of parties).
            public var kmeans: KMeansStudy.Configuration
            /// The logistic-regression study (its `parties` is set to the number of parties).
            public var logistic: LogisticRegressionStudy.Configuration
            /// Noise seeds; one federated run of each study per seed.
            public var seeds: [UInt64]
            /// Restarts of the central k-means.
            public var centralRestarts: Int = 10

            /// Creates a configuration.
            public init(kmeans: KMeansStudy.Configuration, logistic: LogisticRegressionStudy.Configuration, seeds: [UInt64]) {
                self.kmeans = kmeans
                self.logistic = logistic
                self.seeds = seeds
            }
        }

        /// The figures of one seed.
        public struct SeedFigures: Sendable, Hashable, Codable {
            /// The noise seed.
            public var seed: UInt64
            /// DP k-means inertia on the union / central inertia.
            public var inertiaRatio: Double
            /// Adjusted Rand index of DP vs central labels on the union.
            public var adjustedRandIndex: Double
            /// Rounds the k-means study ran.
            public var kmeansRounds: Int
            /// Exact holdout AUC of the DP model.
            public var auc: Double
            /// Exact holdout accuracy at 0.5 of the DP model.
            public var accuracy: Double
            /// The federated (noised) evaluation's AUC and accuracy.
            public var federatedAUC: Double?
            /// The federated evaluation's accuracy at 0.5.
            public var federatedAccuracy: Double?
            /// Gradient rounds the training ran.
            public var trainingSteps: Int
        }

        /// The report.
        public struct Report: Sendable, Hashable, Codable {
            /// Customers per party in the k-means study (segmentation consent).
            public var segmentationSizes: [Int]
            /// Customers per party in the churn study (model-training consent).
            public var trainingSizes: [Int]
            /// k.
            public var k: Int
            /// Central k-means inertia on the union.
            public var centralInertia: Double
            /// Central model's holdout AUC.
            public var centralAUC: Double
            /// Central model's holdout accuracy at 0.5.
            public var centralAccuracy: Double
            /// Per-node ε (at the configured δ) of the k-means study.
            public var kmeansEpsilon: Double
            /// Per-node ε of the logistic-regression study.
            public var logisticEpsilon: Double
            /// Per-seed figures.
            public var seeds: [SeedFigures]

            /// Mean inertia ratio over seeds.
            public var meanInertiaRatio: Double { mean(seeds.map(\.inertiaRatio)) }
            /// Mean ARI.
            public var meanAdjustedRandIndex: Double { mean(seeds.map(\.adjustedRandIndex)) }
            /// Mean DP AUC − central AUC.
            public var meanAUCDifference: Double { mean(seeds.map { $0.auc - centralAUC }) }
            /// Mean DP accuracy − central accuracy.
            public var meanAccuracyDifference: Double { mean(seeds.map { $0.accuracy - centralAccuracy }) }
            /// Whether the mean figures meet the targets.
            public var meetsTargets: Bool {
                meanInertiaRatio <= 1.2 && meanAdjustedRandIndex >= 0.9 && abs(meanAUCDifference) <= 0.01
                    && abs(meanAccuracyDifference) <= 0.01
            }

            func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

            /// A plain-text table of the figures.
            public var table: String {
                func f(_ x: Double, _ digits: Int = 4) -> String {
                    let p = Double([1, 10, 100, 1000, 10_000, 100_000][min(digits, 5)])
                    return String((x * p).rounded() / p)
                }
                var lines = ["parties \(segmentationSizes) (k-means), \(trainingSizes) (churn), k = \(k), ε per node: k-means \(f(kmeansEpsilon)), churn model \(f(logisticEpsilon))",
                             "central: inertia \(f(centralInertia, 2)), AUC \(f(centralAUC)), accuracy \(f(centralAccuracy))",
                             "seed | inertia ratio | ARI | AUC | Δ AUC | accuracy | Δ accuracy | fed. AUC | rounds (k-means, steps)"]
                for s in seeds {
                    lines.append("\(s.seed) | \(f(s.inertiaRatio)) | \(f(s.adjustedRandIndex)) | \(f(s.auc)) | \(f(s.auc - centralAUC)) | \(f(s.accuracy)) | \(f(s.accuracy - centralAccuracy)) | \(s.federatedAUC.map { f($0) } ?? "–") | \(s.kmeansRounds), \(s.trainingSteps)")
                }
                lines.append("mean | \(f(meanInertiaRatio)) | \(f(meanAdjustedRandIndex)) | | \(f(meanAUCDifference)) | | \(f(meanAccuracyDifference)) | | targets met: \(meetsTargets)")
                return lines.joined(separator: "\n")
            }
        }

        /// Runs the central baselines once and both federated studies once per seed: k-means on
        /// `segmentation` (each party's customers consenting to segmentation), the churn model on
        /// `training` (consenting to model training), the same parties in the same order.
        /// O(seeds · (rounds · n · k · d + rounds · n · p²)) plus the central fits.
        public static func run(segmentation: [Customers], training: [Customers], configuration: Configuration) throws -> Report {
            var kc = configuration.kmeans
            kc.parties = segmentation.count
            var lc = configuration.logistic
            lc.parties = training.count
            let kmeans = try KMeansStudy(kc)
            let logistic = try LogisticRegressionStudy(lc)
            let union = Customers.union(segmentation)
            let trainingUnion = Customers.union(training)
            let central = try Central.kMeans(union, space: kmeans.space, k: kc.k, restarts: configuration.centralRestarts, seed: kc.seed)
            let centralLabels = central.model.assignments.map(Int.init)
            let centralModel = try Central.logisticRegression(trainingUnion, space: logistic.space, holdout: logistic.holdout, l2: lc.l2)
            let centralMetrics = try Central.holdoutMetrics(centralModel, customers: trainingUnion, holdout: logistic.holdout)
            var figures: [SeedFigures] = []
            for seed in configuration.seeds {
                let k = try Simulation.run(kmeans, parties: segmentation, seed: seed)
                let inertia = try Central.inertia(points: central.points, centroids: k.result.centroids)
                let ari = try Central.adjustedRandIndex(k.result.labels(union), centralLabels)
                let l = try Simulation.run(logistic, parties: training, seed: seed ^ 0x10C1_57C0)
                let metrics = try Central.holdoutMetrics(l.result.model, customers: trainingUnion, holdout: logistic.holdout)
                figures.append(SeedFigures(
                    seed: seed, inertiaRatio: inertia / central.model.inertia, adjustedRandIndex: ari, kmeansRounds: k.rounds,
                    auc: metrics.auc, accuracy: metrics.accuracy, federatedAUC: l.result.evaluation.auc?.value,
                    federatedAccuracy: l.result.evaluation.accuracy?.value, trainingSteps: l.result.steps))
            }
            return Report(segmentationSizes: segmentation.map(\.count), trainingSizes: training.map(\.count), k: kc.k, centralInertia: central.model.inertia,
                          centralAUC: centralMetrics.auc, centralAccuracy: centralMetrics.accuracy,
                          kmeansEpsilon: try kmeans.epsilon(delta: kc.privacy.delta),
                          logisticEpsilon: try logistic.epsilon(delta: lc.privacy.delta), seeds: figures)
        }
    }
}
