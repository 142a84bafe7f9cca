import CohortAnalytics
public import CohortPrivacy

extension Learning {
    /// `kind: logistic-regression` (purpose `model-training`): DP federated, preconditioned
    /// gradient descent on the churn label, then federated evaluation on the seeded holdout.
    ///
    /// Features: the consortium ``FeatureSpace`` with half-width 1 (numeric features in [−1, 1],
    /// one-hot categories), extended by a constant 1 for the intercept: `x̃ = (x, 1)`, `p = d + 1`
    /// parameters, `‖x̃‖ ≤ B = √(maximumNorm² + 1)`. Only labelled customers outside the
    /// ``Holdout`` are trained on. The objective is the one of the central baseline:
    /// `J(w, b) = mean log-loss + λ/2 ‖w‖²` (intercept not regularized).
    ///
    /// Rounds:
    /// 1. **Second moments** (``Payload/moments``): each node sends the upper triangle of
    ///    `Σ x̃ x̃ᵀ` over its training customers, fixed-point `round(x̃_a x̃_b · 2¹²)`
    ///    (Δ₂ = B²·2¹² + √m/2 for m = p(p+1)/2 entries; its last entry is the training count).
    ///    The lead forms the preconditioner `M = ¼ Ĝ/n̂ + (λ + κ) I` (Böhning's bound on the
    ///    Hessian; κ = noise SD·√p/(2n̂), the expected spectral norm of the noise in ¼Ĝ/n̂, keeps the noised matrix positive definite).
    /// 2. **Gradient steps** (``Payload/gradient(step:weights:intercept:preconditioner:trainingCount:)``,
    ///    at most ``Configuration/rounds``): each training customer (or, with sampling rate q < 1,
    ///    each one independently with probability q, drawn from the node's secret generator)
    ///    contributes its log-loss gradient `(σ(w·x̃) − y) x̃`, clipped to L2 norm C, encoded
    ///    `round(g · 2¹⁶)` (Δ₂ = C·2¹⁶ + √p/2). The lead divides the noised sum by `q·n̂`, adds
    ///    `λw`, and steps `θ ← θ − η M⁻¹ ∇J`. **Stopping rule**: when the largest parameter change
    ///    is below ``Configuration/tolerance`` or the rounds are used up.
    /// 3. **Evaluation** (``Payload/evaluate(model:steps:converged:trainingCount:)``): the
    ///    ``EvaluationStudy`` histogram of the holdout (Δ₂ = 1).
    ///
    /// Budget: the whole study's ρ gives ``Configuration/momentShare`` to round 1 and
    /// ``Configuration/evaluationShare`` to the evaluation. Full batch: the rest is split equally
    /// over the gradient rounds (zCDP). Poisson-subsampled (q < 1): the gradient rounds are
    /// accounted with the subsampled-Gaussian RDP accountant
    /// (``CohortPrivacy/Privacy/RDP/SubsampledGaussian``) and the smallest noise multiplier is
    /// chosen (bisection) for which the composition of all rounds gives at most ε at δ.
    public struct LogisticRegressionStudy: FederatedAlgorithm {
        /// Fixed-point scale of the gradient round.
        public static let gradientScale: Double = 65_536
        /// Fixed-point scale of the second-moment round.
        public static let momentScale: Double = 4_096

