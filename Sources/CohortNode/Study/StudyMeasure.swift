extension Study {
    /// A per-customer value whose per-cell mean a `mean` study releases.
    ///
    /// Values are clamped to the spec's `[lower, upper]` before encoding. The natural domain is
    /// what the clamp bounds must lie within.
    public enum Measure: String, Sendable, Hashable, Codable, CaseIterable {
        /// Churn flag: 1 = churned, 0 = active (the mean is the churn rate). Domain [0, 1].
        case churnRate = "churn_rate"
        /// Net Promoter Score answer, 0–10 (customers who never answered are excluded). Domain [0, 10].
        case nps
        /// Historical customer lifetime value, in minor currency units (cents).
        case clv
        /// Average order value, in minor currency units (cents).
        case aov

        /// The closed interval the clamp bounds must lie in. Monetary measures allow ±10^12 cents.
        public var domain: ClosedRange<Double> {
            switch self {
            case .churnRate: return 0...1
            case .nps: return 0...10
            case .clv, .aov: return -1e12...1e12
            }
        }

        /// Unit of the measure, for reports.
        public var unit: String {
            switch self {
            case .churnRate: return "fraction"
            case .nps: return "points (0-10)"
            case .clv, .aov: return "cents"
            }
        }
    }
}
