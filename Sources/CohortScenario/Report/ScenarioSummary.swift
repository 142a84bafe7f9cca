import CohortCore
public import CohortStudy
import Foundation

/// Everything a scenario run found, in one value: the model of `summary.json`, filled by the
/// scenario runner and rendered by ``ScenarioReport`` into `report.md` and `report.html`.
///
/// JSON keys are snake_case (see each type's `CodingKeys`). The format is versioned by
/// ``schemaVersion``; fields are only ever added (as optionals), never renamed or removed.
/// Conventions:
/// - times are seconds from the start of the run (``ScenarioSummary/startedAt``), as `Double`;
/// - ε is at the δ stated beside it; ρ is zCDP;
/// - every number is finite (a metric that cannot be computed is absent, never NaN);
/// - lists are in the order the runner produced them (parties and studies as in the scenario
///   file, cells in the study's cell order, timeline by time).
public struct ScenarioSummary: Sendable, Hashable, Codable {
    /// Version of this JSON format; 1 for the format described here.
    public var schemaVersion: Int
    /// The scenario's name (from the file, else the file name without extension).
    public var scenario: String
    /// The scenario file as given on the command line, if any.
    public var file: String?
    /// Wall-clock start of the run, ISO 8601 UTC (`2026-12-02T10:30:00Z`).
    public var startedAt: String
    /// Seconds from start to the end of the run (of every seed, with `--seeds N`).
    public var durationSeconds: Double
    /// The seed of each run, in run order; one element unless `--seeds N`. The sections below
    /// (parties … expectations) describe the first seed's run; ``seedStatistics`` covers all.
    public var seeds: [UInt64]
    /// True if any node used seeded (simulated) noise: the numbers carry no privacy guarantee.
    public var simulatedNoise: Bool
    /// The parties, in scenario order.
    public var parties: [Party]
    /// The studies, in the order they ran.
    public var studies: [StudySummary]
    /// Privacy budget per node and purpose at the end of the run, against the node's cap.
    public var budgets: [Budget]
    /// Injected events, studies and their rounds on one time axis.
    public var timeline: [TimelineEntry]
    /// Audit log verification per node, after every node stopped.
    public var audits: [AuditSummary]
    /// The scenario's expectations and whether each held.
    public var expectations: [Expectation]
    /// With `--seeds N` (N ≥ 2): mean ± sd of every metric over the seeds; empty otherwise.
    public var seedStatistics: [MetricStatistics]

    /// Creates a summary (schema version 1).
    public init(
        scenario: String, file: String? = nil, startedAt: String, durationSeconds: Double,
        seeds: [UInt64], simulatedNoise: Bool = false, parties: [Party] = [], studies: [StudySummary] = [],
        budgets: [Budget] = [], timeline: [TimelineEntry] = [], audits: [AuditSummary] = [],
        expectations: [Expectation] = [], seedStatistics: [MetricStatistics] = []
    ) {
        self.schemaVersion = 1
        self.scenario = scenario
        self.file = file
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.seeds = seeds
        self.simulatedNoise = simulatedNoise
        self.parties = parties
        self.studies = studies
        self.budgets = budgets
        self.timeline = timeline
        self.audits = audits
        self.expectations = expectations
        self.seedStatistics = seedStatistics
    }

    /// True when every expectation held (also when there are none).
    public var allExpectationsPassed: Bool { expectations.allSatisfy(\.passed) }

    enum CodingKeys: String, CodingKey {
        case scenario, file, seeds, parties, studies, budgets, timeline, audits, expectations
        case schemaVersion = "schema_version"
        case startedAt = "started_at"
        case durationSeconds = "duration_seconds"
        case simulatedNoise = "simulated_noise"
        case seedStatistics = "seed_statistics"
    }

    // MARK: - Parties

    /// One party of the scenario and its data.
    public struct Party: Sendable, Hashable, Codable {
        /// Node name.
        public var name: String
        /// Where its data came from: a synthetic profile (`retail`, `telecom`, `bank`) or `csv`.
        public var data: String
        /// Customers imported.
        public var customers: Int
        /// Customers whose latest consent for the purpose was a grant at the end of the run, keyed
        /// by purpose (`segmentation`, `benchmarking`, `model-training`). Exact and node-local:
        /// only a simulation knows it.
        public var consenting: [String: Int]
        /// Transactions imported, when known.
        public var transactions: Int?

