import CohortAnalytics

extension Learning {
    /// A categorical consortium feature, one-hot encoded (one column per category, 1 for the
    /// customer's category and 0 elsewhere; a customer whose category is unknown or not listed has
    /// all zeros). Category lists are fixed in the spec, so columns mean the same on every node.
    public enum CategoricalFeature: Sendable, Hashable, Codable {
        /// Region, over the listed region names (compared exactly).
        case region([String])
        /// ``Analytics/ChannelBand`` (5 bands).
        case channelBand
        /// ``Analytics/NPSClass`` (promoter, passive, detractor, unanswered).
        case npsClass

        /// Default region names (those of the demo's synthetic partners).
        public static let defaultRegions = ["north", "south", "east", "west", "central"]

        /// Spec name: `region`, `channel_band` or `nps_class`.
        public var name: String {
            switch self {
            case .region: "region"
            case .channelBand: "channel_band"
            case .npsClass: "nps_class"
            }
        }

        /// Column names `<name>=<category>`.
        public var columnNames: [String] {
            switch self {
            case .region(let names): names.map { "region=\($0)" }
            case .channelBand: Analytics.ChannelBand.slugs.map { "channel_band=\($0)" }
            case .npsClass: Analytics.NPSClass.slugs.map { "nps_class=\($0)" }
            }
        }

        /// Number of one-hot columns. O(1) and allocation-free: it is read for every encoded row.
        @inlinable
        public var width: Int {
            switch self {
            case .region(let names): names.count
            case .channelBand: Self.channelBandWidth
            case .npsClass: Self.npsClassWidth
            }
        }

        /// Number of ``Analytics/ChannelBand`` categories.
        public static let channelBandWidth = Analytics.ChannelBand.codeCount
        /// Number of ``Analytics/NPSClass`` categories.
        public static let npsClassWidth = Analytics.NPSClass.codeCount

        /// The hot column of customer `i`, or `nil` for none. O(regions) for region, else O(1).
        @inlinable
        public func hotColumn(_ c: Customers, _ i: Int) -> Int? {
            switch self {
            case .region(let names): c.region[i].flatMap { names.firstIndex(of: $0) }
            case .channelBand: Int(c.channelBand[i])
            case .npsClass: Int(c.npsClass[i])
            }
        }
    }
}
