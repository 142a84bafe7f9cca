public import CohortAnalytics

extension Learning {
    /// The numeric consortium features (the engineered features of `cohort analyze`), with the
    /// documented default clip bounds every node applies before learning.
    ///
    /// | name | value | default clip bounds | natural unit |
    /// |---|---|---|---|
    /// | `log_recency` | ln(1 + recency days) | [0, ln 731] ≈ [0, 6.59] (0–730 days) | days |
    /// | `log_frequency` | ln(1 + purchases in the window) | [0, ln 201] ≈ [0, 5.30] (0–200) | purchases |
    /// | `log_monetary` | ln(1 + window spend in major units) | [0, ln 100 001] ≈ [0, 11.51] (0–100 000) | major units |
    /// | `tenure_years` | tenure days / 365.25 | [0, 10] | years |
    /// | `log_aov` | ln(1 + AOV in major units) | [0, ln 10 001] ≈ [0, 9.21] (0–10 000) | major units |
    /// | `channel_share` | share of purchases in the dependence channel | [0, 1] | share |
    ///
    /// A node never standardizes against its own population: the bounds are fixed in the spec.
    public enum NumericFeature: String, Sendable, Hashable, Codable, CaseIterable {
        /// ln(1 + recency days).
        case logRecency = "log_recency"
        /// ln(1 + frequency).
        case logFrequency = "log_frequency"
        /// ln(1 + monetary in major units).
        case logMonetary = "log_monetary"
        /// Tenure in years.
        case tenureYears = "tenure_years"
        /// ln(1 + AOV in major units).
        case logAOV = "log_aov"
        /// Share of purchases in the dependence channel.
        case channelShare = "channel_share"

        /// The documented default clip bounds (see the type documentation).
        public var defaultBounds: ClipBounds {
            switch self {
            case .logRecency: ClipBounds(unchecked: 0, Analytics.Math.log(731))
            case .logFrequency: ClipBounds(unchecked: 0, Analytics.Math.log(201))
            case .logMonetary: ClipBounds(unchecked: 0, Analytics.Math.log(100_001))
            case .tenureYears: ClipBounds(unchecked: 0, 10)
            case .logAOV: ClipBounds(unchecked: 0, Analytics.Math.log(10_001))
            case .channelShare: ClipBounds(unchecked: 0, 1)
            }
        }

        /// The feature's value for customer `i`, in feature units (before clipping). O(1).
        @inlinable
        public func value(_ c: Customers, _ i: Int) -> Double {
            switch self {
            case .logRecency: Analytics.Math.log1p(Double(c.recencyDays[i]))
            case .logFrequency: Analytics.Math.log1p(Double(c.frequency[i]))
            case .logMonetary: Analytics.Math.log1p(Double(c.monetaryMinor[i]) / 100)
            case .tenureYears: Double(c.tenureDays[i]) / 365.25
            case .logAOV: Analytics.Math.log1p(c.aovMinor[i] / 100)
            case .channelShare: c.channelShare[i]
            }
        }

        /// A feature value converted to its natural unit (days, purchases, major units, years,
        /// share): the inverse of the log transforms. O(1).
        public func naturalValue(_ featureValue: Double) -> Double {
            switch self {
            case .logRecency, .logFrequency, .logMonetary, .logAOV: Analytics.Math.exp(featureValue) - 1
            case .tenureYears, .channelShare: featureValue
            }
        }

        /// Name of the natural unit.
        public var naturalUnit: String {
            switch self {
            case .logRecency: "days"
            case .logFrequency: "purchases"
            case .logMonetary, .logAOV: "major units"
            case .tenureYears: "years"
            case .channelShare: "share"
            }
        }
    }
}