        /// The spec parameters (validated by ``LogisticRegressionStudy/init(_:)``).
        public struct Configuration: Sendable, Hashable, Codable {
            /// Feature names (numeric and categorical).
            public var features: [String] = ["log_recency", "log_frequency", "log_monetary", "tenure_years", "log_aov",
                                             "channel_share", "region", "channel_band", "nps_class"]
            /// Clip-bound overrides by numeric feature name.
            public var bounds: [String: ClipBounds] = [:]
            /// Region names of the `region` feature.
            public var regions: [String] = CategoricalFeature.defaultRegions
            /// (ε, δ) of the whole study, per node.
            public var privacy: PrivacyTarget
            /// Maximum gradient rounds, 1…1000.
            public var rounds: Int = 8
            /// Per-customer gradient L2 clip norm C > 0 (default 2: with the default features
            /// ‖x̃‖ ≤ √10 ≈ 3.2, so only customers with a large residual are clipped).
            public var clipNorm: Double = 2
            /// Step size η on the preconditioned gradient, in (0, 10] (the iteration converges for
            /// η < 2 because M bounds the Hessian; default 1.5).
            public var learningRate: Double = 1.5
            /// L2 regularization λ ≥ 0 (weights only).
            public var l2: Double = 1e-3
            /// Share of labelled customers held out, in (0, 1).
            public var holdoutShare: Double = 0.3
            /// Seed of the holdout.
            public var seed: UInt64 = 1
            /// Poisson sampling rate q ∈ (0, 1]; 1 is full batch.
            public var samplingRate: Double = 1
            /// Score bins of the evaluation (multiple of 10, 10…1000).
            public var evaluationBins: Int = 100
            /// Share of ρ for the second-moment round.
            public var momentShare: Double = 0.15
            /// Share of ρ for the evaluation round.
            public var evaluationShare: Double = 0.15
            /// Stopping tolerance on the largest parameter change.
            public var tolerance: Double = 1e-4
            /// Number of parties whose noise is in each aggregate.
            public var parties: Int = 1
            /// With secure aggregation: how each round's noise is split among the parties (each
            /// adds its share); nil when every node adds the full noise.
            /// A subsampled study (`samplingRate` < 1) splits its moment and evaluation rounds
            /// only: its gradient rounds' accounting is the subsampled Gaussian's, which holds
            /// for one party's full noise, so each party adds that.
            public var noiseSharing: NoiseSharing?
            /// Simulation only: σ = 0.
            public var noiseOff: Bool = false

            /// A configuration with the documented defaults.
            public init(privacy: PrivacyTarget) { self.privacy = privacy }
        }

        /// What the lead sends each round.
        public enum Payload: Sendable, Hashable, Codable {
            /// Round 0: second moments of the training customers.
            case moments
            /// A gradient round at these parameters, with the lead's preconditioner `M` (p × p,
            /// row-major) and noised training count.
            case gradient(step: Int, weights: [Double], intercept: Double, preconditioner: [Double], trainingCount: Double)
            /// The evaluation round of the trained model.
            case evaluate(model: LogisticModel, steps: Int, converged: Bool, trainingCount: Double)
        }

        /// The validated configuration.
        public let configuration: Configuration
        /// Feature space (half-width 1).
        public let space: FeatureSpace
        /// The holdout.
        public let holdout: Holdout
        /// Noise of the second-moment round.
        public let momentNoise: RoundNoise
        /// Noise of each gradient round.
        public let gradientNoise: RoundNoise
        /// Noise of the evaluation round.
        public let evaluationNoise: RoundNoise
        /// The whole study's per-node cost.
        public let cost: Privacy.Cost

        /// Parameters p = columns + 1.
        public var parameterCount: Int { space.dimension + 1 }