        /// Creates a party.
        public init(name: String, data: String, customers: Int, consenting: [String: Int], transactions: Int? = nil) {
            self.name = name
            self.data = data
            self.customers = customers
            self.consenting = consenting
            self.transactions = transactions
        }
    }

    // MARK: - Studies

    /// Whether a study published a result.
    public enum StudyStatus: String, Sendable, Hashable, Codable {
        /// The lead published a result.
        case published
        /// The study ended without a result (see ``StudySummary/failureReason``).
        case failed
    }

    /// One study of the run: its answer beside the centralized, non-private baseline.
    public struct StudySummary: Sendable, Hashable, Codable {
        /// The study's name in the scenario.
        public var name: String
        /// Study identifier assigned by the lead; nil if it never started.
        public var id: String?
        /// Study kind (`histogram`, `mean`, `quantiles`, `kmeans`, `logistic-regression`, `evaluation`).
        public var kind: String
        /// Purpose charged and consented to.
        public var purpose: String
        /// The lead node.
        public var lead: String
        /// Every node taking part, lead included, in scenario order.
        public var participants: [String]
        /// Published or failed.
        public var status: StudyStatus
        /// Why it failed (the lead's reason, e.g. `budget exhausted at beta`); nil when published.
        public var failureReason: String?
        /// Spec dimensions (histogram/mean), e.g. `["rfm_segment"]`.
        public var dimensions: [String]
        /// What ``Cell/federated`` measures, e.g. `customers` or `mean churn_rate`.
        public var valueLabel: String
        /// Seconds from start when the study was proposed.
        public var startedAtSeconds: Double
        /// Seconds from start when it ended (published or failed).
        public var endedAtSeconds: Double
        /// The study's rounds (one for single-round kinds).
        public var rounds: [Round]
        /// Per cell: federated value ± SE beside the central value (histogram/mean/quantiles).
        public var cells: [Cell]
        /// Error of the federated answer against the central one, over released cells.
        public var errors: ErrorMetrics?
        /// ε, δ and ρ each node charged for this study.
        public var spends: [Spend]
        /// Customers in the study as released (noised) and its standard error.
        public var releasedCustomers: Double?
        /// Standard error of ``releasedCustomers``.
        public var releasedCustomersStandardError: Double?
        /// Customers in the central baseline (exact).
        public var centralCustomers: Int?
        /// k-means studies: cluster profiles, federated and central.
        public var kmeans: KMeansSummary?
        /// Churn-model studies (`logistic-regression`, `evaluation`): ROC and calibration.
        public var model: ModelSummary?
        /// Learning studies (`kmeans`, `logistic-regression`, `quantiles`): the release as the lead
        /// published it (clusters and profiles, model weights and evaluation, quantiles), every
        /// noised figure with its standard error.
        public var learning: Study.LearningRelease?

        /// Creates a study summary.
        public init(
            name: String, id: String? = nil, kind: String, purpose: String, lead: String, participants: [String],
            status: StudyStatus, failureReason: String? = nil, dimensions: [String] = [], valueLabel: String = "",
            startedAtSeconds: Double, endedAtSeconds: Double, rounds: [Round] = [], cells: [Cell] = [],
            errors: ErrorMetrics? = nil, spends: [Spend] = [], releasedCustomers: Double? = nil,
            releasedCustomersStandardError: Double? = nil, centralCustomers: Int? = nil,
            kmeans: KMeansSummary? = nil, model: ModelSummary? = nil, learning: Study.LearningRelease? = nil
        ) {
            self.name = name
            self.id = id
            self.kind = kind
            self.purpose = purpose
            self.lead = lead
            self.participants = participants
            self.status = status
            self.failureReason = failureReason
            self.dimensions = dimensions
            self.valueLabel = valueLabel
            self.startedAtSeconds = startedAtSeconds
            self.endedAtSeconds = endedAtSeconds
            self.rounds = rounds
            self.cells = cells
            self.errors = errors
            self.spends = spends
            self.releasedCustomers = releasedCustomers
            self.releasedCustomersStandardError = releasedCustomersStandardError
            self.centralCustomers = centralCustomers
            self.kmeans = kmeans
            self.model = model
            self.learning = learning
        }

        enum CodingKeys: String, CodingKey {
            case name, id, kind, purpose, lead, participants, status, dimensions, rounds, cells, errors, spends
            case kmeans, model, learning
            case failureReason = "failure_reason"
            case valueLabel = "value_label"
            case startedAtSeconds = "started_at_seconds"
            case endedAtSeconds = "ended_at_seconds"
            case releasedCustomers = "released_customers"
            case releasedCustomersStandardError = "released_customers_standard_error"
            case centralCustomers = "central_customers"
        }
    }

