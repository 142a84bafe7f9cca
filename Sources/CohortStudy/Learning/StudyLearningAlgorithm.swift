public import CohortLearning
public import CohortPrivacy
import Foundation

extension Study {
    /// The learning algorithm of a `kmeans`, `logistic-regression`, `quantiles` or `evaluation`
    /// spec, built the same way on every node from the spec alone (features, clip bounds,
    /// rounds, the noise of every round and the whole study's cost), with its round payloads in
    /// their wire form.
    ///
    /// Building one validates the spec's `learning:` section; a problem becomes a
    /// ``StudyError`` naming the key, before any customer data is read.
    ///
    /// An `evaluation` spec that names its model by `learning.model_study` is priced (its cost
    /// does not depend on the model) but cannot run until the lead has replaced the reference by
    /// the model itself (``unresolvedModelStudy``); its rounds throw until then.
    public struct LearningAlgorithm: Sendable {
        /// What the lead does after summing a round: another round, or the release.
        public enum Step: Sendable, Hashable {
            /// Run another round with this payload.
            case nextRound(RoundPayload)
            /// The study is finished with this model or statistic.
            case finished(LearningRelease.Model)
        }

        private let algorithm: (any FederatedAlgorithm)?
        /// The study kind.
        public let kind: Kind
        /// The whole study's per-node cost (every budgeted round composed in zCDP, or in RDP for
        /// a subsampled training study): what the ledger checks at proposal and charges before
        /// the first contribution leaves.
        public let cost: Privacy.Cost
        /// Rounds the budget pays for; the study never runs more.
        public let maximumRounds: Int
        /// The phases in order, with their budgeted rounds and noise (what `cohort privacy cost
        /// --spec` prints).
        public let phases: [Phase]
        /// The holdout the study keeps out of training (`logistic-regression`) or scores
        /// (`evaluation` with `holdout_share`); nil otherwise.
        public let holdout: Learning.Holdout?
        /// An `evaluation` spec's `learning.model_study` while it has not been resolved into
        /// `learning.model`; nil for every runnable algorithm.
        public let unresolvedModelStudy: String?

