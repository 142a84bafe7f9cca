public import CohortStudy
import CohortCore
import CohortPrivacy
public import CohortStore
public import Foundation

/// What a study would buy and cost before it is proposed (`cohort privacy plan`): the standard
/// error per released cell that the spec's (ε, δ) gives on this node's data, and how many such
/// studies the node's period budget still admits.
///
/// Standard errors follow the lead's aggregation (``Study/Aggregation``) with the total noise
/// variance `V = parties · σ²` (every party adds discrete Gaussian noise of variance σ² for the
/// same (ε, δ), ``Study/Calibration``): a histogram count has SE `√V`; a mean cell with encoded
/// sum `S` and count `C` has SE `U · √(V · (1 + (S/C)²)) / C`. `S` and `C` are estimated as
/// `parties ×` this node's exact cell values — the plan assumes every party has about as many
/// customers per cell as this node, and says so.
///
/// The budget part composes like the ledger (``Privacy/Ledger``): ρ of the spends in the
/// current window and of the planned studies add up, and the total is converted to ε at the
/// policy's δ; a study fits while that ε stays within the period cap.
public struct PrivacyPlan: Codable, Sendable, Equatable {
    /// `histogram` or `mean`.
    public var kind: String
    /// The purpose charged.
    public var purpose: String
    /// The spec's dimensions.
    public var dimensions: [String]
    /// The mean measure and unit (mean studies only).
    public var measure: String?
    /// ε per node for the study.
    public var epsilon: Double
    /// δ per node.
    public var delta: Double
    /// ρ (zCDP) each node is charged.
    public var rho: Double
    /// Parties adding noise (the lead and the participants).
    public var parties: Int
    /// Noise standard deviation per coordinate per node, in released units (a count for a
    /// histogram, a customer count for a mean study's count).
    public var sigmaPerNode: Double
    /// This node's customers in the study's scope (consenting to the purpose now).
    public var customersInScope: Int
    /// One row per cell.
    public var cells: [Cell]
    /// The budget part.
    public var budget: Budget
    /// What the figures assume, in plain words.
    public var assumptions: [String]

    /// One cell of the plan.
    public struct Cell: Codable, Sendable, Equatable {
        /// Category labels, one per dimension.
        public var labels: [String]
        /// This node's exact customers in the cell (for a mean: those with a value).
        public var localCount: Int
        /// Expected federated count: `parties × localCount`.
        public var expectedCount: Int
        /// Standard error of the released count.
        public var countStandardError: Double
        /// This node's exact mean (mean studies), nil when the cell is empty.
        public var localMean: Double?
        /// Expected standard error of the released mean (mean studies), nil when the cell is empty.
        public var meanStandardError: Double?
    }

    /// How the study fits the node's budget for its purpose.
    public struct Budget: Codable, Sendable, Equatable {
        /// Whether the node's policy allows the purpose at all.
        public var allowed: Bool
        /// Period cap (ε at `delta`).
        public var periodCapEpsilon: Double?
        /// Period length (days).
        public var periodDays: Int?
        /// Per-study cap (ε).
        public var studyCapEpsilon: Double?
        /// The policy δ at which ε is stated.
        public var policyDelta: Double?
        /// ε this study alone costs at the policy δ.
        public var studyEpsilon: Double?
        /// Composed ε spent in the current window.
        public var spentEpsilon: Double?
        /// Such studies that fit in the current window, after what is already spent.
        public var studiesFittingNow: Int?
        /// Such studies that fit in an empty window.
        public var studiesPerPeriod: Int?
        /// Why the next one would be refused (the ledger's message), when known.
        public var limit: String?
    }

    /// Most studies counted by the budget part (the loop bound).
    public static let maximumCounted = 1000

