extension Analytics {
    /// Lifecycle stage of a customer as of the reference day, from tenure, recency and the trend
    /// of net spend between the two halves of the window.
    ///
    /// Rules, first match wins (defaults in ``Rules``):
    /// 1. **new** — tenure < `newTenureDays` (90);
    /// 2. **churned** — recency > `churnRecencyDays` (180), which includes customers who never
    ///    purchased (their recency is at least window + 1);
    /// 3. **declining** — no net spend in either half of the window;
    /// 4. **growing** — recent-half spend > (1 + `trendTolerance`) × earlier-half spend
    ///    (tolerance 0.2; any recent spend after an earlier half with none is growing);
    /// 5. **declining** — recent-half spend < (1 − `trendTolerance`) × earlier-half spend;
    /// 6. **mature** — otherwise (spend stable within ±20 %).
    ///
    /// The recent half is the last ⌊window / 2⌋ days up to and including the as-of day; the
    /// earlier half is the rest of the window. Spend per half is net (refunds subtract), floored at 0.
    public enum LifecycleStage: UInt8, Category {
        /// Recently signed up.
        case new = 0
        /// Spending more in the recent half of the window.
        case growing = 1
        /// Spending steadily.
        case mature = 2
        /// Spending less in the recent half of the window.
        case declining = 3
        /// No purchase for longer than the churn threshold.
        case churned = 4

        /// Display name.
        public var name: String {
            switch self {
            case .new: "New"
            case .growing: "Growing"
            case .mature: "Mature"
            case .declining: "Declining"
            case .churned: "Churned"
            }
        }

        /// Stable slug.
        public var slug: String {
            switch self {
            case .new: "new"
            case .growing: "growing"
            case .mature: "mature"
            case .declining: "declining"
            case .churned: "churned"
            }
        }

        /// Thresholds of the stage rules.
        public struct Rules: Sendable, Equatable, Codable {
            /// Customers with tenure below this many days are new.
            public var newTenureDays: Int32
            /// Customers whose recency exceeds this many days are churned.
            public var churnRecencyDays: Int32
            /// Relative change of half-window spend that counts as a trend (0.2 = ±20 %).
            public var trendTolerance: Double

            /// Creates rules; throws on negative thresholds or a tolerance outside [0, 1).
            public init(newTenureDays: Int32 = 90, churnRecencyDays: Int32 = 180, trendTolerance: Double = 0.2) throws {
                guard newTenureDays >= 0, churnRecencyDays >= 0 else {
                    throw AnalyticsError(.invalidParameter, "LifecycleStage.Rules: day thresholds must be ≥ 0")
                }
                guard trendTolerance >= 0, trendTolerance < 1 else {
                    throw AnalyticsError(.invalidParameter, "LifecycleStage.Rules: trendTolerance \(trendTolerance) must be in [0, 1)")
                }
                self.newTenureDays = newTenureDays
                self.churnRecencyDays = churnRecencyDays
                self.trendTolerance = trendTolerance
            }

            /// The defaults: 90 days, 180 days, 20 %.
            public static let standard = Rules(unchecked: 90, 180, 0.2)

            init(unchecked newTenure: Int32, _ churnRecency: Int32, _ tolerance: Double) {
                newTenureDays = newTenure
                churnRecencyDays = churnRecency
                trendTolerance = tolerance
            }
        }

        /// Classifies one customer. `tenureDays` and `recencyDays` in days, spends in cents.
        @inlinable
        public init(tenureDays: Int32, recencyDays: Int32, earlierHalfSpend: Int64, recentHalfSpend: Int64,
                    rules: Rules = .standard) {
            if tenureDays < rules.newTenureDays {
                self = .new
            } else if recencyDays > rules.churnRecencyDays {
                self = .churned
            } else if earlierHalfSpend <= 0 && recentHalfSpend <= 0 {
                self = .declining
            } else if Double(recentHalfSpend) > (1 + rules.trendTolerance) * Double(earlierHalfSpend) {
                self = .growing
            } else if Double(recentHalfSpend) < (1 - rules.trendTolerance) * Double(earlierHalfSpend) {
                self = .declining
            } else {
                self = .mature
            }
        }
    }
}