        /// Validates the configuration and derives every round's noise and the whole cost.
        /// - Throws: `invalidRounds`, `invalidClipNorm`, `unknownFeature`, `invalidBounds`,
        ///   `invalidPrivacyParameter`, `budgetTooSmallForRounds`, `invalidParameter` — before any
        ///   data is read.
        public init(_ configuration: Configuration) throws {
            let c = configuration
            guard c.rounds >= 1, c.rounds <= 1000 else {
                throw LearningError(.invalidRounds, "logistic regression: rounds = \(c.rounds) must be in 1…1000")
            }
            guard c.clipNorm.isFinite, c.clipNorm > 0, c.clipNorm <= 1000 else {
                throw LearningError(.invalidClipNorm, "logistic regression: clip norm C = \(c.clipNorm) must be in (0, 1000]")
            }
            guard c.learningRate.isFinite, c.learningRate > 0, c.learningRate <= 10 else {
                throw LearningError(.invalidParameter, "logistic regression: learning rate \(c.learningRate) must be in (0, 10]")
            }
            guard c.l2.isFinite, c.l2 >= 0, c.l2 <= 100 else {
                throw LearningError(.invalidParameter, "logistic regression: l2 \(c.l2) must be in [0, 100]")
            }
            guard c.samplingRate.isFinite, c.samplingRate > 0, c.samplingRate <= 1 else {
                throw LearningError(.invalidParameter, "logistic regression: sampling rate \(c.samplingRate) must be in (0, 1]")
            }
            guard c.tolerance.isFinite, c.tolerance >= 0, c.parties >= 1 else {
                throw LearningError(.invalidParameter, "logistic regression: tolerance \(c.tolerance) must be ≥ 0 and parties \(c.parties) ≥ 1")
            }
            guard c.momentShare > 0, c.evaluationShare > 0, c.momentShare + c.evaluationShare < 1 else {
                throw LearningError(.invalidParameter, "logistic regression: moment share \(c.momentShare) and evaluation share \(c.evaluationShare) must be > 0 and sum to less than 1")
            }
            try EvaluationStudy.validateBins(c.evaluationBins)
            let holdout = try Holdout(share: c.holdoutShare, seed: c.seed)
            let space = try FeatureSpace(names: c.features, boundOverrides: c.bounds, regions: c.regions, halfWidth: 1)
            let p = space.dimension + 1
            let m = p * (p + 1) / 2
            let b2 = space.maximumNorm * space.maximumNorm + 1
            let rho = try c.privacy.rho()
            let momentRho = try BudgetSplit.roundRho(totalRho: rho, share: c.momentShare, rounds: 1, part: "second moments", target: c.privacy)
            let evaluationRho = try BudgetSplit.roundRho(totalRho: rho, share: c.evaluationShare, rounds: 1, part: "evaluation", target: c.privacy)
            let momentL2 = min(b2 * Self.momentScale + Double(m).squareRoot() / 2, Double(m).squareRoot() * Self.momentScale)
            let gradientL2 = c.clipNorm * Self.gradientScale + Double(p).squareRoot() / 2
            let gradientL1 = Double(p).squareRoot() * gradientL2
            let moment = try RoundNoise.calibrated(rho: momentRho, l2Sensitivity: momentL2, l1Sensitivity: Double(m) * Self.momentScale,
                                                   dimension: m, sharing: c.noiseSharing)
            let evaluation = try RoundNoise.calibrated(rho: evaluationRho, l2Sensitivity: 1, l1Sensitivity: 1, dimension: 2 * c.evaluationBins,
                                                       sharing: c.noiseSharing)
            let gradient: RoundNoise
            let trainingCost: Privacy.Cost
            if c.samplingRate == 1 {
                let stepRho = try BudgetSplit.roundRho(totalRho: rho, share: 1 - c.momentShare - c.evaluationShare,
                                                       rounds: c.rounds, part: "gradient steps", target: c.privacy)
                gradient = try .calibrated(rho: stepRho, l2Sensitivity: gradientL2, l1Sensitivity: gradientL1, dimension: p,
                                           sharing: c.noiseSharing)
                trainingCost = try Privacy.Cost.composition(Array(repeating: try gradient.cost(), count: c.rounds))
            } else {
                (gradient, trainingCost) = try Self.subsampledNoise(
                    fixed: [try moment.cost(), try evaluation.cost()], samplingRate: c.samplingRate, steps: c.rounds,
                    l2Sensitivity: gradientL2, l1Sensitivity: gradientL1, dimension: p, target: c.privacy)
            }
            cost = try Privacy.Cost.composition([try moment.cost(), trainingCost, try evaluation.cost()])
            func off(_ n: RoundNoise) throws -> RoundNoise {
                c.noiseOff ? try RoundNoise.calibrated(rho: 1, l2Sensitivity: n.l2Sensitivity, l1Sensitivity: n.l1Sensitivity, dimension: n.dimension,
                                                       noiseOff: true, sharing: n.sharing) : n
            }
            momentNoise = try off(moment)
            gradientNoise = try off(gradient)
            evaluationNoise = try off(evaluation)
            self.configuration = c
            self.space = space
            self.holdout = holdout
        }

