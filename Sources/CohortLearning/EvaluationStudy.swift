public import CohortPrivacy

extension Learning {
    /// `kind: evaluation`: federated evaluation of a published churn model in one round. Each node
    /// scores its evaluated customers (the seeded holdout, or every labelled customer) and sends
    /// the histogram `[negatives per bin…, positives per bin…]` (one cell per customer:
    /// Δ₂ = Δ₁ = 1) plus its own discrete Gaussian noise; the lead reports
    /// ``EvaluationReport``. The logistic-regression study runs the same round after training.
    public struct EvaluationStudy: FederatedAlgorithm {
        /// The spec parameters.
        public struct Configuration: Sendable, Hashable, Codable {
            /// The model to evaluate.
            public var model: LogisticModel
            /// (ε, δ) of the study, per node.
            public var privacy: PrivacyTarget
            /// Score bins (10…1000, a multiple of 10).
            public var bins: Int = 100
            /// Evaluate on this holdout, or on every labelled customer when `nil`.
            public var holdout: Holdout?
            /// Number of parties whose noise is in the aggregate (for standard errors).
            public var parties: Int = 1
            /// With secure aggregation: how each round's noise is split among the parties (each
            /// adds its share); nil when every node adds the full noise.
            public var noiseSharing: NoiseSharing?
            /// Simulation only: σ = 0.
            public var noiseOff: Bool = false

            /// A configuration with the documented defaults.
            public init(model: LogisticModel, privacy: PrivacyTarget) {
                self.model = model
                self.privacy = privacy
            }
        }

        /// The only round's payload: the model.
        public typealias Payload = LogisticModel

        /// The validated configuration.
        public let configuration: Configuration
        /// The round's noise.
        public let noise: RoundNoise
        /// The per-node cost.
        public let cost: Privacy.Cost

        /// Validates and calibrates. - Throws: `invalidParameter` (bins, parties),
        /// `invalidPrivacyParameter`, `budgetTooSmallForRounds`.
        public init(_ configuration: Configuration) throws {
            try Self.validateBins(configuration.bins)
            guard configuration.parties >= 1 else {
                throw LearningError(.invalidParameter, "evaluation: parties \(configuration.parties) must be ≥ 1")
            }
            let calibrated = try Self.calibratedNoise(privacy: configuration.privacy, bins: configuration.bins,
                                                      sharing: configuration.noiseSharing)
            noise = configuration.noiseOff
                ? try .calibrated(rho: 1, l2Sensitivity: 1, l1Sensitivity: 1, dimension: 2 * configuration.bins, noiseOff: true,
                                  sharing: configuration.noiseSharing)
                : calibrated
            cost = try calibrated.cost()
            self.configuration = configuration
        }

        /// The round's noise for a study of `privacy` over `bins` score bins, which does not
        /// depend on the model: the whole ρ on one histogram of `2 · bins` cells, Δ₂ = Δ₁ = 1.
        /// Lets a spec be priced before its model is known. `sharing` splits it among the parties
        /// of a securely aggregated study.
        /// - Throws: `invalidParameter` (bins), `invalidPrivacyParameter`, `budgetTooSmallForRounds`.
        public static func calibratedNoise(privacy: PrivacyTarget, bins: Int, sharing: NoiseSharing? = nil) throws -> RoundNoise {
            try validateBins(bins)
            let rho = try BudgetSplit.roundRho(totalRho: try privacy.rho(), share: 1, rounds: 1, part: "evaluation", target: privacy)
            return try .calibrated(rho: rho, l2Sensitivity: 1, l1Sensitivity: 1, dimension: 2 * bins, sharing: sharing)
        }

        static func validateBins(_ bins: Int) throws {
            guard bins >= 10, bins <= 1000, bins % 10 == 0 else {
                throw LearningError(.invalidParameter, "evaluation bins \(bins) must be a multiple of 10 in 10…1000")
            }
        }

        /// One round.
        public var maximumRounds: Int { 1 }
        /// The model.
        public var initialPayload: LogisticModel { configuration.model }
        /// The round's noise.
        public func roundNoise(for payload: LogisticModel) throws -> RoundNoise { noise }

        /// The node's score histogram `[negatives…, positives…]`. O(n · d).
        public func localContribution(_ payload: LogisticModel, customers: Customers,
                                      using generator: inout some RandomNumberGenerator) throws -> [Int64] {
            guard payload == configuration.model else {
                throw LearningError(.invalidPayload, "evaluation: the payload's model differs from the model in the study spec")
            }
            let rows: [Int]
            if let holdout = configuration.holdout { rows = holdout.split(customers).holdout } else {
                rows = (0..<customers.count).filter { customers.churned[$0] != nil }
            }
            return Self.scoreHistogram(model: payload, customers: customers, rows: rows, bins: configuration.bins)
        }

        /// `[negatives per bin…, positives per bin…]` of the given labelled rows. O(rows · d).
        static func scoreHistogram(model: LogisticModel, customers: Customers, rows: [Int], bins: Int) -> [Int64] {
            var out = [Int64](repeating: 0, count: 2 * bins)
            for i in rows {
                guard let label = customers.churned[i] else { continue }
                let p = model.probability(customers, row: i)
                let b = min(max(Int((p * Double(bins)).rounded(.down)), 0), bins - 1)
                out[(label ? bins : 0) + b] += 1
            }
            return out
        }

        /// The report. - Throws: `dimensionMismatch` for a wrong-length aggregate.
        public func advance(_ payload: LogisticModel, aggregate: [Int64], round: Int) throws -> Step<LogisticModel, EvaluationReport> {
            guard round == 0 else { throw LearningError(.invalidPayload, "evaluation has one round, got round \(round)") }
            return .finished(try Self.report(aggregate, bins: configuration.bins, noise: noise, parties: configuration.parties))
        }

        static func report(_ aggregate: [Int64], bins: Int, noise: RoundNoise, parties: Int) throws -> EvaluationReport {
            guard aggregate.count == 2 * bins else {
                throw LearningError(.dimensionMismatch, "evaluation: aggregate has \(aggregate.count) values, expected \(2 * bins)")
            }
            return try EvaluationReport(negatives: aggregate[0..<bins].map(Double.init), positives: aggregate[bins...].map(Double.init),
                                        noiseSD: noise.aggregateStandardDeviation(parties: parties))
        }
    }
}
