import CohortCore
extension Study.Spec {
    /// Largest number of cells a study may have (product of the dimensions' category counts).
    public static let maxCells = 65_536
    /// Largest number of regions a spec may list (before `other`).
    public static let maxRegions = 256
    /// Largest ε per node per study a spec may ask for.
    public static let maxEpsilon = 10.0

    /// Checks every rule; throws a ``StudyError`` naming the first offending key.
    func validate() throws {
        if let id { try Self.validateName(id, key: "id") }
        if kind.isLearning {
            try validateLearningShape()
        } else if learning != nil {
            throw StudyError(.invalidValue, key: "learning", "only a kmeans, logistic-regression, quantiles or evaluation study takes a learning section")
        }
        guard kind.isLearning || !dimensions.isEmpty else {
            throw StudyError(.invalidValue, key: "dimensions", "at least one dimension is required")
        }
        if let duplicate = Self.firstDuplicate(dimensions.map(\.rawValue)) {
            throw StudyError(.invalidValue, key: "dimensions", "dimension '\(duplicate)' is listed twice")
        }
        try validateRegions()
        try validateAttributeValues()
        var cells = 1
        for dimension in dimensions {
            cells *= dimension.categories(regions: regions, attributeValues: attributeValues).count
            guard cells <= Self.maxCells else {
                throw StudyError(
                    .invalidValue, key: "dimensions",
                    "the crossed key has more than \(Self.maxCells) cells; use fewer dimensions or regions")
            }
        }
        try validateMean()
        if let cuts = rfmCutPoints {
            guard dimensions.contains(.rfmSegment) else {
                throw StudyError(.invalidValue, key: "rfm_cut_points", "cut points apply only to a study with the rfm_segment dimension")
            }
            if case .released(let study) = cuts { try Self.validateName(study, key: "rfm_cut_points.study") }
        }
        let p = privacy
        guard p.epsilon.isFinite, p.epsilon > 0, p.epsilon <= Self.maxEpsilon else {
            throw StudyError(
                .invalidValue, key: "privacy.epsilon",
                "must be a number in (0, \(Self.maxEpsilon)], got \(p.epsilon)")
        }
        guard p.delta.isFinite, p.delta > 0, p.delta < 1 else {
            throw StudyError(.invalidValue, key: "privacy.delta", "must be in (0, 1), got \(p.delta)")
        }
        guard p.minCount >= 0 else {
            throw StudyError(.invalidValue, key: "privacy.min_count", "must be ≥ 0, got \(p.minCount)")
        }
        guard !participants.isEmpty else {
            throw StudyError(
                .invalidValue, key: "participants",
                "list at least one participant besides the lead")
        }
        for (index, name) in participants.enumerated() {
            try Self.validateNodeName(name, key: "participants[\(index)]")
        }
        if let duplicate = Self.firstDuplicate(participants) {
            throw StudyError(.invalidValue, key: "participants", "node '\(duplicate)' is listed twice")
        }
        guard (1...3600).contains(deadlineSeconds) else {
            throw StudyError(
                .invalidValue, key: "deadline_seconds",
                "must be an integer number of seconds in 1...3600, got \(deadlineSeconds)")
        }
        if kind.isLearning {
            // Builds the algorithm: features, bounds, rounds, C and the split of ε into the
            // rounds are all checked here, before any data is read.
            _ = try Study.LearningAlgorithm(spec: self)
        }
    }

    /// A learning kind has no cells: no dimensions, regions, attribute values or measure; its
    /// purpose is the one its release serves.
    private func validateLearningShape() throws {
        guard dimensions.isEmpty else {
            throw StudyError(.invalidValue, key: "dimensions", "a \(kind.rawValue) study has no dimensions; its features are under learning.features")
        }
        guard regions.isEmpty else {
            throw StudyError(.invalidValue, key: "regions", "a \(kind.rawValue) study takes its region labels under learning.regions")
        }
        guard attributeValues.isEmpty else {
            throw StudyError(.invalidValue, key: "attribute_values", "a \(kind.rawValue) study has no attribute dimensions")
        }
        guard mean == nil else {
            throw StudyError(.invalidValue, key: "measure", "a \(kind.rawValue) study takes no measure")
        }
        let required: Purpose?
        switch kind {
        case .kmeans: required = .segmentation
        case .logisticRegression, .evaluation: required = .modelTraining
        default: required = nil
        }
        if let required, purpose != required {
            throw StudyError(
                .invalidValue, key: "purpose",
                "a \(kind.rawValue) study serves purpose \(required.rawValue), not \(purpose.rawValue): customers consent per purpose")
        }
    }