    /// One round of a study.
    public struct Round: Sendable, Hashable, Codable {
        /// Round number, from 1.
        public var index: Int
        /// Seconds from start when the round began.
        public var startedAtSeconds: Double
        /// Seconds from start when it ended.
        public var endedAtSeconds: Double
        /// Nodes whose contribution arrived.
        public var contributors: [String]
        /// Nodes that dropped out of this round.
        public var dropped: [String]

        /// Creates a round.
        public init(index: Int, startedAtSeconds: Double, endedAtSeconds: Double, contributors: [String], dropped: [String] = []) {
            self.index = index
            self.startedAtSeconds = startedAtSeconds
            self.endedAtSeconds = endedAtSeconds
            self.contributors = contributors
            self.dropped = dropped
        }

        enum CodingKeys: String, CodingKey {
            case index, contributors, dropped
            case startedAtSeconds = "started_at_seconds"
            case endedAtSeconds = "ended_at_seconds"
        }
    }

    /// One cell of a study: the federated value ± its noise standard error beside the central value.
    public struct Cell: Sendable, Hashable, Codable {
        /// Category label per dimension (a quantile study: the quantile, e.g. `p50`).
        public var labels: [String]
        /// Released value (count or mean, see ``StudySummary/valueLabel``); nil when suppressed.
        public var federated: Double?
        /// Standard error of ``federated`` from the privacy noise.
        public var standardError: Double?
        /// The centralized, exact value; nil when undefined (an empty cell's mean).
        public var central: Double?
        /// True if the cell was suppressed (released count below `min_count`).
        public var suppressed: Bool

        /// Creates a cell.
        public init(labels: [String], federated: Double?, standardError: Double?, central: Double?, suppressed: Bool) {
            self.labels = labels
            self.federated = federated
            self.standardError = standardError
            self.central = central
            self.suppressed = suppressed
        }

        /// `federated − central` when both exist.
        public var error: Double? {
            guard let federated, let central else { return nil }
            return federated - central
        }

        enum CodingKeys: String, CodingKey {
            case labels, federated, central, suppressed
            case standardError = "standard_error"
        }
    }

    /// How far a federated answer is from the central one, over the released cells that have both values.
    public struct ErrorMetrics: Sendable, Hashable, Codable {
        /// Cells compared (released, with a central value).
        public var cellsCompared: Int
        /// Cells suppressed.
        public var cellsSuppressed: Int
        /// Mean of |federated − central|, in the value's unit.
        public var meanAbsoluteError: Double
        /// Largest |federated − central|.
        public var maxAbsoluteError: Double
        /// √(mean of (federated − central)²).
        public var rootMeanSquaredError: Double
        /// Largest |federated − central| / SE over cells with a positive SE (how many standard
        /// errors the worst cell is off); nil when no cell has a SE.
        public var maxZ: Double?

        /// Creates error metrics.
        public init(cellsCompared: Int, cellsSuppressed: Int, meanAbsoluteError: Double, maxAbsoluteError: Double, rootMeanSquaredError: Double, maxZ: Double?) {
            self.cellsCompared = cellsCompared
            self.cellsSuppressed = cellsSuppressed
            self.meanAbsoluteError = meanAbsoluteError
            self.maxAbsoluteError = maxAbsoluteError
            self.rootMeanSquaredError = rootMeanSquaredError
            self.maxZ = maxZ
        }

        /// The metrics of `cells`: O(cells).
        public static func of(_ cells: [Cell]) -> ErrorMetrics {
            var compared = 0, suppressed = 0
            var sumAbs = 0.0, maxAbs = 0.0, sumSquares = 0.0
            var maxZ: Double?
            for cell in cells {
                if cell.suppressed { suppressed += 1; continue }
                guard let error = cell.error else { continue }
                compared += 1
                sumAbs += abs(error)
                maxAbs = max(maxAbs, abs(error))
                sumSquares += error * error
                if let se = cell.standardError, se > 0 { maxZ = max(maxZ ?? 0, abs(error) / se) }
            }
            let n = Double(max(compared, 1))
            return ErrorMetrics(
                cellsCompared: compared, cellsSuppressed: suppressed, meanAbsoluteError: compared == 0 ? 0 : sumAbs / n,
                maxAbsoluteError: maxAbs, rootMeanSquaredError: compared == 0 ? 0 : (sumSquares / n).squareRoot(), maxZ: maxZ)
        }

