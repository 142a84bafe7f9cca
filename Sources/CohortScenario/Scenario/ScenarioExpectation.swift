import Foundation

extension Scenario {
    /// A per-study metric an expectation may bound (also reported per study and, with
    /// `--seeds`, as mean ± sd).
    public enum Metric: String, Sendable, CaseIterable, Codable {
        /// Mean |federated − central| over released cells (customers for counts, the measure's unit for means).
        case meanAbsoluteError = "mean_absolute_error"
        /// Largest |federated − central| over released cells.
        case maxAbsoluteError = "max_absolute_error"
        /// Largest |federated − central| / standard error over released cells.
        case maxZ = "max_z"
        /// Mean |federated − central| / |central| over released cells whose central value is not 0.
        case meanRelativeError = "mean_relative_error"
        /// Released (not suppressed) cells.
        case releasedCells = "released_cells"
        /// Suppressed cells.
        case suppressedCells = "suppressed_cells"
        /// |released customers − true customers| / true customers.
        case customersRelativeError = "customers_relative_error"
        /// Wall time of the study, seconds.
        case seconds
        /// k-means: inertia of the federated centroids on the union of the consenting customers
        /// / inertia of the central k-means (best of 10 k-means++ restarts, same k, features and bounds).
        case inertiaRatio = "inertia_ratio"
        /// k-means: adjusted Rand index of the federated against the central cluster labels on the union.
        case ari
        /// Churn model: holdout AUC of the federated model (exact, on the union's holdout customers).
        case auc
        /// Churn model: |federated − central| holdout AUC (central L2 logistic regression, same holdout).
        case aucGap = "auc_gap"
        /// Churn model: holdout accuracy at 0.5 of the federated model (exact, on the union's holdout).
        case accuracy
        /// Churn model: |federated − central| holdout accuracy at 0.5.
        case accuracyGap = "accuracy_gap"
        /// Churn model: the released (noised) holdout log-loss of the federated evaluation.
        case logLoss = "log_loss"

        /// The study kinds (`Study.Kind` raw values) whose results define the metric.
        public var kinds: Set<String> {
            switch self {
            case .meanAbsoluteError, .maxAbsoluteError, .maxZ, .meanRelativeError, .releasedCells, .suppressedCells:
                return ["histogram", "mean", "quantiles"]
            case .customersRelativeError: return ["histogram", "mean", "kmeans", "logistic-regression"]
            case .seconds: return ["histogram", "mean", "quantiles", "kmeans", "logistic-regression"]
            case .inertiaRatio, .ari: return ["kmeans"]
            case .auc, .aucGap, .accuracy, .accuracyGap, .logLoss: return ["logistic-regression"]
            }
        }
    }

    /// Shorthand expectation keys of learning studies: `inertia_ratio_at_most: 1.01` is
    /// `metric: inertia_ratio` with `at_most: 1.01`, and so on.
    public static let metricShorthands: [String: (metric: Metric, atMost: Bool)] = [
        "inertia_ratio_at_most": (.inertiaRatio, true),
        "ari_at_least": (.ari, false),
        "auc_within": (.aucGap, true),
        "accuracy_within": (.accuracyGap, true),
    ]

    /// Metrics reserved for study kinds not built yet (evaluation of a stored model): an
    /// expectation naming one is reported as not supported by this node yet.
    public static let reservedMetrics = ["auc_ratio", "calibration_error"]

    /// Something checked at the end of a run.
    public struct Expectation: Sendable, Hashable, CustomStringConvertible {
        /// What is checked.
        public var check: Check
        /// Its place in the file (`file:line:column`).
        public var place: String

        /// `place: text`.
        public var description: String { "\(place): \(check)" }
    }

    /// The kinds of expectation.
    public enum Check: Sendable, Hashable, CustomStringConvertible {
        /// The study was published.
        case published(study: String)
        /// The study failed; when `reason` is set the failure reason contains it (case-insensitive).
        case failed(study: String, reason: String?)
        /// A metric of the study is at most / at least a bound.
        case metric(study: String, metric: Metric, atMost: Double?, atLeast: Double?)
        /// Every released cell of the study is within `z` standard errors of the central baseline.
        case withinStandardErrors(study: String, z: Double)
        /// No party's spent ε exceeds its cap, per purpose (all parties when nil).
        case budgetWithinCap(party: String?)
        /// The party's audit log records these refusal codes and entry types.
        case audited(party: String, refusals: [String], types: [String])
        /// Every party's audit log verifies intact.
        case auditIntact
        /// No node process of the scenario is left running at the end.
        case noProcessLeft

        /// Plain words, e.g. `study segments published`.
        public var description: String {
            switch self {
            case .published(let s): return "study \(s) published"
            case .failed(let s, let r): return "study \(s) failed" + (r.map { " (reason contains '\($0)')" } ?? "")
            case .metric(let s, let m, let hi, let lo):
                var parts: [String] = []
                if let lo { parts.append("≥ \(lo)") }
                if let hi { parts.append("≤ \(hi)") }
                return "study \(s): \(m.rawValue) \(parts.joined(separator: " and "))"
            case .withinStandardErrors(let s, let z): return "study \(s): every released cell within \(z) SE of the central baseline"
            case .budgetWithinCap(let p): return "budget never above the cap" + (p.map { " (\($0))" } ?? " (every party)")
            case .audited(let p, let codes, let types):
                return "\(p)'s audit log records " + (codes.map { "refusal \($0)" } + types).joined(separator: ", ")
            case .auditIntact: return "every audit log intact"
            case .noProcessLeft: return "no node process left"
            }
        }
    }
}
