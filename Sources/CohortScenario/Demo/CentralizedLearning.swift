import CohortAnalytics
import CohortCore
import CohortLearning
import CohortNode
import CohortStore
import CohortStudy
import Foundation

extension Centralized {
    /// The customers of every node in `nodeDirectories` consenting to the spec's purpose at
    /// `consentAt`, with the features the learning algorithms read (behaviour up to the end of
    /// `as_of`), loaded as a node loads them and concatenated in node order. O(rows).
    static func learningCustomers(spec: Study.Spec, nodeDirectories: [URL], consentAt: Date = Date()) throws -> Learning.Customers {
        guard let purpose = Purpose(rawValue: spec.purpose.rawValue) else {
            throw ScenarioError(.invalidArgument, "unknown purpose \(spec.purpose.rawValue)")
        }
        var parts: [Learning.Customers] = []
        for directory in nodeDirectories {
            let store = try NodeStore.open(directory: directory.path)
            defer { try? store.close() }
            parts.append(try NodeStudyServices.learningCustomers(store: store, purpose: purpose, consentAt: consentAt, asOf: spec.asOf).customers)
        }
        return Learning.Customers.union(parts)
    }

    /// The privacy target of `spec` (only used to build the learning module's default configurations).
    private static func target(_ spec: Study.Spec) throws -> Learning.PrivacyTarget {
        try Learning.PrivacyTarget(epsilon: spec.privacy.epsilon, delta: spec.privacy.delta)
    }

    /// A released k-means segmentation beside the central k-means on `customers` (the union):
    /// best of 10 k-means++ restarts with the same k, features and bounds (the release's feature
    /// space); inertia of both centroid sets on the union, adjusted Rand index of the labels, and
    /// the central clusters matched to the federated ones (greedily, nearest centroids first).
    /// O(restarts · iterations · n · k · d).
    static func kmeans(_ result: Learning.KMeansResult, spec: Study.Spec, customers: Learning.Customers) throws -> ScenarioSummary.KMeansSummary {
        let space = result.space
        let d = space.dimension
        let k = result.k
        let defaults = Learning.KMeansStudy.Configuration(k: k, privacy: try target(spec))
        let seed = spec.learning?.seed.map { UInt64(max($0, 0)) } ?? defaults.seed
        let central = try Learning.Central.kMeans(customers, space: space, k: k, restarts: 10, seed: seed)
        let federatedInertia = try Learning.Central.inertia(points: central.points, centroids: result.centroids)
        let centralLabels = central.model.assignments.map(Int.init)
        let ari = try Learning.Central.adjustedRandIndex(result.labels(customers), centralLabels)
        let centralCentroids = (0..<k).map { c in (0..<d).map { central.model.centroids[c, $0] } }
        let federatedCentroids = (0..<k).map { Array(result.centroids[($0 * d)..<(($0 + 1) * d)]) }
        let order = Self.match(federatedCentroids, centralCentroids)
        func natural(_ z: [Double]) -> [Double] {
            space.numeric.indices.map { space.numeric[$0].naturalValue(space.featureValue(z[$0], column: $0)) }
        }
        let federated = result.clusters.enumerated().map { i, cluster in
            ScenarioSummary.Cluster(size: cluster.size.value, centroid: federatedCentroids[i], centroidNatural: cluster.centroidNatural)
        }
        let matched = order.map { c in
            ScenarioSummary.Cluster(size: Double(central.model.sizes[c]), centroid: centralCentroids[c], centroidNatural: natural(centralCentroids[c]))
        }
        return ScenarioSummary.KMeansSummary(
            features: space.columnNames, federated: federated, central: matched, federatedInertia: federatedInertia,
            centralInertia: central.model.inertia, adjustedRandIndex: ari)
    }

