import CohortAnalytics
import CohortCore
import Foundation

/// Spec (de)serialization with snake_case keys; every decoding problem becomes a ``StudyError``
/// naming the key (dotted path) concerned.
///
/// Keys: `id` (optional), `kind`, `purpose`, `as_of`, `dimensions`, `regions` (only with the
/// `region` dimension), `measure` / `lower` / `upper` (only for `mean`), `privacy` (mapping with
/// `epsilon`, `delta`, optional `min_count`, default 0), `participants`, `deadline_seconds`, and
/// `deadline_at` (optional, `YYYY-MM-DDTHH:MM:SSZ`; the lead sets it when it starts the study).
/// Unknown keys are rejected so that typos never silently fall back to defaults.
extension Study.Spec: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let topLevelKeys: [String] = [
        "id", "kind", "purpose", "as_of", "dimensions", "regions", "attribute_values", "measure", "lower", "upper", "currency",
        "learning", "rfm_cut_points", "privacy", "participants", "deadline_seconds", "deadline_at",
        "secure_aggregation",
    ]
    static let privacyKeys: [String] = ["epsilon", "delta", "min_count"]
    static let secureAggregationKeys: [String] = ["enabled", "dropouts"]

    /// Decodes and validates a spec; throws ``StudyError`` naming the key on any problem.
    public init(from decoder: any Decoder) throws {
        let c: KeyedDecodingContainer<Key>
        do {
            c = try decoder.container(keyedBy: Key.self)
        } catch {
            throw StudyError(.malformedSpec, "the spec must be a mapping of keys to values")
        }
        try Self.rejectUnknownKeys(c, allowed: Self.topLevelKeys, prefix: "")

        let id = try Self.decode(String.self, c, "id", path: "id", required: false)
        let kind: Study.Kind = try Self.decodeChoice(c, "kind", path: "kind")
        let purpose: Purpose = try Self.decodeChoice(c, "purpose", path: "purpose")
        let asOfText = try Self.decode(String.self, c, "as_of", path: "as_of", required: true) ?? ""
        guard let asOf = CalendarDate(asOfText) else {
            throw StudyError(.invalidValue, key: "as_of", "expected a date YYYY-MM-DD, got '\(asOfText)'")
        }
        let dimensionNames = try Self.decode([String].self, c, "dimensions", path: "dimensions", required: !kind.isLearning) ?? []
        var dimensions: [Study.Dimension] = []
        for (index, name) in dimensionNames.enumerated() {
            guard let dimension = Study.Dimension(rawValue: name) else {
                throw StudyError(
                    .invalidValue, key: "dimensions[\(index)]",
                    "unknown dimension '\(name)'; expected one of \(Self.list(Study.Dimension.allCases)) or attribute:<name> (a custom attribute)")
            }
            dimensions.append(dimension)
        }
        let regions = try Self.decode([String].self, c, "regions", path: "regions", required: false) ?? []
        let attributeValues = try Self.decode([String: [String]].self, c, "attribute_values", path: "attribute_values", required: false) ?? [:]

        var mean: Study.MeanMeasure?
        if c.contains(Key("measure")) || kind == .mean {
            let measure: Study.Measure = try Self.decodeChoice(c, "measure", path: "measure")
            guard kind == .mean else {
                throw StudyError(.invalidValue, key: "measure", "a histogram study takes no measure")
            }
            let lower = try Self.decode(Double.self, c, "lower", path: "lower", required: true) ?? 0
            let upper = try Self.decode(Double.self, c, "upper", path: "upper", required: true) ?? 0
            let currency = try Self.decode(String.self, c, "currency", path: "currency", required: false)
            mean = Study.MeanMeasure(measure: measure, lower: lower, upper: upper, currency: currency)
        } else {
            for key in ["lower", "upper", "currency"] where c.contains(Key(key)) {
                throw StudyError(.invalidValue, key: key, "clamp bounds are only for a mean study")
            }
        }

        var learning: Study.LearningParameters?
        if c.contains(Key("learning")) {
            guard kind.isLearning else {
                throw StudyError(.invalidValue, key: "learning", "only a kmeans, logistic-regression, quantiles or evaluation study takes a learning section")
            }
            learning = try Self.decodeLearning(c)
        } else if kind.isLearning {
            learning = Study.LearningParameters()
        }

        let rfmCutPoints = c.contains(Key("rfm_cut_points")) ? try Self.decodeCutPoints(c) : nil

        guard c.contains(Key("privacy")) else {
            throw StudyError(.missingKey, key: "privacy", "required key is missing")
        }
        let p: KeyedDecodingContainer<Key>
        do {
            p = try c.nestedContainer(keyedBy: Key.self, forKey: Key("privacy"))
        } catch {
            throw StudyError(.invalidValue, key: "privacy", "must be a mapping with epsilon, delta, min_count")
        }
        try Self.rejectUnknownKeys(p, allowed: Self.privacyKeys, prefix: "privacy.")
        let epsilon = try Self.decode(Double.self, p, "epsilon", path: "privacy.epsilon", required: true) ?? 0
        let delta = try Self.decode(Double.self, p, "delta", path: "privacy.delta", required: true) ?? 0
        let minCount = try Self.decode(Int.self, p, "min_count", path: "privacy.min_count", required: false) ?? 0

        let participants = try Self.decode([String].self, c, "participants", path: "participants", required: true) ?? []
        let deadline = try Self.decode(Int.self, c, "deadline_seconds", path: "deadline_seconds", required: true) ?? 0

        let deadlineAtText = try Self.decode(String.self, c, "deadline_at", path: "deadline_at", required: false)

        try self.init(
            id: id, kind: kind, purpose: purpose, asOf: asOf, dimensions: dimensions, regions: regions,
            attributeValues: attributeValues, mean: mean, learning: learning, rfmCutPoints: rfmCutPoints, privacy: Study.PrivacyParameters(epsilon: epsilon, delta: delta, minCount: minCount),
            participants: participants, deadlineSeconds: deadline)
        if c.contains(Key("secure_aggregation")) {
            self = try self.withSecureAggregation(try Self.decodeSecureAggregation(c))
        }
        if let deadlineAtText {
            guard let date = Self.parseDeadline(deadlineAtText) else {
                throw StudyError(
                    .invalidValue, key: "deadline_at",
                    "expected a UTC time YYYY-MM-DDTHH:MM:SSZ, got '\(deadlineAtText)'")
            }
            self = try self.withDeadline(at: date)
        }
    }

    /// The `deadline_at` text of a time: `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds).
    static func formatDeadline(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds); nil otherwise.
    static func parseDeadline(_ text: String) -> Date? {
        guard text.utf8.count == 20, text.hasSuffix("Z") else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Encodes with snake_case keys; optional keys are omitted when not applicable.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(id, forKey: Key("id"))
        try c.encode(kind.rawValue, forKey: Key("kind"))
        try c.encode(purpose.rawValue, forKey: Key("purpose"))
        try c.encode(asOf, forKey: Key("as_of"))
        if !kind.isLearning { try c.encode(dimensions.map(\.rawValue), forKey: Key("dimensions")) }
        if !regions.isEmpty { try c.encode(regions, forKey: Key("regions")) }
        if !attributeValues.isEmpty { try c.encode(attributeValues, forKey: Key("attribute_values")) }
        if let learning {
            var l = c.nestedContainer(keyedBy: Key.self, forKey: Key("learning"))
            try l.encodeIfPresent(learning.k, forKey: Key("k"))
            try l.encodeIfPresent(learning.features, forKey: Key("features"))
            try l.encodeIfPresent(learning.bounds, forKey: Key("bounds"))
            try l.encodeIfPresent(learning.rounds, forKey: Key("rounds"))
            try l.encodeIfPresent(learning.clipNorm, forKey: Key("clip_norm"))
            try l.encodeIfPresent(learning.learningRate, forKey: Key("learning_rate"))
            try l.encodeIfPresent(learning.l2, forKey: Key("l2"))
            try l.encodeIfPresent(learning.holdoutShare, forKey: Key("holdout_share"))
            try l.encodeIfPresent(learning.samplingRate, forKey: Key("sampling_rate"))
            try l.encodeIfPresent(learning.seed, forKey: Key("seed"))
            try l.encodeIfPresent(learning.regions, forKey: Key("regions"))
            try l.encodeIfPresent(learning.probabilities, forKey: Key("probabilities"))
            try l.encodeIfPresent(learning.modelStudy, forKey: Key("model_study"))
            if let model = learning.model {
                var m = l.nestedContainer(keyedBy: Key.self, forKey: Key("model"))
                try m.encodeIfPresent(model.study, forKey: Key("study"))
                try m.encode(model.features, forKey: Key("features"))
                try m.encodeIfPresent(model.bounds, forKey: Key("bounds"))
                try m.encodeIfPresent(model.regions, forKey: Key("regions"))
                try m.encode(model.intercept, forKey: Key("intercept"))
                try m.encode(model.coefficients, forKey: Key("coefficients"))
            }
            try l.encodeIfPresent(learning.bins, forKey: Key("bins"))
        }
        if let mean {
            try c.encode(mean.measure.rawValue, forKey: Key("measure"))
            try c.encode(mean.lower, forKey: Key("lower"))
            try c.encode(mean.upper, forKey: Key("upper"))
            try c.encodeIfPresent(mean.currency, forKey: Key("currency"))
        }
        if let rfmCutPoints {
            var r = c.nestedContainer(keyedBy: Key.self, forKey: Key("rfm_cut_points"))
            switch rfmCutPoints {
            case .released(let study): try r.encode(study, forKey: Key("study"))
            case .given(let cuts):
                try r.encode(cuts.recency, forKey: Key("recency"))
                try r.encode(cuts.frequency, forKey: Key("frequency"))
                try r.encode(cuts.monetary, forKey: Key("monetary"))
            }
        }
        var p = c.nestedContainer(keyedBy: Key.self, forKey: Key("privacy"))
        try p.encode(privacy.epsilon, forKey: Key("epsilon"))
        try p.encode(privacy.delta, forKey: Key("delta"))
        try p.encode(privacy.minCount, forKey: Key("min_count"))
        try c.encode(participants, forKey: Key("participants"))
        try c.encode(deadlineSeconds, forKey: Key("deadline_seconds"))
        if let deadlineAt { try c.encode(Self.formatDeadline(deadlineAt), forKey: Key("deadline_at")) }
        if let secureAggregation {
            var s = c.nestedContainer(keyedBy: Key.self, forKey: Key("secure_aggregation"))
            try s.encode(secureAggregation.enabled, forKey: Key("enabled"))
            try s.encode(secureAggregation.dropouts, forKey: Key("dropouts"))
        }
    }

    /// `secure_aggregation: true | false` or `{ enabled: true, dropouts: 1 }` (`enabled`
    /// defaults to true, `dropouts` to 0).
    private static func decodeSecureAggregation(_ c: KeyedDecodingContainer<Key>) throws -> Study.SecureAggregationSetting {
        if let flag = try? c.decode(Bool.self, forKey: Key("secure_aggregation")) {
            return Study.SecureAggregationSetting(enabled: flag)
        }
        let s: KeyedDecodingContainer<Key>
        do {
            s = try c.nestedContainer(keyedBy: Key.self, forKey: Key("secure_aggregation"))
        } catch {
            throw StudyError(.invalidValue, key: "secure_aggregation", "must be true, false or a mapping with `enabled` and `dropouts`")
        }
        try rejectUnknownKeys(s, allowed: secureAggregationKeys, prefix: "secure_aggregation.")
        let enabled = try decode(Bool.self, s, "enabled", path: "secure_aggregation.enabled", required: false) ?? true
        let dropouts = try decode(Int.self, s, "dropouts", path: "secure_aggregation.dropouts", required: false) ?? 0
        return Study.SecureAggregationSetting(enabled: enabled, dropouts: dropouts)
    }

    /// `rfm_cut_points: { study: <id> }` or `{ recency: [4], frequency: [4], monetary: [4] }`.
    private static func decodeCutPoints(_ c: KeyedDecodingContainer<Key>) throws -> Study.RFMCutPoints {
        let r: KeyedDecodingContainer<Key>
        do {
            r = try c.nestedContainer(keyedBy: Key.self, forKey: Key("rfm_cut_points"))
        } catch {
            throw StudyError(.invalidValue, key: "rfm_cut_points", "must be a mapping: { study: <quantiles study id> } or { recency: [..], frequency: [..], monetary: [..] }")
        }
        try rejectUnknownKeys(r, allowed: ["study", "recency", "frequency", "monetary"], prefix: "rfm_cut_points.")
        if let study = try decode(String.self, r, "study", path: "rfm_cut_points.study", required: false) {
            guard r.allKeys.count == 1 else {
                throw StudyError(.invalidValue, key: "rfm_cut_points", "give either study or the three cut lists, not both")
            }
            return .released(study: study)
        }
        let recency = try decode([Double].self, r, "recency", path: "rfm_cut_points.recency", required: true) ?? []
        let frequency = try decode([Double].self, r, "frequency", path: "rfm_cut_points.frequency", required: true) ?? []
        let monetary = try decode([Double].self, r, "monetary", path: "rfm_cut_points.monetary", required: true) ?? []
        do {
            return .given(try Analytics.RFM.CutPoints(recency: recency, frequency: frequency, monetary: monetary))
        } catch let error as AnalyticsError {
            throw StudyError(.invalidValue, key: "rfm_cut_points", error.message)
        }
    }

    /// The `learning:` mapping; unknown keys are refused like everywhere else.
    private static func decodeLearning(_ c: KeyedDecodingContainer<Key>) throws -> Study.LearningParameters {
        let l: KeyedDecodingContainer<Key>
        do {
            l = try c.nestedContainer(keyedBy: Key.self, forKey: Key("learning"))
        } catch {
            throw StudyError(.invalidValue, key: "learning", "must be a mapping of learning parameters (\(Study.LearningParameters.keys.joined(separator: ", ")))")
        }
        try rejectUnknownKeys(l, allowed: Study.LearningParameters.keys, prefix: "learning.")
        var p = Study.LearningParameters()
        p.k = try decode(Int.self, l, "k", path: "learning.k", required: false)
        p.features = try decode([String].self, l, "features", path: "learning.features", required: false)
        p.bounds = try decode([String: [Double]].self, l, "bounds", path: "learning.bounds", required: false)
        p.rounds = try decode(Int.self, l, "rounds", path: "learning.rounds", required: false)
        p.clipNorm = try decode(Double.self, l, "clip_norm", path: "learning.clip_norm", required: false)
        p.learningRate = try decode(Double.self, l, "learning_rate", path: "learning.learning_rate", required: false)
        p.l2 = try decode(Double.self, l, "l2", path: "learning.l2", required: false)
        p.holdoutShare = try decode(Double.self, l, "holdout_share", path: "learning.holdout_share", required: false)
        p.samplingRate = try decode(Double.self, l, "sampling_rate", path: "learning.sampling_rate", required: false)
        p.seed = try decode(Int.self, l, "seed", path: "learning.seed", required: false)
        p.regions = try decode([String].self, l, "regions", path: "learning.regions", required: false)
        p.probabilities = try decode([Double].self, l, "probabilities", path: "learning.probabilities", required: false)
        p.modelStudy = try decode(String.self, l, "model_study", path: "learning.model_study", required: false)
        if l.contains(Key("model")) { p.model = try decodeModel(l) }
        p.bins = try decode(Int.self, l, "bins", path: "learning.bins", required: false)
        return p
    }

    /// `learning.model`: `{ study?, features, bounds?, regions?, intercept, coefficients }`.
    private static func decodeModel(_ l: KeyedDecodingContainer<Key>) throws -> Study.LearningModel {
        let m: KeyedDecodingContainer<Key>
        do {
            m = try l.nestedContainer(keyedBy: Key.self, forKey: Key("model"))
        } catch {
            throw StudyError(.invalidValue, key: "learning.model", "must be a mapping (\(Study.LearningModel.keys.joined(separator: ", ")))")
        }
        try rejectUnknownKeys(m, allowed: Study.LearningModel.keys, prefix: "learning.model.")
        return Study.LearningModel(
            study: try decode(String.self, m, "study", path: "learning.model.study", required: false),
            features: try decode([String].self, m, "features", path: "learning.model.features", required: true) ?? [],
            bounds: try decode([String: [Double]].self, m, "bounds", path: "learning.model.bounds", required: false),
            regions: try decode([String].self, m, "regions", path: "learning.model.regions", required: false),
            intercept: try decode(Double.self, m, "intercept", path: "learning.model.intercept", required: true) ?? 0,
            coefficients: try decode([String: Double].self, m, "coefficients", path: "learning.model.coefficients", required: true) ?? [:])
    }

    private static func rejectUnknownKeys(
        _ c: KeyedDecodingContainer<Key>, allowed: [String], prefix: String
    ) throws {
        for key in c.allKeys.map(\.stringValue).sorted() where !allowed.contains(key) {
            throw StudyError(
                .unknownKey, key: prefix + key,
                "unknown key; expected one of \(allowed.joined(separator: ", "))")
        }
    }

    private static func decode<T: Decodable>(
        _ type: T.Type, _ c: KeyedDecodingContainer<Key>, _ name: String, path: String, required: Bool
    ) throws -> T? {
        let key = Key(name)
        let value: T?
        do {
            value = try c.decodeIfPresent(T.self, forKey: key)
        } catch let error as StudyError {
            throw error
        } catch {
            throw StudyError(.invalidValue, key: path, "expected \(describe(T.self))")
        }
        if value == nil, required {
            throw StudyError(.missingKey, key: path, "required key is missing")
        }
        return value
    }

    private static func decodeChoice<T: RawRepresentable & CaseIterable>(
        _ c: KeyedDecodingContainer<Key>, _ name: String, path: String
    ) throws -> T where T.RawValue == String {
        let text = try decode(String.self, c, name, path: path, required: true) ?? ""
        guard let value = T(rawValue: text) else {
            throw StudyError(
                .invalidValue, key: path, "'\(text)' is not one of \(list(Array(T.allCases)))")
        }
        return value
    }

    private static func list<T: RawRepresentable>(_ cases: [T]) -> String where T.RawValue == String {
        cases.map(\.rawValue).joined(separator: ", ")
    }

    private static func describe<T>(_ type: T.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type: return "a number"
        case is Int.Type: return "an integer"
        case is [String].Type: return "a list of strings"
        case is [Double].Type: return "a list of numbers"
        case is [String: [Double]].Type: return "a mapping of feature names to [lower, upper]"
        case is [String: Double].Type: return "a mapping of column names to numbers"
        default: return "a value of type \(T.self)"
        }
    }
}
