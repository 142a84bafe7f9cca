public import CohortLearning
public import CohortPrivacy
import Foundation

extension Study {
    /// The learning algorithm of a `kmeans`, `logistic-regression` or `quantiles` spec, built
    /// the same way on every node from the spec alone (features, clip bounds, rounds, the noise
    /// of every round and the whole study's cost), with its round payloads in their wire form.
    ///
    /// Building one validates the spec's `learning:` section; a problem becomes a
    /// ``StudyError`` naming the key, before any customer data is read.
    public struct LearningAlgorithm: Sendable {
        /// What the lead does after summing a round: another round, or the release.
        public enum Step: Sendable, Hashable {
            /// Run another round with this payload.
            case nextRound(RoundPayload)
            /// The study is finished with this model or statistic.
            case finished(LearningRelease.Model)
        }

        private let algorithm: any FederatedAlgorithm
        /// The study kind.
        public let kind: Kind

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
            kind = spec.kind
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
                    try Self.refuse(parameters, ["clip_norm": parameters.clipNorm, "learning_rate": parameters.learningRate,
                                                 "l2": parameters.l2, "holdout_share": parameters.holdoutShare,
                                                 "sampling_rate": parameters.samplingRate], kind: spec.kind)
                    guard parameters.regions == nil, parameters.probabilities == nil else {
                        throw StudyError(.invalidValue, key: parameters.regions != nil ? "learning.regions" : "learning.probabilities",
                                         "is not a k-means parameter")
                    }
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
                    guard parameters.k == nil, parameters.probabilities == nil else {
                        throw StudyError(.invalidValue, key: parameters.k != nil ? "learning.k" : "learning.probabilities",
                                         "is not a logistic-regression parameter")
                    }
                    algorithm = try Learning.LogisticRegressionStudy(c)
                case .quantiles:
                    var c = Learning.QuantileStudy.Configuration(privacy: privacy)
                    if let probabilities = parameters.probabilities { c.probabilities = probabilities }
                    c.parties = parties
                    try Self.refuse(parameters, ["clip_norm": parameters.clipNorm, "learning_rate": parameters.learningRate,
                                                 "l2": parameters.l2, "holdout_share": parameters.holdoutShare,
                                                 "sampling_rate": parameters.samplingRate], kind: spec.kind)
                    guard parameters.k == nil, parameters.features == nil, parameters.bounds == nil,
                          parameters.rounds == nil, parameters.seed == nil, parameters.regions == nil else {
                        throw StudyError(.invalidValue, key: "learning", "a quantiles study takes only `probabilities`")
                    }
                    algorithm = try Learning.QuantileStudy(c)
                }
            } catch let error as LearningError {
                throw StudyError(.invalidValue, key: Self.key(of: error), error.message)
            }
        }

        /// Rounds the budget pays for; the study never runs more.
        public var maximumRounds: Int { algorithm.maximumRounds }

        /// The whole study's per-node cost (every budgeted round composed in zCDP, or in RDP for
        /// a subsampled training study): what the ledger checks at proposal and charges before
        /// the first contribution leaves.
        public var cost: Privacy.Cost { algorithm.cost }

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

        /// The phases in order, with their budgeted rounds and noise (what `cohort privacy cost
        /// --spec` prints).
        public var phases: [Phase] {
            func phase(_ name: String, _ rounds: Int, _ noise: Learning.RoundNoise) -> Phase {
                Phase(name: name, rounds: rounds, sigma: noise.sigma, l2Sensitivity: noise.l2Sensitivity, coordinates: noise.dimension)
            }
            switch algorithm {
            case let a as Learning.KMeansStudy:
                return [phase("grid", 1, a.gridNoise), phase("lloyd", a.configuration.lloydRounds, a.lloydNoise),
                        phase("profile", 1, a.profileNoise)]
            case let a as Learning.LogisticRegressionStudy:
                return [phase("moments", 1, a.momentNoise), phase("gradient", a.configuration.rounds, a.gradientNoise),
                        phase("evaluation", 1, a.evaluationNoise)]
            case let a as Learning.QuantileStudy:
                return [phase("histograms", 1, a.noise)]
            default:
                return []
            }
        }

        /// Round 0's payload.
        public func firstPayload() throws -> RoundPayload { try Self.encode(algorithm.initialPayload) }

        /// The noise (σ² per node, encoded units) and sensitivity of the round carrying `payload`.
        /// - Throws: ``StudyError`` (`invalidContribution` at `payload`) for a payload that does
        ///   not decode or does not belong to this study.
        public func roundNoise(for payload: RoundPayload) throws -> Learning.RoundNoise {
            try Self.roundNoise(algorithm, payload)
        }

        /// A node's un-noised contribution to the round carrying `payload`, from its consenting
        /// `customers`. `generator` drives Poisson subsampling only (the node's CSPRNG in
        /// production). O(customers · features) per round (O(customers · features²) for the
        /// second-moment round).
        public func localContribution(
            _ payload: RoundPayload, customers: Learning.Customers, using generator: inout some RandomNumberGenerator
        ) throws -> [Int64] {
            try Self.contribution(algorithm, payload, customers, &generator)
        }

        /// The lead's step after summing round `round`'s noised contributions (signed).
        public func advance(_ payload: RoundPayload, aggregate: [Int64], round: Int) throws -> Step {
            try Self.advance(algorithm, payload, aggregate, round)
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
