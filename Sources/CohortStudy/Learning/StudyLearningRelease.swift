public import CohortLearning

extension Study {
    /// What a learning study releases, inside its ``Result``: the model or statistic, and the
    /// rounds the study ran. Every figure is a post-processing of noised sums and carries its
    /// noise-derived standard error. Field names inside the model are the learning module's
    /// (camelCase); the section keys are snake_case like the rest of a result.
    public struct LearningRelease: Sendable, Hashable, Codable {
        /// The released model or statistic of one study kind.
        public enum Model: Sendable, Hashable {
            /// Centroids (encoded and in the features' units), cluster sizes and profiles.
            case kmeans(Learning.KMeansResult)
            /// The churn model's weights and its federated evaluation.
            case logisticRegression(Learning.LogisticRegressionResult)
            /// Recency, frequency and monetary quantiles.
            case quantiles(Learning.QuantileResult)
            /// The federated evaluation of a published churn model (AUC, accuracy, log-loss,
            /// calibration).
            case evaluation(Learning.EvaluationReport)

            /// Wraps an algorithm's result; nil for a type no kind releases.
            init?(_ result: Any) {
                switch result {
                case let r as Learning.KMeansResult: self = .kmeans(r)
                case let r as Learning.LogisticRegressionResult: self = .logisticRegression(r)
                case let r as Learning.QuantileResult: self = .quantiles(r)
                case let r as Learning.EvaluationReport: self = .evaluation(r)
                default: return nil
                }
            }
        }

        /// Rounds the study ran (including its fixed first and last rounds).
        public var rounds: Int
        /// The model or statistic.
        public var model: Model

        /// Creates a release.
        public init(rounds: Int, model: Model) {
            self.rounds = rounds
            self.model = model
        }

        /// The customers the release counts, as noised (cluster sizes summed, the training
        /// customers, or the evaluated customers), with its standard error; nil for quantiles,
        /// which release no count.
        public var releasedCustomers: Learning.Estimate? {
            switch model {
            case .kmeans(let r):
                let value = r.clusters.reduce(0) { $0 + $1.size.value }
                let variance = r.clusters.reduce(0) { $0 + $1.size.standardError * $1.size.standardError }
                return Learning.Estimate(value, standardError: variance.squareRoot())
            case .logisticRegression(let r):
                return r.trainingCount
            case .quantiles:
                return nil
            case .evaluation(let r):
                let variance = r.positives.standardError * r.positives.standardError + r.negatives.standardError * r.negatives.standardError
                return Learning.Estimate(r.positives.value + r.negatives.value, standardError: variance.squareRoot())
            }
        }

        enum CodingKeys: String, CodingKey {
            case rounds, kmeans, quantiles, evaluation
            case logisticRegression = "logistic_regression"
        }

        /// Decodes `{rounds, <kind>: {…}}` with exactly one model section.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rounds = try c.decode(Int.self, forKey: .rounds)
            let present = [CodingKeys.kmeans, .logisticRegression, .quantiles, .evaluation].filter { c.contains($0) }
            guard present.count == 1, let key = present.first else {
                throw StudyError(.encoding, key: "learning", "a learning release holds exactly one of kmeans, logistic_regression, quantiles, evaluation")
            }
            switch key {
            case .kmeans: model = .kmeans(try c.decode(Learning.KMeansResult.self, forKey: key))
            case .logisticRegression: model = .logisticRegression(try c.decode(Learning.LogisticRegressionResult.self, forKey: key))
            case .evaluation: model = .evaluation(try c.decode(Learning.EvaluationReport.self, forKey: key))
            default: model = .quantiles(try c.decode(Learning.QuantileResult.self, forKey: key))
            }
        }

        /// Encodes `{rounds, <kind>: {…}}`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rounds, forKey: .rounds)
            switch model {
            case .kmeans(let r): try c.encode(r, forKey: .kmeans)
            case .logisticRegression(let r): try c.encode(r, forKey: .logisticRegression)
            case .quantiles(let r): try c.encode(r, forKey: .quantiles)
            case .evaluation(let r): try c.encode(r, forKey: .evaluation)
            }
        }
    }
}