        /// The algorithm of `spec`. O(1) except for a subsampled training spec, whose noise is
        /// found by a bisection over the RDP accountant (≈ 40 curve evaluations).
        /// - Throws: ``StudyError`` at `learning.<key>` (or `privacy.epsilon`) for a bad value,
        ///   `invalidValue` at `kind` for a kind that is not a learning kind.
        public init(spec: Spec) throws {
            let parameters = spec.learning ?? LearningParameters()
            let privacy: Learning.PrivacyTarget
            do {
                privacy = try Learning.PrivacyTarget(epsilon: spec.privacy.epsilon, delta: spec.privacy.delta)
            } catch let error as LearningError {
                throw StudyError(.invalidValue, key: "privacy.epsilon", error.message)
            }
            let parties = spec.participants.count + 1
            let sharing = try Self.noiseSharing(of: spec)
            kind = spec.kind
            let algorithm: (any FederatedAlgorithm)?
            var pending: (study: String, noise: Learning.RoundNoise)?
            do {
                switch spec.kind {
                case .histogram, .mean:
                    throw StudyError(.invalidValue, key: "kind", "\(spec.kind.rawValue) is not a learning study kind")
                case .kmeans:
                    guard let k = parameters.k else {
                        throw StudyError(.missingKey, key: "learning.k", "a k-means study needs the number of clusters k (2–50)")
                    }
                    var c = Learning.KMeansStudy.Configuration(k: k, privacy: privacy)
                    if let features = parameters.features { c.features = features }
                    c.bounds = try Self.bounds(parameters.bounds)
                    if let rounds = parameters.rounds { c.lloydRounds = rounds }
                    if let seed = parameters.seed { c.seed = try Self.seed(seed) }
                    c.parties = parties
                    c.noiseSharing = sharing
                    try Self.refuse(parameters, ["clip_norm": parameters.clipNorm, "learning_rate": parameters.learningRate,
                                                 "l2": parameters.l2, "holdout_share": parameters.holdoutShare,
                                                 "sampling_rate": parameters.samplingRate], kind: spec.kind)
                    guard parameters.regions == nil, parameters.probabilities == nil else {
                        throw StudyError(.invalidValue, key: parameters.regions != nil ? "learning.regions" : "learning.probabilities",
                                         "is not a k-means parameter")
                    }
                    try Self.refuseEvaluationKeys(parameters, kind: spec.kind)
                    algorithm = try Learning.KMeansStudy(c)
                case .logisticRegression:
                    var c = Learning.LogisticRegressionStudy.Configuration(privacy: privacy)
                    if let features = parameters.features { c.features = features }
                    c.bounds = try Self.bounds(parameters.bounds)
                    if let regions = parameters.regions { c.regions = regions }
                    if let rounds = parameters.rounds { c.rounds = rounds }
                    if let value = parameters.clipNorm { c.clipNorm = value }
                    if let value = parameters.learningRate { c.learningRate = value }
                    if let value = parameters.l2 { c.l2 = value }
                    if let value = parameters.holdoutShare { c.holdoutShare = value }
                    if let value = parameters.samplingRate { c.samplingRate = value }
                    if let seed = parameters.seed { c.seed = try Self.seed(seed) }
                    c.parties = parties
                    c.noiseSharing = sharing
                    guard parameters.k == nil, parameters.probabilities == nil else {
                        throw StudyError(.invalidValue, key: parameters.k != nil ? "learning.k" : "learning.probabilities",
                                         "is not a logistic-regression parameter")
                    }
                    try Self.refuseEvaluationKeys(parameters, kind: spec.kind)
                    algorithm = try Learning.LogisticRegressionStudy(c)
                case .quantiles:
                    var c = Learning.QuantileStudy.Configuration(privacy: privacy)
                    if let probabilities = parameters.probabilities { c.probabilities = probabilities }
                    c.parties = parties
                    c.noiseSharing = sharing
                    try Self.refuse(parameters, ["clip_norm": parameters.clipNorm, "learning_rate": parameters.learningRate,
                                                 "l2": parameters.l2, "holdout_share": parameters.holdoutShare,
                                                 "sampling_rate": parameters.samplingRate], kind: spec.kind)
                    guard parameters.k == nil, parameters.features == nil, parameters.bounds == nil,
                          parameters.rounds == nil, parameters.seed == nil, parameters.regions == nil else {
                        throw StudyError(.invalidValue, key: "learning", "a quantiles study takes only `probabilities`")
                    }
                    try Self.refuseEvaluationKeys(parameters, kind: spec.kind)
                    algorithm = try Learning.QuantileStudy(c)
                case .evaluation:
                    let built = try Self.evaluation(parameters, privacy: privacy, parties: parties, sharing: sharing)
                    algorithm = built.0
                    pending = built.1
                }
            } catch let error as LearningError {
                throw StudyError(.invalidValue, key: Self.key(of: error), error.message)
            }
            self.algorithm = algorithm
            if let algorithm {
                cost = algorithm.cost
                maximumRounds = algorithm.maximumRounds
                phases = Self.phases(of: algorithm)
                unresolvedModelStudy = nil
                switch algorithm {
                case let a as Learning.LogisticRegressionStudy: holdout = a.holdout
                case let a as Learning.EvaluationStudy: holdout = a.configuration.holdout
                default: holdout = nil
                }
            } else if let pending {
                do { cost = try pending.noise.cost() } catch let error as LearningError {
                    throw StudyError(.invalidValue, key: "privacy.epsilon", error.message)
                }
                maximumRounds = 1
                phases = [Self.phase("evaluation", 1, pending.noise)]
                unresolvedModelStudy = pending.study
                holdout = try Self.evaluationHoldout(parameters)
            } else {
                throw StudyError(.invalidValue, key: "kind", "\(spec.kind.rawValue) built no algorithm")
            }
        }

