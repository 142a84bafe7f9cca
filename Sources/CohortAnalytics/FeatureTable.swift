extension Analytics {
    /// Per-customer features as of a reference day, struct-of-arrays: row `i` of every column is
    /// customer `i` of the ``CustomerTable`` it was computed from. Built by ``Features/compute(customers:transactions:asOf:window:options:)``,
    /// which documents every definition.
    public struct FeatureTable: Sendable, Equatable {
        /// Reference ("as-of") day, days since 1970-01-01.
        public var asOfDay: Int32
        /// Window length in days; the window is days `asOfDay − windowDays + 1 … asOfDay`.
        public var windowDays: Int32
        /// Partner customer ids.
        public var ids: [String]
        /// Days from the last purchase on or before the as-of day to the as-of day; `windowDays + 1`
        /// for customers who never purchased.
        public var recencyDays: [Int32]
        /// Day of the last purchase on or before the as-of day, `nil` if none.
        public var lastPurchaseDay: [Int32?]
        /// Purchases (transactions with a positive amount) in the window.
        public var frequency: [Int32]
        /// Net spend in the window (refunds subtract), floored at 0, in cents.
        public var monetaryMinor: [Int64]
        /// Days since signup (0 if the signup day is after the as-of day).
        public var tenureDays: [Int32]
        /// Average order value `monetary / frequency` in cents (0 without purchases).
        public var aovMinor: [Double]
        /// Net spend (floored at 0, cents) in the earlier half of the window.
        public var earlierHalfSpendMinor: [Int64]
        /// Net spend (floored at 0, cents) in the recent half (last ⌊window/2⌋ days) of the window.
        public var recentHalfSpendMinor: [Int64]
        /// Historical CLV in cents: net spend over the whole history up to the as-of day, floored
        /// at 0 (see ``CLV``).
        public var clvMinor: [Int64]
        /// Channel the dependence share refers to (top channel or the named one); −1 if none.
        public var dependenceChannel: [Int32]
        /// Share of window purchases made in ``dependenceChannel`` (0 without purchases).
        public var channelShare: [Double]
        /// R score 1–5.
        public var recencyScore: [UInt8]
        /// F score 1–5.
        public var frequencyScore: [UInt8]
        /// M score 1–5.
        public var monetaryScore: [UInt8]
        /// Combined FM score ⌊(F + M + 1) / 2⌋.
        public var fmScore: [UInt8]
        /// ``RFMSegment`` code.
        public var segment: [UInt8]
        /// ``LifecycleStage`` code.
        public var lifecycleStage: [UInt8]
        /// ``ValueTier`` code.
        public var valueTier: [UInt8]
        /// ``ChannelBand`` code of ``channelShare``.
        public var channelBand: [UInt8]
        /// ``NPSClass`` code.
        public var npsClass: [UInt8]
        /// NPS answer 0–10, if any (copied from the customer table).
        public var nps: [Int8?]
        /// Churn flag, if known (copied from the customer table).
        public var churned: [Bool?]
        /// RFM cut points used for scoring (fixed ones, or the exact population quintiles for
        /// reference when scoring by rank).
        public var rfmCutPoints: RFM.CutPoints
        /// Whether scores come from population ranks (`true`) or from ``rfmCutPoints`` (`false`).
        public var rfmScoredByRank: Bool
        /// Value-tier cut points used.
        public var tierCutPoints: ValueTier.CutPoints
        /// Channel names by code (copied from the transaction table).
        public var channelNames: [String]

        /// Number of customers.
        public var count: Int { ids.count }
    }
}

extension Analytics.FeatureTable {
    /// A derived numeric column usable as a model feature.
    public enum Column: String, Sendable, Codable, CaseIterable {
        /// ln(1 + recency days).
        case logRecency = "log_recency"
        /// ln(1 + frequency).
        case logFrequency = "log_frequency"
        /// ln(1 + monetary in major units).
        case logMonetary = "log_monetary"
        /// Tenure in years (days / 365.25).
        case tenureYears = "tenure_years"
        /// ln(1 + AOV in major units).
        case logAOV = "log_aov"
        /// Share of purchases in the dependence channel, 0–1.
        case channelShare = "channel_share"
        /// Recency in days.
        case recencyDays = "recency_days"
        /// Purchases in the window.
        case frequency = "frequency"
        /// Monetary in major units (cents / 100).
        case monetary = "monetary"
        /// Tenure in days.
        case tenureDays = "tenure_days"
        /// AOV in major units (cents / 100).
        case aov = "aov"
    }

    /// The value of a derived column for customer `i`.
    @inlinable
    public func value(_ column: Column, at i: Int) -> Double {
        switch column {
        case .logRecency: (Double(max(recencyDays[i], 0)) + 1).logTransformed
        case .logFrequency: (Double(frequency[i]) + 1).logTransformed
        case .logMonetary: (Double(monetaryMinor[i]) / 100 + 1).logTransformed
        case .tenureYears: Double(tenureDays[i]) / 365.25
        case .logAOV: (aovMinor[i] / 100 + 1).logTransformed
        case .channelShare: channelShare[i]
        case .recencyDays: Double(recencyDays[i])
        case .frequency: Double(frequency[i])
        case .monetary: Double(monetaryMinor[i]) / 100
        case .tenureDays: Double(tenureDays[i])
        case .aov: aovMinor[i] / 100
        }
    }

    /// A `count × columns.count` matrix of derived columns (rows = customers, or only `rows` if
    /// given). O(rows × columns).
    public func matrix(_ columns: [Column], rows: [Int]? = nil) -> Analytics.Matrix {
        let selected = rows ?? Array(0..<count)
        var m = Analytics.Matrix(rows: selected.count, cols: columns.count)
        let cols = columns.count
        m.withUnsafeMutableElements { out in
            for (r, i) in selected.enumerated() {
                for (c, column) in columns.enumerated() { out[r * cols + c] = value(column, at: i) }
            }
        }
        return m
    }
}

extension Analytics.FeatureTable {
    /// Per-customer NPS contribution for a `mean` study: +100 promoter, 0 passive, −100
    /// detractor, `nil` unanswered — so the mean over a cell is that cell's NPS in points.
    public var npsContribution: [Double?] {
        npsClass.map { code in
            switch Analytics.NPSClass(rawValue: code) {
            case .promoter: 100
            case .passive: 0
            case .detractor: -100
            default: nil
            }
        }
    }

    /// Per-customer churn indicator for a `mean` study: 1 churned, 0 retained, `nil` unknown — so
    /// the mean over a cell is its churn rate.
    public var churnIndicator: [Double?] { churned.map { $0.map { $0 ? 1 : 0 } } }

    /// Per-customer historical CLV in cents as `Double`, optionally clamped to `0…upperBound`
    /// (a federated `mean` study bounds each customer's contribution).
    public func clvValues(clampedTo upperBound: Double? = nil) -> [Double?] {
        clvMinor.map { v in
            let x = Double(v)
            return upperBound.map { min(max(x, 0), $0) } ?? x
        }
    }
}

extension Double {
    /// Natural logarithm (`log` without importing Foundation in every file).
    @usableFromInline
    var logTransformed: Double { Analytics.Math.log(self) }
}
