public import CohortAnalytics

extension Learning {
    /// The central, non-private reference analyses on the union of the nodes' customers, with the
    /// same feature transforms, k and holdout as the federated studies (for quality reports; never
    /// run on real multi-party data, which never leaves its node).
    public enum Central {
        /// A central k-means fit in the study's feature space.
        public struct KMeansFit: Sendable {
            /// The encoded points (union).
            public var points: Analytics.Matrix
            /// The best model of the restarts.
            public var model: Analytics.KMeans.Model
        }

        /// k-means on the encoded union: best (lowest inertia) of `restarts` k-means++ runs with
        /// Lloyd iterations to convergence (≤ 300). O(restarts · iterations · n · k · d).
        public static func kMeans(_ customers: Customers, space: FeatureSpace, k: Int, restarts: Int = 10,
                                  seed: UInt64) throws -> KMeansFit {
            let points = space.matrix(customers)
            var generator = Analytics.SplitMix64(seed: seed)
            do {
                let model = try Analytics.KMeans.fit(points: points, k: k, maxIterations: 300, restarts: restarts, using: &generator)
                return KMeansFit(points: points, model: model)
            } catch let error as AnalyticsError {
                throw LearningError(.insufficientData, "central k-means: \(error.message)")
            }
        }

        /// Inertia of `points` against row-major `centroids` (`k × d`). O(n · k · d).
        public static func inertia(points: Analytics.Matrix, centroids: [Double]) throws -> Double {
            let k = centroids.count / max(points.cols, 1)
            do {
                let m = try Analytics.Matrix(rows: k, cols: points.cols, storage: centroids)
                return try Analytics.Metrics.inertia(points: points, centroids: m)
            } catch let error as AnalyticsError {
                throw LearningError(.dimensionMismatch, "inertia: \(error.message)")
            }
        }

        /// Adjusted Rand index of two labelings (``CohortAnalytics/Analytics/Metrics/adjustedRandIndex(_:_:)``).
        public static func adjustedRandIndex(_ a: [Int], _ b: [Int]) throws -> Double {
            do { return try Analytics.Metrics.adjustedRandIndex(a, b) } catch let error as AnalyticsError {
                throw LearningError(.dimensionMismatch, "adjusted Rand index: \(error.message)")
            }
        }

        /// L2-regularized logistic regression (Newton, ``CohortAnalytics/Analytics/LogisticRegression/train(features:labels:l2:standardize:maxIterations:tolerance:)``
        /// without standardization: the features are already the bounded consortium transform) on
        /// the union's training rows of `holdout`, minimizing the same objective as the DP study.
        public static func logisticRegression(_ customers: Customers, space: FeatureSpace, holdout: Holdout,
                                              l2: Double) throws -> LogisticModel {
            let train = holdout.split(customers).train
            let labels = train.map { (customers.churned[$0] ?? false) ? 1.0 : 0.0 }
            do {
                let model = try Analytics.LogisticRegression.train(features: space.matrix(customers, rows: train), labels: labels,
                                                                   l2: l2, standardize: false)
                return try LogisticModel(space: space, weights: model.weights, intercept: model.intercept)
            } catch let error as AnalyticsError {
                throw LearningError(.insufficientData, "central logistic regression: \(error.message)")
            }
        }

        /// Exact holdout AUC and accuracy at 0.5 of `model` on the union's holdout rows.
        public static func holdoutMetrics(_ model: LogisticModel, customers: Customers,
                                          holdout: Holdout) throws -> (auc: Double, accuracy: Double) {
            let rows = holdout.split(customers).holdout
            let labels = rows.map { customers.churned[$0] ?? false }
            let scores = model.probabilities(customers, rows: rows)
            do {
                return (try Analytics.Metrics.auc(scores: scores, labels: labels),
                        try Analytics.Metrics.accuracy(probabilities: scores, labels: labels, threshold: 0.5))
            } catch let error as AnalyticsError {
                throw LearningError(.insufficientData, "holdout metrics: \(error.message)")
            }
        }
    }
}
