/// A purpose that data may be used for. Consent is bound to one purpose.
public enum ConsentPurpose: String, Sendable, Hashable, CaseIterable, Codable {
    /// Customer segmentation studies (RFM, lifecycle, tiers, k-means).
    case segmentation
    /// Benchmark studies (churn rate, NPS, CLV per segment).
    case benchmarking
    /// Model training (churn logistic regression).
    case modelTraining = "model-training"

    /// Parses a purpose name, or throws a ``StoreError`` listing the known purposes.
    public static func parse(_ text: String) throws -> ConsentPurpose {
        guard let purpose = ConsentPurpose(rawValue: text) else {
            throw StoreError(
                .invalidArgument,
                "unknown purpose '\(text)' (expected one of: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return purpose
    }
}

/// What a consent event does.
public enum ConsentAction: String, Sendable, Hashable, CaseIterable, Codable {
    /// The customer grants consent for the purpose.
    case grant
    /// The customer withdraws consent for the purpose.
    case withdraw
}