        enum CodingKeys: String, CodingKey {
            case cellsCompared = "cells_compared"
            case cellsSuppressed = "cells_suppressed"
            case meanAbsoluteError = "mean_absolute_error"
            case maxAbsoluteError = "max_absolute_error"
            case rootMeanSquaredError = "root_mean_squared_error"
            case maxZ = "max_z"
        }
    }

    /// What one node charged for one study.
    public struct Spend: Sendable, Hashable, Codable {
        /// Node name.
        public var node: String
        /// ε charged, at ``delta``.
        public var epsilon: Double
        /// δ of the guarantee.
        public var delta: Double
        /// zCDP ρ charged.
        public var rho: Double

        /// Creates a spend.
        public init(node: String, epsilon: Double, delta: Double, rho: Double) {
            self.node = node
            self.epsilon = epsilon
            self.delta = delta
            self.rho = rho
        }
    }

    // MARK: - k-means and churn model

    /// Cluster profiles of a k-means study, federated and central, on the study's (standardized) features.
    public struct KMeansSummary: Sendable, Hashable, Codable {
        /// Feature names, the order of every centroid's coordinates.
        public var features: [String]
        /// Federated clusters (sizes released, noised).
        public var federated: [Cluster]
        /// Central clusters, matched to the federated ones by index (same order), if computed.
        public var central: [Cluster]
        /// Federated centroids' inertia on the union of the data (sum of squared distances).
        public var federatedInertia: Double?
        /// Central k-means inertia.
        public var centralInertia: Double?
        /// Adjusted Rand index between the federated and the central assignment, if computed.
        public var adjustedRandIndex: Double?

        /// Creates a k-means summary.
        public init(features: [String], federated: [Cluster], central: [Cluster], federatedInertia: Double? = nil, centralInertia: Double? = nil, adjustedRandIndex: Double? = nil) {
            self.features = features
            self.federated = federated
            self.central = central
            self.federatedInertia = federatedInertia
            self.centralInertia = centralInertia
            self.adjustedRandIndex = adjustedRandIndex
        }

        /// federated / central inertia (≥ 1 means the federated centroids fit worse); nil if unknown.
        public var inertiaRatio: Double? {
            guard let f = federatedInertia, let c = centralInertia, c > 0 else { return nil }
            return f / c
        }

        enum CodingKeys: String, CodingKey {
            case features, federated, central
            case federatedInertia = "federated_inertia"
            case centralInertia = "central_inertia"
            case adjustedRandIndex = "adjusted_rand_index"
        }
    }

    /// One cluster: its size and centroid.
    public struct Cluster: Sendable, Hashable, Codable {
        /// Customers in the cluster (federated: released, noised).
        public var size: Double
        /// Centroid, one coordinate per ``KMeansSummary/features``.
        public var centroid: [Double]
        /// Centroid in natural units (days, purchases, major units, years, share), one
        /// coordinate per numeric feature; nil when not computed.
        public var centroidNatural: [Double]?

        /// Creates a cluster.
        public init(size: Double, centroid: [Double], centroidNatural: [Double]? = nil) {
            self.size = size
            self.centroid = centroid
            self.centroidNatural = centroidNatural
        }

        enum CodingKeys: String, CodingKey {
            case size, centroid
            case centroidNatural = "centroid_natural"
        }
    }

    /// A churn model's quality, federated and central: AUC, ROC curve and calibration.
    public struct ModelSummary: Sendable, Hashable, Codable {
        /// Holdout AUC of the federated model.
        public var federatedAUC: Double?
        /// Holdout AUC of the central model.
        public var centralAUC: Double?
        /// Holdout accuracy (threshold 0.5) of the federated model.
        public var federatedAccuracy: Double?
        /// Holdout accuracy of the central model.
        public var centralAccuracy: Double?
        /// ROC of the federated model, points by increasing false-positive rate.
        public var federatedROC: [CurvePoint]
        /// ROC of the central model.
        public var centralROC: [CurvePoint]
        /// Calibration of the federated model: bins of predicted probability.
        public var federatedCalibration: [CalibrationBin]
        /// Calibration of the central model.
        public var centralCalibration: [CalibrationBin]
        /// The model's coefficients, federated beside central, intercept first; nil when not computed.
        public var coefficients: [Coefficient]?