        /// The Poisson-subsampled gradient rounds' noise: the smallest noise multiplier z (40
        /// bisection steps on log z in [0.05, 1000]) whose subsampled-Gaussian RDP curve, composed
        /// with the `fixed` costs, stays within ε at δ. The exact σ² is rounded up from z·Δ₂, and
        /// the returned cost uses the σ actually sampled.
        static func subsampledNoise(fixed: [Privacy.Cost], samplingRate q: Double, steps: Int, l2Sensitivity: Double,
                                    l1Sensitivity: Double, dimension: Int, target: PrivacyTarget) throws -> (RoundNoise, Privacy.Cost) {
            func trainingCost(_ z: Double) throws -> Privacy.Cost {
                let curve = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: q, noiseMultiplier: z, steps: steps)
                return Privacy.Cost(mechanism: .subsampledGaussian, rho: nil, pureEpsilon: nil, rdp: curve,
                                    parameters: ["noise_multiplier": "\(z)", "sampling_rate": "\(q)", "steps": String(steps)])
            }
            func epsilon(_ z: Double) throws -> Double {
                try Privacy.Cost.composition(fixed + [try trainingCost(z)]).epsilon(delta: target.delta)
            }
            var lo = Analytics.Math.log(0.05), hi = Analytics.Math.log(BudgetSplit.maximumNoiseMultiplier)
            guard try epsilon(Analytics.Math.exp(hi)) <= target.epsilon else {
                throw LearningError(.budgetTooSmallForRounds, "ε = \(target.epsilon) (δ = \(target.delta)) cannot be split into \(steps) subsampled gradient round(s) at q = \(q): even a noise multiplier of \(BudgetSplit.maximumNoiseMultiplier) exceeds it; raise ε or use fewer rounds")
            }
            for _ in 0..<40 {
                let mid = (lo + hi) / 2
                if try epsilon(Analytics.Math.exp(mid)) <= target.epsilon { hi = mid } else { lo = mid }
            }
            let z = Analytics.Math.exp(hi)
            do {
                let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: z * z * l2Sensitivity * l2Sensitivity)
                let noise = RoundNoise(sigmaSquared: sampler.sigmaSquared, l2Sensitivity: l2Sensitivity,
                                       l1Sensitivity: l1Sensitivity, dimension: dimension)
                return (noise, try trainingCost(noise.noiseMultiplier))
            } catch let error as PrivacyError {
                throw LearningError(.budgetTooSmallForRounds, "noise multiplier \(z) cannot be realised: \(error.message)")
            }
        }

        /// Moments + gradient rounds + evaluation.
        public var maximumRounds: Int { configuration.rounds + 2 }
        /// ``Payload/moments``.
        public var initialPayload: Payload { .moments }

        /// The noise of the round carrying `payload`.
        public func roundNoise(for payload: Payload) throws -> RoundNoise {
            switch payload {
            case .moments: momentNoise
            case .gradient: gradientNoise
            case .evaluate: evaluationNoise
            }
        }

        /// A node's un-noised vector (see the type documentation). O(n · p²) for the moments,
        /// O(n · p) otherwise. `generator` draws the Poisson sample when q < 1.
        public func localContribution(_ payload: Payload, customers: Customers,
                                      using generator: inout some RandomNumberGenerator) throws -> [Int64] {
            let split = holdout.split(customers)
            let d = space.dimension, p = d + 1
            var x = [Double](repeating: 1, count: p)
            switch payload {
            case .moments:
                var out = [Int64](repeating: 0, count: p * (p + 1) / 2)
                x.withUnsafeMutableBufferPointer { xb in
                    for i in split.train {
                        space.encode(customers, i, into: xb.baseAddress!)
                        var t = 0
                        for a in 0..<p {
                            for b in a..<p {
                                out[t] += Int64((xb[a] * xb[b] * Self.momentScale).rounded())
                                t += 1
                            }
                        }
                    }
                }
                return out
            case .gradient(_, let weights, let intercept, _, _):
                guard weights.count == d, weights.allSatisfy(\.isFinite), intercept.isFinite else {
                    throw LearningError(.invalidPayload, "logistic regression: gradient payload has \(weights.count) weights, expected \(d) finite values")
                }
                let q = configuration.samplingRate, clip = configuration.clipNorm
                var out = [Int64](repeating: 0, count: p)
                x.withUnsafeMutableBufferPointer { xb in
                    for i in split.train {
                        if q < 1 && Double(generator.next() >> 11) * 0x1.0p-53 >= q { continue }
                        space.encode(customers, i, into: xb.baseAddress!)
                        var z = intercept, norm2 = 1.0
                        for j in 0..<d {
                            z += weights[j] * xb[j]
                            norm2 += xb[j] * xb[j]
                        }
                        var r = Analytics.Math.sigmoid(z) - ((customers.churned[i] ?? false) ? 1 : 0)
                        let norm = abs(r) * norm2.squareRoot()
                        if norm > clip { r *= clip / norm }
                        for a in 0..<p { out[a] += Int64((r * xb[a] * Self.gradientScale).rounded()) }
                    }
                }
                return out
            case .evaluate(let model, _, _, _):
                guard model.space == space else {
                    throw LearningError(.invalidPayload, "logistic regression: the evaluated model's feature space differs from the study's")
                }
                return EvaluationStudy.scoreHistogram(model: model, customers: customers, rows: split.holdout,
                                                      bins: configuration.evaluationBins)
            }
        }

        /// The lead's step (see the type documentation).
        /// - Throws: `dimensionMismatch`, `invalidPayload`, `insufficientData` (a noised training
        ///   count below 1).
        public func advance(_ payload: Payload, aggregate: [Int64], round: Int) throws -> Step<Payload, LogisticRegressionResult> {
            let noise = try roundNoise(for: payload)
            guard aggregate.count == noise.dimension else {
                throw LearningError(.dimensionMismatch, "logistic regression round \(round): aggregate has \(aggregate.count) values, expected \(noise.dimension)")
            }
            guard round >= 0, round < maximumRounds else {
                throw LearningError(.invalidPayload, "logistic regression: round \(round) is outside the \(maximumRounds) budgeted rounds")
            }
            let c = configuration, d = space.dimension, p = d + 1
            switch payload {
            case .moments:
                var g = [Double](repeating: 0, count: p * p)
                var t = 0
                for a in 0..<p {
                    for b in a..<p {
                        let v = Double(aggregate[t]) / Self.momentScale
                        g[a * p + b] = v
                        g[b * p + a] = v
                        t += 1
                    }
                }
                let n = g[p * p - 1]
                guard n >= 1 else {
                    throw LearningError(.insufficientData, "logistic regression: the noised training count is \(n); no customers to train on")
                }
                let kappa = noise.aggregateStandardDeviation(parties: c.parties, scale: Self.momentScale) * Double(p).squareRoot() / (2 * n)
                var m = g.map { $0 / (4 * n) }
                for a in 0..<p { m[a * p + a] += (a < d ? c.l2 : 0) + kappa + 1e-9 }
                // Start at θ = 0; the preconditioned steps find the intercept within a few rounds.
                return .nextRound(.gradient(step: 1, weights: [Double](repeating: 0, count: d), intercept: 0,
                                            preconditioner: m, trainingCount: n))
            case .gradient(let step, let weights, let intercept, let m, let n):
                guard step == round, step >= 1, step <= c.rounds, m.count == p * p, weights.count == d, n >= 1 else {
                    throw LearningError(.invalidPayload, "logistic regression: gradient step \(step) in round \(round) is malformed")
                }
                let batch = c.samplingRate * n
                var gradient = aggregate.map { Double($0) / Self.gradientScale / batch }
                for j in 0..<d { gradient[j] += c.l2 * weights[j] }
                let direction = try CholeskySolver.solve(m, gradient)
                var next = weights
                var change = 0.0
                for j in 0..<d {
                    next[j] -= c.learningRate * direction[j]
                    change = max(change, abs(c.learningRate * direction[j]))
                }
                let nextIntercept = intercept - c.learningRate * direction[d]
                change = max(change, abs(c.learningRate * direction[d]))
                guard next.allSatisfy(\.isFinite), nextIntercept.isFinite else {
                    throw LearningError(.insufficientData, "logistic regression: step \(step) diverged (non-finite parameters); lower the learning rate or raise ε")
                }
                let converged = change <= c.tolerance
                if converged || step == c.rounds {
                    let model = try LogisticModel(space: space, weights: next, intercept: nextIntercept)
                    return .nextRound(.evaluate(model: model, steps: step, converged: converged, trainingCount: n))
                }
                return .nextRound(.gradient(step: step + 1, weights: next, intercept: nextIntercept, preconditioner: m, trainingCount: n))
            case .evaluate(let model, let steps, let converged, let n):
                let report = try EvaluationStudy.report(aggregate, bins: c.evaluationBins, noise: noise, parties: c.parties)
                let countSD = momentNoise.aggregateStandardDeviation(parties: c.parties, scale: Self.momentScale)
                return .finished(LogisticRegressionResult(model: model, steps: steps, converged: converged,
                                                          trainingCount: Estimate(n, standardError: countSD),
                                                          evaluation: report))
            }
        }
    }

    /// The released result of a DP logistic-regression study.
    public struct LogisticRegressionResult: Sendable, Hashable, Codable {
        /// The trained model (coefficients by column name: ``LogisticModel/coefficients``).
        public var model: LogisticModel
        /// Gradient rounds run.
        public var steps: Int
        /// Whether the stopping tolerance was reached before the rounds ran out.
        public var converged: Bool
        /// Noised number of training customers (all nodes).
        public var trainingCount: Estimate
        /// Federated evaluation on the holdout.
        public var evaluation: EvaluationReport
    }
}