        /// The `evaluation` algorithm of `parameters`, or — for a `model_study` reference not
        /// resolved yet — that study's id and the round's noise (which the model does not change).
        private static func evaluation(
            _ parameters: LearningParameters, privacy: Learning.PrivacyTarget, parties: Int, sharing: Learning.NoiseSharing?
        ) throws -> ((any FederatedAlgorithm)?, (study: String, noise: Learning.RoundNoise)?) {
            try refuse(parameters, ["clip_norm": parameters.clipNorm, "learning_rate": parameters.learningRate,
                                    "l2": parameters.l2, "sampling_rate": parameters.samplingRate], kind: .evaluation)
            let others: [(String, Bool)] = [
                ("k", parameters.k != nil), ("features", parameters.features != nil), ("bounds", parameters.bounds != nil),
                ("rounds", parameters.rounds != nil), ("regions", parameters.regions != nil),
                ("probabilities", parameters.probabilities != nil),
            ]
            if let (key, _) = others.first(where: { $0.1 }) {
                throw StudyError(.invalidValue, key: "learning.\(key)",
                                 "is not a parameter of an evaluation study (the model's features, bounds and regions are under learning.model)")
            }
            let bins = parameters.bins ?? 100
            let noise: Learning.RoundNoise
            do { noise = try Learning.EvaluationStudy.calibratedNoise(privacy: privacy, bins: bins, sharing: sharing) } catch let error as LearningError {
                throw StudyError(.invalidValue, key: error.code == .invalidParameter ? "learning.bins" : "privacy.epsilon", error.message)
            }
            let holdout = try evaluationHoldout(parameters)
            switch (parameters.model, parameters.modelStudy) {
            case (nil, nil):
                throw StudyError(.missingKey, key: "learning.model_study",
                                 "an evaluation study needs its model: learning.model_study (a published logistic-regression study) or learning.model")
            case (.some, .some):
                throw StudyError(.invalidValue, key: "learning.model_study", "give either learning.model_study or learning.model, not both")
            case (nil, let study?):
                try Spec.validateName(study, key: "learning.model_study")
                return (nil, (study, noise))
            case (let model?, nil):
                if let study = model.study { try Spec.validateName(study, key: "learning.model.study") }
                var c = Learning.EvaluationStudy.Configuration(model: try model.logisticModel(), privacy: privacy)
                c.bins = bins
                c.holdout = holdout
                c.parties = parties
                c.noiseSharing = sharing
                do { return (try Learning.EvaluationStudy(c), nil) } catch let error as LearningError {
                    throw StudyError(.invalidValue, key: error.code == .invalidParameter ? "learning.bins" : "privacy.epsilon", error.message)
                }
            }
        }

        /// The split of every round's noise under the spec's secure aggregation, or nil (plain:
        /// each node adds the full noise).
        private static func noiseSharing(of spec: Spec) throws -> Learning.NoiseSharing? {
            guard case let (parties, uncounted)? = spec.aggregation.uncountedNoiseShares else { return nil }
            do { return try Learning.NoiseSharing(parties: parties, colluders: uncounted) } catch let error as LearningError {
                throw StudyError(.invalidValue, key: "secure_aggregation", error.message)
            }
        }

        /// The holdout an `evaluation` spec gives (`holdout_share`, `seed` default 1), or nil.
        private static func evaluationHoldout(_ parameters: LearningParameters) throws -> Learning.Holdout? {
            guard let share = parameters.holdoutShare else {
                if parameters.seed != nil {
                    throw StudyError(.invalidValue, key: "learning.seed", "an evaluation study's seed selects its holdout: give learning.holdout_share with it")
                }
                return nil
            }
            let seed = try parameters.seed.map(Self.seed) ?? 1
            do { return try Learning.Holdout(share: share, seed: seed) } catch let error as LearningError {
                throw StudyError(.invalidValue, key: "learning.holdout_share", error.message)
            }
        }