    private func validateRegions() throws {
        let hasRegion = dimensions.contains(.region)
        if !hasRegion {
            guard regions.isEmpty else {
                throw StudyError(
                    .invalidValue, key: "regions", "regions are given but 'region' is not a dimension")
            }
            return
        }
        guard !regions.isEmpty else {
            throw StudyError(
                .missingKey, key: "regions",
                "dimension 'region' needs a fixed list of regions agreed by all participants")
        }
        guard regions.count <= Self.maxRegions else {
            throw StudyError(.invalidValue, key: "regions", "at most \(Self.maxRegions) regions")
        }
        for (index, region) in regions.enumerated() {
            let key = "regions[\(index)]"
            guard !region.isEmpty, region.count <= 64,
                  region.first?.isWhitespace == false, region.last?.isWhitespace == false,
                  !region.contains(where: { $0.isNewline || $0 == "," || $0 == "\"" }) else {
                throw StudyError(
                    .invalidValue, key: key,
                    "a region is 1–64 characters without surrounding spaces, commas, quotes or newlines")
            }
            guard region.lowercased() != Study.Dimension.otherRegion else {
                throw StudyError(.invalidValue, key: key, "'other' is implied; do not list it")
            }
        }
        if let duplicate = Self.firstDuplicate(regions.map { $0.lowercased() }) {
            throw StudyError(.invalidValue, key: "regions", "region '\(duplicate)' is listed twice")
        }
    }

    /// `attribute_values`: exactly one non-empty list of distinct labels per attribute dimension.
    private func validateAttributeValues() throws {
        let names = Set(attributeNames)
        for name in attributeValues.keys.sorted() where !names.contains(name) {
            throw StudyError(.invalidValue, key: "attribute_values.\(name)", "values are given but 'attribute:\(name)' is not a dimension")
        }
        for name in attributeNames {
            let key = "attribute_values.\(name)"
            guard let values = attributeValues[name], !values.isEmpty else {
                throw StudyError(.missingKey, key: key, "dimension 'attribute:\(name)' needs the list of its categories agreed by all participants")
            }
            guard values.count <= Self.maxRegions else {
                throw StudyError(.invalidValue, key: key, "at most \(Self.maxRegions) categories")
            }
            for value in values {
                guard !value.isEmpty, value.count <= 100, !value.contains(where: \.isNewline) else {
                    throw StudyError(.invalidValue, key: key, "a category is 1–100 characters without newlines")
                }
                guard value != Study.Dimension.otherRegion else {
                    throw StudyError(.invalidValue, key: key, "'other' is implied; do not list it")
                }
            }
            if let duplicate = Self.firstDuplicate(values) {
                throw StudyError(.invalidValue, key: key, "category '\(duplicate)' is listed twice")
            }
        }
    }

    private func validateMean() throws {
        switch kind {
        case .kmeans, .logisticRegression, .quantiles, .evaluation:
            return
        case .histogram:
            guard mean == nil else {
                throw StudyError(.invalidValue, key: "measure", "a histogram study takes no measure")
            }
        case .mean:
            guard let mean else {
                throw StudyError(.missingKey, key: "measure", "a mean study needs a measure")
            }
            guard mean.lower.isFinite else {
                throw StudyError(.invalidValue, key: "lower", "must be a finite number")
            }
            guard mean.upper.isFinite else {
                throw StudyError(.invalidValue, key: "upper", "must be a finite number")
            }
            guard mean.lower < mean.upper else {
                throw StudyError(
                    .invalidValue, key: "upper",
                    "must be greater than lower (\(mean.lower)), got \(mean.upper)")
            }
            let domain = mean.measure.domain
            guard domain.contains(mean.lower) else {
                throw StudyError(
                    .invalidValue, key: "lower",
                    "\(mean.measure.rawValue) bounds must lie in [\(domain.lowerBound), \(domain.upperBound)], got \(mean.lower)")
            }
            guard domain.contains(mean.upper) else {
                throw StudyError(
                    .invalidValue, key: "upper",
                    "\(mean.measure.rawValue) bounds must lie in [\(domain.lowerBound), \(domain.upperBound)], got \(mean.upper)")
            }
            if mean.measure.isMoney {
                guard let currency = mean.currency else {
                    throw StudyError(
                        .missingKey, key: "currency",
                        "\(mean.measure.rawValue) is an amount of money: name its currency (ISO 4217, e.g. currency: EUR); every party must report in it")
                }
                guard currency.utf8.count == 3, currency.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                    throw StudyError(.invalidValue, key: "currency", "expected an ISO 4217 code of three capital letters, got '\(currency)'")
                }
            } else if mean.currency != nil {
                throw StudyError(
                    .invalidValue, key: "currency", "only a money measure (clv, aov) has a currency, not \(mean.measure.rawValue)")
            }
        }
    }

    /// Node names: ``CohortCore/NodeName``'s rule, reported at `key`.
    static func validateNodeName(_ name: String, key: String) throws {
        do {
            try NodeName.validate(name, what: "node name")
        } catch let error as CoreError {
            throw StudyError(.invalidValue, key: key, error.message)
        }
    }

    /// Study ids: 1–64 characters, ASCII letters, digits, `.`, `_`, `-`, starting
    /// with a letter or digit.
    static func validateName(_ name: String, key: String) throws {
        let scalars = name.unicodeScalars
        let ok = !scalars.isEmpty && scalars.count <= 64
            && scalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
            && scalars.first.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) } == true
        guard ok else {
            throw StudyError(
                .invalidValue, key: key,
                "'\(name)' is not a valid name (1–64 of A–Z a–z 0–9 . _ -, starting with a letter or digit)")
        }
    }

    private static func firstDuplicate(_ values: [String]) -> String? {
        var seen = Set<String>()
        for value in values where !seen.insert(value).inserted { return value }
        return nil
    }
}