        /// Creates a model summary.
        public init(
            federatedAUC: Double? = nil, centralAUC: Double? = nil, federatedAccuracy: Double? = nil, centralAccuracy: Double? = nil,
            federatedROC: [CurvePoint] = [], centralROC: [CurvePoint] = [],
            federatedCalibration: [CalibrationBin] = [], centralCalibration: [CalibrationBin] = [],
            coefficients: [Coefficient]? = nil
        ) {
            self.federatedAUC = federatedAUC
            self.centralAUC = centralAUC
            self.federatedAccuracy = federatedAccuracy
            self.centralAccuracy = centralAccuracy
            self.federatedROC = federatedROC
            self.centralROC = centralROC
            self.federatedCalibration = federatedCalibration
            self.centralCalibration = centralCalibration
            self.coefficients = coefficients
        }

        /// federated / central AUC; nil if either is unknown.
        public var aucRatio: Double? {
            guard let f = federatedAUC, let c = centralAUC, c > 0 else { return nil }
            return f / c
        }

        enum CodingKeys: String, CodingKey {
            case federatedAUC = "federated_auc"
            case centralAUC = "central_auc"
            case federatedAccuracy = "federated_accuracy"
            case centralAccuracy = "central_accuracy"
            case federatedROC = "federated_roc"
            case centralROC = "central_roc"
            case federatedCalibration = "federated_calibration"
            case centralCalibration = "central_calibration"
            case coefficients
        }
    }

    /// One coefficient of a churn model (weight on a standardized feature, or the intercept).
    public struct Coefficient: Sendable, Hashable, Codable {
        /// Feature column (`intercept` for the intercept).
        public var name: String
        /// The federated model's weight.
        public var federated: Double
        /// The central model's weight, if computed.
        public var central: Double?

        /// Creates a coefficient.
        public init(name: String, federated: Double, central: Double? = nil) {
            self.name = name
            self.federated = federated
            self.central = central
        }
    }

    /// A point of a curve (ROC: x = false-positive rate, y = true-positive rate).
    public struct CurvePoint: Sendable, Hashable, Codable {
        /// Horizontal coordinate.
        public var x: Double
        /// Vertical coordinate.
        public var y: Double

        /// Creates a point.
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// One calibration bin: mean predicted probability against the observed churn rate.
    public struct CalibrationBin: Sendable, Hashable, Codable {
        /// Mean predicted probability in the bin, 0…1.
        public var predicted: Double
        /// Observed share of positives (churned) in the bin, 0…1.
        public var observed: Double
        /// Customers in the bin (released count for the federated model).
        public var count: Double

        /// Creates a bin.
        public init(predicted: Double, observed: Double, count: Double) {
            self.predicted = predicted
            self.observed = observed
            self.count = count
        }
    }

    // MARK: - Budgets

    /// Privacy budget of one node for one purpose in the current period.
    public struct Budget: Sendable, Hashable, Codable {
        /// Node name.
        public var node: String
        /// Purpose.
        public var purpose: String
        /// ε spent in the period (the zCDP total converted once at ``delta``).
        public var spentEpsilon: Double
        /// The policy's ε per period (the cap); nil when the purpose is not allowed.
        public var capEpsilon: Double?
        /// The policy's δ.
        public var delta: Double?
        /// Studies charged in the period.
        public var studies: Int

        /// Creates a budget line.
        public init(node: String, purpose: String, spentEpsilon: Double, capEpsilon: Double?, delta: Double? = nil, studies: Int = 0) {
            self.node = node
            self.purpose = purpose
            self.spentEpsilon = spentEpsilon
            self.capEpsilon = capEpsilon
            self.delta = delta
            self.studies = studies
        }

        /// True if the spend is above the cap (must never happen).
        public var overCap: Bool {
            guard let capEpsilon else { return spentEpsilon > 0 }
            return spentEpsilon > capEpsilon + 1e-9
        }

        enum CodingKeys: String, CodingKey {
            case node, purpose, delta, studies
            case spentEpsilon = "spent_epsilon"
            case capEpsilon = "cap_epsilon"
        }
    }

    // MARK: - Timeline

    /// What a timeline entry is.
    public enum TimelineKind: String, Sendable, Hashable, Codable {
        /// An injected event (kill, restart, withdrawal, erasure, hostile peer, …).
        case event
        /// A whole study, from proposal to its end.
        case study
        /// One round of a study.
        case round
        /// A step of the run itself (data generation, import, node start, stop).
        case step
    }