        /// Refuses the evaluation-only keys in a spec of another kind.
        private static func refuseEvaluationKeys(_ parameters: LearningParameters, kind: Kind) throws {
            let given: [(String, Bool)] = [("model_study", parameters.modelStudy != nil), ("model", parameters.model != nil),
                                           ("bins", parameters.bins != nil)]
            if let (key, _) = given.first(where: { $0.1 }) {
                throw StudyError(.invalidValue, key: "learning.\(key)", "is not a parameter of a \(kind.rawValue) study (only of evaluation)")
            }
        }

        /// The spec's evaluated model, when it is an `evaluation` spec with its model resolved.
        public var evaluatedModel: Learning.LogisticModel? {
            (algorithm as? Learning.EvaluationStudy)?.configuration.model
        }

        /// The algorithm, or — for an `evaluation` spec still naming `model_study` — the refusal.
        private func runnable() throws -> any FederatedAlgorithm {
            guard let algorithm else {
                throw StudyError(.missingKey, key: "learning.model",
                                 "learning.model_study \(unresolvedModelStudy ?? "") has not been resolved into learning.model; the lead resolves it from its published result before proposing")
            }
            return algorithm
        }

        /// One phase of the study's rounds and the noise each of its rounds adds per node.
        public struct Phase: Sendable, Hashable, Codable {
            /// What the phase releases (`grid`, `lloyd`, `profile`, `moments`, `gradient`,
            /// `evaluation`, `histograms`).
            public var name: String
            /// Budgeted rounds of the phase.
            public var rounds: Int
            /// Discrete Gaussian σ per coordinate per node, encoded units.
            public var sigma: Double
            /// L2 sensitivity of one round's vector, encoded units.
            public var l2Sensitivity: Double
            /// Coordinates of one round's vector.
            public var coordinates: Int
        }

        private static func phase(_ name: String, _ rounds: Int, _ noise: Learning.RoundNoise) -> Phase {
            Phase(name: name, rounds: rounds, sigma: noise.sigma, l2Sensitivity: noise.l2Sensitivity, coordinates: noise.dimension)
        }

        private static func phases(of algorithm: any FederatedAlgorithm) -> [Phase] {
            switch algorithm {
            case let a as Learning.KMeansStudy:
                return [phase("grid", 1, a.gridNoise), phase("lloyd", a.configuration.lloydRounds, a.lloydNoise),
                        phase("profile", 1, a.profileNoise)]
            case let a as Learning.LogisticRegressionStudy:
                return [phase("moments", 1, a.momentNoise), phase("gradient", a.configuration.rounds, a.gradientNoise),
                        phase("evaluation", 1, a.evaluationNoise)]
            case let a as Learning.QuantileStudy:
                return [phase("histograms", 1, a.noise)]
            case let a as Learning.EvaluationStudy:
                return [phase("evaluation", 1, a.noise)]
            default:
                return []
            }
        }

        /// Round 0's payload.
        public func firstPayload() throws -> RoundPayload { try Self.encode(try runnable().initialPayload) }

        /// The noise (σ² per node, encoded units) and sensitivity of the round carrying `payload`.
        /// - Throws: ``StudyError`` (`invalidContribution` at `payload`) for a payload that does
        ///   not decode or does not belong to this study.
        public func roundNoise(for payload: RoundPayload) throws -> Learning.RoundNoise {
            try Self.roundNoise(try runnable(), payload)
        }

        /// A node's un-noised contribution to the round carrying `payload`, from its consenting
        /// `customers`. `generator` drives Poisson subsampling only (the node's CSPRNG in
        /// production). O(customers · features) per round (O(customers · features²) for the
        /// second-moment round).
        public func localContribution(
            _ payload: RoundPayload, customers: Learning.Customers, using generator: inout some RandomNumberGenerator
        ) throws -> [Int64] {
            try Self.contribution(try runnable(), payload, customers, &generator)
        }

        /// The lead's step after summing round `round`'s noised contributions (signed).
        public func advance(_ payload: RoundPayload, aggregate: [Int64], round: Int) throws -> Step {
            try Self.advance(try runnable(), payload, aggregate, round)
        }