    /// For each of `a`'s points, the index of a distinct point of `b` (same count): pairs taken
    /// greedily by increasing squared distance. O(k² log k · d).
    static func match(_ a: [[Double]], _ b: [[Double]]) -> [Int] {
        var pairs: [(Double, Int, Int)] = []
        for (i, x) in a.enumerated() {
            for (j, y) in b.enumerated() { pairs.append((zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, i, j)) }
        }
        pairs.sort { $0.0 < $1.0 }
        var out = [Int](repeating: -1, count: a.count)
        var used = Set<Int>()
        for (_, i, j) in pairs where out[i] < 0 && !used.contains(j) {
            out[i] = j
            used.insert(j)
        }
        return out.enumerated().map { $0.element >= 0 ? $0.element : min($0.offset, b.count - 1) }
    }

    /// A released churn model beside the central L2 logistic regression (same features, bounds,
    /// regions, l2 and holdout) on `customers` (the union): exact holdout AUC and accuracy at 0.5
    /// of both models, their coefficients, ROC curves and calibration (the federated model's from
    /// its released evaluation, the central one's on the holdout, in the same probability groups).
    /// O(n · p² + Newton iterations · n · p).
    /// Also returns the number of training customers of the union (the central model's).
    static func model(
        _ result: Learning.LogisticRegressionResult, spec: Study.Spec, customers: Learning.Customers
    ) throws -> (summary: ScenarioSummary.ModelSummary, trainingCustomers: Int) {
        let defaults = Learning.LogisticRegressionStudy.Configuration(privacy: try target(spec))
        let holdout = try Learning.Holdout(
            share: spec.learning?.holdoutShare ?? defaults.holdoutShare,
            seed: spec.learning?.seed.map { UInt64(max($0, 0)) } ?? defaults.seed)
        let l2 = spec.learning?.l2 ?? defaults.l2
        let centralModel = try Learning.Central.logisticRegression(customers, space: result.model.space, holdout: holdout, l2: l2)
        let federatedMetrics = try Learning.Central.holdoutMetrics(result.model, customers: customers, holdout: holdout)
        let centralMetrics = try Learning.Central.holdoutMetrics(centralModel, customers: customers, holdout: holdout)
        let rows = holdout.split(customers).holdout
        let labels = rows.map { customers.churned[$0] ?? false }
        let federatedScores = result.model.probabilities(customers, rows: rows)
        let centralScores = centralModel.probabilities(customers, rows: rows)
        let federatedCalibration = result.evaluation.calibration.compactMap { row -> ScenarioSummary.CalibrationBin? in
            guard let predicted = row.meanPredicted, let observed = row.observedRate?.value else { return nil }
            return ScenarioSummary.CalibrationBin(predicted: predicted, observed: min(max(observed, 0), 1), count: row.customers.value)
        }
        let groups = result.evaluation.calibration.map { ($0.lower, $0.upper) }
        let coefficients = [ScenarioSummary.Coefficient(name: "intercept", federated: result.model.intercept, central: centralModel.intercept)]
            + zip(result.model.coefficients, centralModel.weights).map {
                ScenarioSummary.Coefficient(name: $0.0.name, federated: $0.0.weight, central: $0.1)
            }
        let summary = ScenarioSummary.ModelSummary(
            federatedAUC: federatedMetrics.auc, centralAUC: centralMetrics.auc,
            federatedAccuracy: federatedMetrics.accuracy, centralAccuracy: centralMetrics.accuracy,
            federatedROC: roc(scores: federatedScores, labels: labels), centralROC: roc(scores: centralScores, labels: labels),
            federatedCalibration: federatedCalibration,
            centralCalibration: calibration(scores: centralScores, labels: labels, groups: groups.isEmpty ? Self.deciles : groups),
            coefficients: coefficients)
        return (summary, customers.count - rows.count)
    }

    /// Ten equal groups of predicted probability.
    static let deciles: [(Double, Double)] = (0..<10).map { (Double($0) / 10, Double($0 + 1) / 10) }

