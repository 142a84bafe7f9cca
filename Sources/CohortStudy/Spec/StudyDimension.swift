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
    /// | `attribute:<name>` | the spec's `attribute_values[<name>]` list in order, then `other` (no value, or a value not listed) |
    ///
    /// Codes and labels are the same as the `CohortAnalytics` categories' codes and slugs
    /// (`Analytics.RFMSegment`, `.LifecycleStage`, `.ValueTier`, `.ChannelBand`, `.NPSClass`).
    ///
    /// `attribute:<name>` dimensions use a custom customer attribute of type `category`
    /// declared in every participant's `cohort.yaml` (`data.attributes`); a participant lacking
    /// it refuses the study at proposal.
    public struct Dimension: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The name in a spec (`rfm_segment`, `attribute:contract`).
        public let rawValue: String

        /// A built-in dimension or `attribute:<name>` (name: a lowercase letter, then lowercase
        /// letters, digits or `_`, at most 40); nil otherwise.
        public init?(rawValue: String) {
            guard Self.allCases.contains(where: { $0.rawValue == rawValue }) || Self.attributeName(of: rawValue) != nil else {
                return nil
            }
            self.rawValue = rawValue
        }

        private init(builtIn: String) { rawValue = builtIn }

        /// The 11 classic RFM segments.
        public static let rfmSegment = Dimension(builtIn: "rfm_segment")
        /// Customer lifecycle stage (5 stages).
        public static let lifecycleStage = Dimension(builtIn: "lifecycle_stage")
        /// Value tier (3 tiers).
        public static let valueTier = Dimension(builtIn: "value_tier")
        /// Region: the spec's fixed list plus `other`.
        public static let region = Dimension(builtIn: "region")
        /// Channel-dependence band (5 bands of 20 percentage points).
        public static let channelBand = Dimension(builtIn: "channel_band")
        /// NPS class (3 classes plus `unanswered`).
        public static let npsClass = Dimension(builtIn: "nps_class")

        /// The built-in dimensions (custom attributes come on top).
        public static let allCases: [Dimension] = [.rfmSegment, .lifecycleStage, .valueTier, .region, .channelBand, .npsClass]

        /// The prefix of custom-attribute dimensions.
        public static let attributePrefix = "attribute:"

        /// The dimension of custom attribute `name`, or nil if the name is not valid.
        public static func attribute(_ name: String) -> Dimension? {
            Dimension(rawValue: attributePrefix + name)
        }

        /// The attribute name of an `attribute:<name>` dimension, nil for a built-in one.
        public var attributeName: String? { Self.attributeName(of: rawValue) }

        private static func attributeName(of text: String) -> String? {
            guard text.hasPrefix(attributePrefix) else { return nil }
            let name = String(text.dropFirst(attributePrefix.count))
            let bytes = Array(name.utf8)
            guard (1...40).contains(bytes.count), bytes[0] >= 0x61, bytes[0] <= 0x7A,
                  bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else { return nil }
            return name
        }

        /// The name.
        public var description: String { rawValue }

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
        /// list (used only by ``region``), `attributeValues` its `attribute_values` (used only
        /// by attribute dimensions, whose last category is `other`).
        public func categories(regions: [String], attributeValues: [String: [String]] = [:]) -> [String] {
            if let name = attributeName { return (attributeValues[name] ?? []) + [Self.otherRegion] }
            switch self {
            case .rfmSegment: return Self.rfmSegments
            case .lifecycleStage: return Self.lifecycleStages
            case .valueTier: return Self.valueTiers
            case .region: return regions + [Self.otherRegion]
            case .channelBand: return Self.channelBands
            default: return Self.npsClasses
            }
        }

        /// Attribute code: index of `value` in `values` (exact match), or the `other` code
        /// (`values.count`) if missing or unlisted. O(values).
        public static func attributeCode(_ value: String?, values: [String]) -> UInt16 {
            guard let value, let index = values.firstIndex(of: value) else { return UInt16(values.count) }
            return UInt16(index)
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