        // MARK: Opening the existential

        private static func roundNoise<A: FederatedAlgorithm>(_ a: A, _ payload: RoundPayload) throws -> Learning.RoundNoise {
            do { return try a.roundNoise(for: try decode(A.Payload.self, payload)) } catch let error as LearningError {
                throw StudyError(.invalidContribution, key: "payload", error.message)
            }
        }

        private static func contribution<A: FederatedAlgorithm>(
            _ a: A, _ payload: RoundPayload, _ customers: Learning.Customers, _ generator: inout some RandomNumberGenerator
        ) throws -> [Int64] {
            do {
                return try a.localContribution(try decode(A.Payload.self, payload), customers: customers, using: &generator)
            } catch let error as LearningError {
                throw StudyError(.invalidInput, key: "payload", error.message)
            }
        }

        private static func advance<A: FederatedAlgorithm>(
            _ a: A, _ payload: RoundPayload, _ aggregate: [Int64], _ round: Int
        ) throws -> Step {
            let step: Learning.Step<A.Payload, A.Result>
            do {
                step = try a.advance(try decode(A.Payload.self, payload), aggregate: aggregate, round: round)
            } catch let error as LearningError {
                throw StudyError(.invalidContribution, key: "aggregate", error.message)
            }
            switch step {
            case .nextRound(let next): return .nextRound(try encode(next))
            case .finished(let result):
                guard let model = LearningRelease.Model(result) else {
                    throw StudyError(.encoding, key: "result", "the algorithm released a \(A.Result.self), which no study kind publishes")
                }
                return .finished(model)
            }
        }

        // MARK: Wire form of payloads

        static func encode<P: Encodable>(_ payload: P) throws -> RoundPayload {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            do { return try RoundPayload(Array(try encoder.encode(payload))) } catch let error as StudyError {
                throw error
            } catch {
                throw StudyError(.encoding, key: "payload", "cannot encode the round payload: \(error)")
            }
        }

        static func decode<P: Decodable>(_ type: P.Type, _ payload: RoundPayload) throws -> P {
            do { return try JSONDecoder().decode(P.self, from: Data(payload.bytes)) } catch let error as LearningError {
                throw error
            } catch {
                throw StudyError(.invalidContribution, key: "payload", "the round payload does not decode: \(error)")
            }
        }

        // MARK: Spec values

        private static func bounds(_ bounds: [String: [Double]]?) throws -> [String: Learning.ClipBounds] {
            var out: [String: Learning.ClipBounds] = [:]
            for (name, pair) in (bounds ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard pair.count == 2 else {
                    throw StudyError(.invalidValue, key: "learning.bounds.\(name)", "expected [lower, upper], got \(pair.count) numbers")
                }
                do { out[name] = try Learning.ClipBounds(lower: pair[0], upper: pair[1]) } catch let error as LearningError {
                    throw StudyError(.invalidValue, key: "learning.bounds.\(name)", error.message)
                }
            }
            return out
        }

        private static func seed(_ seed: Int) throws -> UInt64 {
            guard seed >= 0 else { throw StudyError(.invalidValue, key: "learning.seed", "must be ≥ 0, got \(seed)") }
            return UInt64(seed)
        }

        private static func refuse(_ parameters: LearningParameters, _ values: [String: Double?], kind: Kind) throws {
            for (key, value) in values.sorted(by: { $0.key < $1.key }) where value != nil {
                throw StudyError(.invalidValue, key: "learning.\(key)", "is not a parameter of a \(kind.rawValue) study")
            }
        }

        private static func key(of error: LearningError) -> String {
            switch error.code {
            case .invalidK: return "learning.k"
            case .invalidRounds, .budgetTooSmallForRounds: return "learning.rounds"
            case .invalidClipNorm: return "learning.clip_norm"
            case .unknownFeature: return "learning.features"
            case .invalidBounds: return "learning.bounds"
            case .invalidPrivacyParameter: return "privacy.epsilon"
            default: return "learning"
            }
        }
    }
}