    /// Builds the plan from the spec and this node's exact (un-noised) contribution.
    /// - Parameters:
    ///   - parties: number of parties adding noise, ≥ 1.
    /// - Throws: ``NodeError`` (`invalidMessage`) for parties < 1; calibration and ledger errors.
    public static func make(
        spec: Study.Spec, contribution: Study.Contribution, parties: Int, store: NodeStore, config: NodeConfig,
        at now: Date
    ) throws -> PrivacyPlan {
        guard parties >= 1 else { throw NodeError(.invalidMessage, "parties must be ≥ 1, got \(parties)") }
        let noise = try Study.Calibration.plan(for: spec)
        let variance = Double(parties) * noise.sigmaSquared
        let layout = spec.layout
        let cellCount = layout.cellCount
        let q = Double(Study.FixedPoint.resolution)
        var cells: [Cell] = []
        for c in 0..<cellCount {
            let labels = layout.labels(ofCell: c)
            switch spec.kind {
            case .histogram:
                let local = Int(contribution.values[c])
                cells.append(Cell(
                    labels: labels, localCount: local, expectedCount: local * parties,
                    countStandardError: variance.squareRoot(), localMean: nil, meanStandardError: nil))
            case .mean:
                let encodedCount = Double(contribution.values[cellCount + c])
                let local = Int(encodedCount / q)
                var mean: Double?
                var meanSE: Double?
                if encodedCount > 0, let bounds = spec.mean {
                    let ratio = Double(contribution.values[c]) / encodedCount
                    mean = bounds.lower + bounds.range * ratio
                    meanSE = bounds.range * (variance * (1 + ratio * ratio)).squareRoot() / (encodedCount * Double(parties))
                }
                cells.append(Cell(
                    labels: labels, localCount: local, expectedCount: local * parties,
                    countStandardError: variance.squareRoot() / q, localMean: mean, meanStandardError: meanSE))
            case .kmeans, .logisticRegression, .quantiles, .evaluation:
                break
            }
        }
        let sigma = spec.kind == .mean ? noise.sigmaSquared.squareRoot() / q : noise.sigmaSquared.squareRoot()
        var assumptions = [
            "every one of the \(parties) parties adds its own discrete Gaussian noise for ε = \(Self.number(spec.privacy.epsilon)), δ = \(Self.number(spec.privacy.delta)) (no secure aggregation), so the variances add up",
            "standard errors count the privacy noise only, not sampling error",
        ]
        if parties > 1 {
            assumptions.append("expected counts assume every party has about as many customers per cell as this node")
        }
        return PrivacyPlan(
            kind: spec.kind.rawValue, purpose: spec.purpose.rawValue, dimensions: spec.dimensions.map(\.rawValue),
            measure: spec.mean.map { "\($0.measure.rawValue) in [\(Self.number($0.lower)), \(Self.number($0.upper))] (\($0.measure.unit))" },
            epsilon: spec.privacy.epsilon, delta: spec.privacy.delta, rho: noise.rho, parties: parties,
            sigmaPerNode: sigma, customersInScope: contribution.rowsRead, cells: cells,
            budget: try budget(purpose: spec.purpose.rawValue, noise: noise, store: store, config: config, at: now),
            assumptions: assumptions)
    }

    /// How many studies of cost `noise` fit the purpose's period budget now and in an empty period.
    static func budget(
        purpose: String, noise: Study.NoisePlan, store: NodeStore, config: NodeConfig, at now: Date
    ) throws -> Budget {
        guard let consent = Purpose(rawValue: purpose), let policy = try NodeBudget.policy(consent, config: config) else {
            return Budget(allowed: false, limit: "the node's policy does not allow purpose \(purpose)")
        }
        let cost = Privacy.Cost.zcdp(.discreteGaussian, rho: noise.rho)
        let history = try NodeBudget.history(consent, store: store)
        let status = try Privacy.Ledger.status(policy: policy, history: history, at: now)
        let (fitNow, limit) = fitting(policy: policy, history: history, cost: cost, at: now)
        let (perPeriod, _) = fitting(policy: policy, history: [], cost: cost, at: now)
        return Budget(
            allowed: true, periodCapEpsilon: policy.epsilonPerPeriod, periodDays: policy.periodDays,
            studyCapEpsilon: policy.epsilonPerStudy, policyDelta: policy.delta,
            studyEpsilon: try cost.epsilon(delta: policy.delta), spentEpsilon: status.spentEpsilon,
            studiesFittingNow: fitNow, studiesPerPeriod: perPeriod, limit: limit)
    }

    /// Adds planned spends at `now` until the ledger refuses one (at most ``maximumCounted``).
    /// O(count² × orders).
    static func fitting(
        policy: Privacy.Ledger.PurposePolicy, history: [Privacy.Ledger.Spend], cost: Privacy.Cost, at now: Date
    ) -> (count: Int, limit: String?) {
        var spends = history
        for index in 0..<maximumCounted {
            let request = Privacy.Ledger.Spend(study: "planned-\(index)", at: now, cost: cost)
            switch Privacy.Ledger.decide(policy: policy, history: spends, request: request) {
            case .granted(let spend): spends.append(spend)
            case .refused(let refusal): return (index, refusal.message.replacingOccurrences(of: "study planned-\(index) ", with: "the next one "))
            }
        }
        return (maximumCounted, nil)
    }

    /// A number as a person writes it: integers without a decimal point, at most 4 significant
    /// decimals otherwise, powers of ten below 10⁻³ as `1e-6`.
    public static func number(_ x: Double) -> String { HumanNumber.format(x) }
}
