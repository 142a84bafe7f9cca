/// A purpose that customer data may be used for. Consent is given per purpose, every study runs
/// under one, and each has its own privacy budget.
public enum Purpose: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Customer segmentation (RFM, lifecycle, tiers, k-means): `segmentation`.
    case segmentation
    /// Cross-partner benchmarks (churn rate, NPS, CLV per segment): `benchmarking`.
    case benchmarking
    /// Training models (the churn model): `model-training`.
    case modelTraining = "model-training"

    /// Parses a purpose name.
    /// - Throws: ``CoreError/Code/unknownPurpose`` listing the known purposes.
    public static func parse(_ text: String) throws -> Purpose {
        guard let purpose = Purpose(rawValue: text) else {
            throw CoreError(
                .unknownPurpose,
                "unknown purpose '\(text)' (expected one of: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return purpose
    }

    /// Declaration order (segmentation, benchmarking, model-training).
    public static func < (lhs: Purpose, rhs: Purpose) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