    /// One thing on the run's time axis. Instantaneous entries have `ended_at_seconds` equal to
    /// `at_seconds`.
    public struct TimelineEntry: Sendable, Hashable, Codable {
        /// Seconds from start.
        public var atSeconds: Double
        /// Seconds from start when it ended.
        public var endedAtSeconds: Double
        /// Event, study, round or step.
        public var kind: TimelineKind
        /// Short label, e.g. `kill -9 beta` or `churn by segment, round 2`.
        public var label: String
        /// The party concerned, if one.
        public var party: String?
        /// The study concerned (its scenario name), if one.
        public var study: String?
        /// More detail (a reason, a count).
        public var detail: String?

        /// Creates an entry.
        public init(atSeconds: Double, endedAtSeconds: Double? = nil, kind: TimelineKind, label: String, party: String? = nil, study: String? = nil, detail: String? = nil) {
            self.atSeconds = atSeconds
            self.endedAtSeconds = endedAtSeconds ?? atSeconds
            self.kind = kind
            self.label = label
            self.party = party
            self.study = study
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case kind, label, party, study, detail
            case atSeconds = "at_seconds"
            case endedAtSeconds = "ended_at_seconds"
        }
    }

    // MARK: - Audit

    /// Outcome of verifying one node's audit log.
    public enum AuditStatus: String, Sendable, Hashable, Codable {
        /// Chain, tree and every checkpoint signature verified.
        case intact
        /// Verification found a bad entry or checkpoint (see ``AuditSummary/detail``).
        case broken
        /// The log or its key could not be read.
        case unreadable
    }

    /// One node's audit log after the run.
    public struct AuditSummary: Sendable, Hashable, Codable {
        /// Node name.
        public var node: String
        /// Verification outcome.
        public var status: AuditStatus
        /// Entries in the log.
        public var entries: Int
        /// Merkle root of the whole log, hex; nil unless intact.
        public var root: String?
        /// Signed checkpoints stored.
        public var checkpoints: Int
        /// Checkpoint verification in words, e.g. `every checkpoint signature valid` or the first bad index.
        public var detail: String
        /// Refusals recorded, by kind (entry type, or `peer.refused:<reason>`), e.g. `{"peer.refused:expired": 1}`.
        public var refusals: [String: Int]
        /// Entries by type, e.g. `{"data.accessed": 4}`.
        public var entriesByType: [String: Int]

        /// Creates an audit summary.
        public init(node: String, status: AuditStatus, entries: Int, root: String?, checkpoints: Int, detail: String, refusals: [String: Int] = [:], entriesByType: [String: Int] = [:]) {
            self.node = node
            self.status = status
            self.entries = entries
            self.root = root
            self.checkpoints = checkpoints
            self.detail = detail
            self.refusals = refusals
            self.entriesByType = entriesByType
        }

        /// Total refusals of every kind.
        public var refusalCount: Int { refusals.values.reduce(0, +) }

        enum CodingKeys: String, CodingKey {
            case node, status, entries, root, checkpoints, detail, refusals
            case entriesByType = "entries_by_type"
        }
    }

    // MARK: - Expectations and seeds

    /// One expectation of the scenario and its outcome.
    public struct Expectation: Sendable, Hashable, Codable {
        /// The expectation as written, e.g. `study churn: mean_absolute_error <= 0.01`.
        public var name: String
        /// Whether it held.
        public var passed: Bool
        /// What was measured, e.g. `0.0042 <= 0.01`.
        public var detail: String

        /// Creates an expectation outcome.
        public init(name: String, passed: Bool, detail: String) {
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    /// One metric over every seed of a `--seeds N` run.
    public struct MetricStatistics: Sendable, Hashable, Codable {
        /// Metric name (see ``ScenarioSummary/metricValues()``), e.g. `study.churn.mean_absolute_error`.
        public var metric: String
        /// Value per seed, in ``ScenarioSummary/seeds`` order (seeds where it was undefined are left out).
        public var values: [Double]
        /// Mean of ``values``.
        public var mean: Double
        /// Sample standard deviation of ``values`` (n − 1); 0 for a single value.
        public var sd: Double

        /// Creates a statistic from its values: O(values).
        public init(metric: String, values: [Double]) {
            self.metric = metric
            self.values = values
            let n = Double(values.count)
            mean = values.isEmpty ? 0 : values.reduce(0, +) / n
            let m = mean
            sd = values.count < 2 ? 0 : (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
        }
    }
}
