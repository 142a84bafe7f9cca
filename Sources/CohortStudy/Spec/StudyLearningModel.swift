public import CohortLearning

extension Study {
    /// The churn model an `evaluation` spec scores with (`learning.model`), self-contained so
    /// that every node computes the same features and the same scores:
    ///
    /// ```yaml
    /// model:
    ///   study: churn-q2            # optional: the logistic-regression study it was released by
    ///   features: [log_recency, log_frequency, region]
    ///   bounds: { log_recency: [0, 6.594], log_frequency: [0, 5.303] }   # default per feature
    ///   regions: [north, south]    # with the region feature (default north … central)
    ///   intercept: -1.25
    ///   coefficients: { log_recency: 1.8, log_frequency: -0.9, region=north: 0.1, region=south: -0.2 }
    /// ```
    ///
    /// Features are encoded exactly as in the `logistic-regression` study (clipped to the
    /// bounds and mapped onto [−1, 1], categories one-hot), and `coefficients` holds one weight
    /// per column of that encoding (numeric feature names, then `<feature>=<category>`).
    public struct LearningModel: Sendable, Hashable {
        /// The published `logistic-regression` study the model comes from, if any. A participant
        /// that stores that study's result checks that the model equals it.
        public var study: String?
        /// Feature names in column order (numeric features first, then categorical ones).
        public var features: [String]
        /// Clip bounds `[lower, upper]` by numeric feature name; absent features take their
        /// documented defaults.
        public var bounds: [String: [Double]]?
        /// Region labels of the `region` feature.
        public var regions: [String]?
        /// The intercept b.
        public var intercept: Double
        /// One weight per encoded column, by column name.
        public var coefficients: [String: Double]

        /// The keys of the `model:` mapping, in documentation order.
        public static let keys = ["study", "features", "bounds", "regions", "intercept", "coefficients"]

        /// Creates the spec form of a model; checked by ``logisticModel()``.
        public init(study: String? = nil, features: [String], bounds: [String: [Double]]? = nil, regions: [String]? = nil,
                    intercept: Double, coefficients: [String: Double]) {
            self.study = study
            self.features = features
            self.bounds = bounds
            self.regions = regions
            self.intercept = intercept
            self.coefficients = coefficients
        }

        /// The spec form of a released model, every clip bound and region written out, so that
        /// ``logisticModel()`` gives back exactly `model`.
        public init(_ model: Learning.LogisticModel, study: String?) {
            var regions: [String]?
            for case .region(let names) in model.space.categorical { regions = names }
            var bounds: [String: [Double]] = [:]
            for (feature, range) in zip(model.space.numeric, model.space.bounds) { bounds[feature.rawValue] = [range.lower, range.upper] }
            self.init(study: study, features: model.space.numeric.map(\.rawValue) + model.space.categorical.map(\.name),
                      bounds: bounds.isEmpty ? nil : bounds, regions: regions, intercept: model.intercept,
                      coefficients: Dictionary(uniqueKeysWithValues: model.coefficients.map { ($0.name, $0.weight) }))
        }

        /// The model as the learning module scores with it (feature space of half-width 1, one
        /// weight per column).
        /// - Throws: ``StudyError`` (`invalidValue`) at `learning.model.<key>`: an unknown or
        ///   repeated feature, bad bounds, regions without the region feature, a missing or
        ///   unknown coefficient, a value that is not finite.
        public func logisticModel() throws -> Learning.LogisticModel {
            var clip: [String: Learning.ClipBounds] = [:]
            for (name, pair) in (bounds ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard pair.count == 2 else {
                    throw StudyError(.invalidValue, key: "learning.model.bounds.\(name)", "expected [lower, upper], got \(pair.count) numbers")
                }
                do { clip[name] = try Learning.ClipBounds(lower: pair[0], upper: pair[1]) } catch let error as LearningError {
                    throw StudyError(.invalidValue, key: "learning.model.bounds.\(name)", error.message)
                }
            }
            if regions != nil, !features.contains("region") {
                throw StudyError(.invalidValue, key: "learning.model.regions", "regions are given but region is not one of the model's features")
            }
            let space: Learning.FeatureSpace
            do {
                space = try Learning.FeatureSpace(names: features, boundOverrides: clip,
                                                  regions: regions ?? Learning.CategoricalFeature.defaultRegions, halfWidth: 1)
            } catch let error as LearningError {
                throw StudyError(.invalidValue, key: error.code == .unknownFeature && error.message.hasPrefix("clip bounds")
                                 ? "learning.model.bounds" : error.code == .invalidParameter && error.message.contains("region names")
                                 ? "learning.model.regions" : "learning.model.features", error.message)
            }
            let columns = space.columnNames
            if let unknown = coefficients.keys.sorted().first(where: { !columns.contains($0) }) {
                throw StudyError(.invalidValue, key: "learning.model.coefficients.\(unknown)",
                                 "is not a column of the model's features; the columns are \(columns.joined(separator: ", "))")
            }
            var weights: [Double] = []
            for column in columns {
                guard let weight = coefficients[column] else {
                    throw StudyError(.missingKey, key: "learning.model.coefficients.\(column)", "every column of the model's features needs a weight")
                }
                guard weight.isFinite else {
                    throw StudyError(.invalidValue, key: "learning.model.coefficients.\(column)", "must be a finite number, got \(weight)")
                }
                weights.append(weight)
            }
            guard intercept.isFinite else {
                throw StudyError(.invalidValue, key: "learning.model.intercept", "must be a finite number, got \(intercept)")
            }
            do { return try Learning.LogisticModel(space: space, weights: weights, intercept: intercept) } catch let error as LearningError {
                throw StudyError(.invalidValue, key: "learning.model", error.message)
            }
        }
    }
}
