import Foundation

extension Study {
    /// A categorical dimension of a study key. Every dimension has a fixed, documented list of
    /// categories agreed up front by all participants; a customer's *category code* is the index
    /// of its category in that list.
    ///
    /// | dimension | codes (0, 1, …) |
    /// |---|---|
    /// | `rfm_segment` | champions, loyal, potential-loyalist, new, promising, need-attention, about-to-sleep, at-risk, cant-lose-them, hibernating, lost |
    /// | `lifecycle_stage` | new, growing, mature, declining, churned |
    /// | `value_tier` | high, mid, basic |
    /// | `channel_band` | 0-20, 20-40, 40-60, 60-80, 80-100 (percent of purchases in the customer's top channel) |
    /// | `nps_class` | promoter (9–10), passive (7–8), detractor (0–6), unanswered (no NPS answer) |
    /// | `region` | the spec's `regions` list in order, then `other` (unknown or unlisted region) |
    ///
    /// Codes and labels are the same as the `CohortAnalytics` categories' codes and slugs
    /// (`Analytics.RFMSegment`, `.LifecycleStage`, `.ValueTier`, `.ChannelBand`, `.NPSClass`).
    public enum Dimension: String, Sendable, Hashable, Codable, CaseIterable {
        /// The 11 classic RFM segments.
        case rfmSegment = "rfm_segment"
        /// Customer lifecycle stage (5 stages).
        case lifecycleStage = "lifecycle_stage"
        /// Value tier (3 tiers).
        case valueTier = "value_tier"
        /// Region: the spec's fixed list plus `other`.
        case region
        /// Channel-dependence band (5 bands of 20 percentage points).
        case channelBand = "channel_band"
        /// NPS class (3 classes plus `unanswered`).
        case npsClass = "nps_class"

        /// RFM segment labels in code order.
        public static let rfmSegments = [
            "champions", "loyal", "potential-loyalist", "new", "promising", "need-attention",
            "about-to-sleep", "at-risk", "cant-lose-them", "hibernating", "lost",
        ]
        /// Lifecycle stage labels in code order.
        public static let lifecycleStages = ["new", "growing", "mature", "declining", "churned"]
        /// Value tier labels in code order.
        public static let valueTiers = ["high", "mid", "basic"]
        /// Channel band labels in code order: percent of purchases, lower bound inclusive, upper
        /// exclusive except the last band, which includes 100 %.
        public static let channelBands = ["0-20", "20-40", "40-60", "60-80", "80-100"]
        /// NPS class labels in code order.
        public static let npsClasses = ["promoter", "passive", "detractor", "unanswered"]
        /// The label of the catch-all region category, always last.
        public static let otherRegion = "other"

        /// The category labels of this dimension, in code order. `regions` is the spec's region
        /// list (used only by ``region``).
        public func categories(regions: [String]) -> [String] {
            switch self {
            case .rfmSegment: return Self.rfmSegments
            case .lifecycleStage: return Self.lifecycleStages
            case .valueTier: return Self.valueTiers
            case .region: return regions + [Self.otherRegion]
            case .channelBand: return Self.channelBands
            case .npsClass: return Self.npsClasses
            }
        }

        /// Region code: index of `region` in `regions` (case-insensitive, surrounding spaces
        /// ignored), or the `other` code (`regions.count`) if unknown or unlisted. O(regions).
        public static func regionCode(_ region: String?, regions: [String]) -> UInt16 {
            guard let region else { return UInt16(regions.count) }
            let needle = region.trimmingCharacters(in: .whitespaces).lowercased()
            if let index = regions.firstIndex(where: { $0.lowercased() == needle }) {
                return UInt16(index)
            }
            return UInt16(regions.count)
        }
    }
}