    /// The ROC curve of `scores` against `labels` at up to `points` thresholds (score quantiles),
    /// from (0, 0) to (1, 1) by increasing false-positive rate; empty without both classes.
    /// O(n log n).
    static func roc(scores: [Double], labels: [Bool], points: Int = 50) -> [ScenarioSummary.CurvePoint] {
        let positives = Double(labels.filter { $0 }.count)
        let negatives = Double(labels.count) - positives
        guard positives > 0, negatives > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var out = [ScenarioSummary.CurvePoint(x: 0, y: 0)]
        var tp = 0.0, fp = 0.0
        let step = max(1, order.count / points)
        for (n, i) in order.enumerated() {
            if labels[i] { tp += 1 } else { fp += 1 }
            let last = n == order.count - 1
            if last || ((n + 1) % step == 0 && scores[order[n + 1]] != scores[i]) {
                out.append(ScenarioSummary.CurvePoint(x: fp / negatives, y: tp / positives))
            }
        }
        return out
    }

    /// Mean predicted probability, observed churn rate and customers per group `[lower, upper)`
    /// of predicted probability (1 in the last group); empty groups are left out. O(n · groups).
    static func calibration(scores: [Double], labels: [Bool], groups: [(Double, Double)]) -> [ScenarioSummary.CalibrationBin] {
        groups.enumerated().compactMap { g, bounds in
            let last = g == groups.count - 1
            let rows = scores.indices.filter { scores[$0] >= bounds.0 && (scores[$0] < bounds.1 || (last && scores[$0] <= bounds.1)) }
            guard !rows.isEmpty else { return nil }
            let n = Double(rows.count)
            return ScenarioSummary.CalibrationBin(
                predicted: rows.reduce(0) { $0 + scores[$1] } / n, observed: Double(rows.filter { labels[$0] }.count) / n, count: n)
        }
    }

    /// Released quantiles beside the exact ones: the same histograms as the study's, computed
    /// without noise on `customers` (the union), read off with the same rule. One cell per
    /// measure and probability, labelled `[recency_days | frequency | monetary_major, p20]`.
    /// O(n + bins).
    static func quantiles(_ result: Learning.QuantileResult, spec: Study.Spec, customers: Learning.Customers) throws -> [ScenarioSummary.Cell] {
        var configuration = Learning.QuantileStudy.Configuration(privacy: try target(spec))
        configuration.probabilities = result.probabilities
        configuration.noiseOff = true
        let study = try Learning.QuantileStudy(configuration)
        var generator = Analytics.SplitMix64(seed: 1)
        let histograms = try study.localContribution(.histograms, customers: customers, using: &generator)
        guard case .finished(let exact) = try study.advance(.histograms, aggregate: histograms, round: 0) else {
            throw ScenarioError(.studyFailed, "the central quantiles did not finish in one round")
        }
        return quantileCells(result, central: exact)
    }

    /// One cell per measure and probability of `result`, with the central value when given.
    static func quantileCells(_ result: Learning.QuantileResult, central: Learning.QuantileResult?) -> [ScenarioSummary.Cell] {
        let measures: [(String, [Learning.Estimate], [Learning.Estimate]?)] = [
            ("recency_days", result.recencyDays, central?.recencyDays),
            ("frequency", result.frequency, central?.frequency),
            ("monetary_major", result.monetaryMajor, central?.monetaryMajor),
        ]
        var cells: [ScenarioSummary.Cell] = []
        for (name, released, exact) in measures {
            for (j, p) in result.probabilities.enumerated() where j < released.count {
                cells.append(ScenarioSummary.Cell(
                    labels: [name, quantileLabel(p)], federated: released[j].value, standardError: released[j].standardError,
                    central: exact.flatMap { j < $0.count ? $0[j].value : nil }, suppressed: false))
            }
        }
        return cells
    }

    /// `p20` for 0.2, `p2.5` for 0.025.
    static func quantileLabel(_ p: Double) -> String {
        let percent = p * 100
        return percent == percent.rounded() ? "p\(Int(percent))" : "p\(String(format: "%g", percent))"
    }
}
