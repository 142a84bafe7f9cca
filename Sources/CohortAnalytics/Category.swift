extension Analytics {
    /// A closed set of categories with dense `UInt8` codes `0..<allCases.count`, a display name and
    /// a stable machine slug. Feature tables store the codes; histograms count them; reports and
    /// federated studies translate codes ↔ names with ``names`` / ``init(slug:)``.
    public protocol Category: CaseIterable, Codable, Hashable, Sendable, RawRepresentable
    where RawValue == UInt8, AllCases == [Self] {
        /// Display name, e.g. `"Can't Lose Them"`.
        var name: String { get }
        /// Stable lowercase slug used in CSV/JSON, e.g. `"cant-lose-them"`.
        var slug: String { get }
    }
}

extension Analytics.Category {
    /// Dense code `0..<allCases.count`.
    public var code: UInt8 { rawValue }

    /// Number of categories (the bin count of a histogram over this category).
    public static var codeCount: Int { allCases.count }

    /// Display names indexed by code.
    public static var names: [String] { allCases.map(\.name) }

    /// Slugs indexed by code.
    public static var slugs: [String] { allCases.map(\.slug) }

    /// The category with the given slug or display name (case-insensitive), if any.
    public init?(slug text: String) {
        let lower = text.lowercased()
        guard let match = Self.allCases.first(where: { $0.slug == lower || $0.name.lowercased() == lower })
        else { return nil }
        self = match
    }
}
