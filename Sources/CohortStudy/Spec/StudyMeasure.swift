extension Study {
    /// A per-customer value whose per-cell mean a `mean` study releases.
    ///
    /// Values are clamped to the spec's `[lower, upper]` before encoding. The natural domain is
    /// what the clamp bounds must lie within.
    ///
    /// Besides the built-in measures, `attribute:<name>` averages a custom customer attribute of
    /// type `integer` or `boolean` (1 = true) declared in every participant's `cohort.yaml`
    /// (`data.attributes`); customers without a value are excluded, and a participant lacking the
    /// attribute refuses the study at proposal.
    public struct Measure: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The name in a spec (`churn_rate`, `attribute:tenure_months`).
        public let rawValue: String

        /// A built-in measure or `attribute:<name>`; nil otherwise.
        public init?(rawValue: String) {
            guard Self.allCases.contains(where: { $0.rawValue == rawValue })
                    || Dimension.attribute(String(rawValue.dropFirst(Dimension.attributePrefix.count)))?.rawValue == rawValue
            else { return nil }
            self.rawValue = rawValue
        }

        private init(builtIn: String) { rawValue = builtIn }

        /// Churn flag: 1 = churned, 0 = active (the mean is the churn rate). Domain [0, 1].
        public static let churnRate = Measure(builtIn: "churn_rate")
        /// Net Promoter Score answer, 0–10 (customers who never answered are excluded). Domain [0, 10].
        public static let nps = Measure(builtIn: "nps")
        /// Historical customer lifetime value, in minor units of the reporting currency (cents).
        public static let clv = Measure(builtIn: "clv")
        /// Average order value, in minor units of the reporting currency (cents).
        public static let aov = Measure(builtIn: "aov")

        /// The built-in measures (custom attributes come on top).
        public static let allCases: [Measure] = [.churnRate, .nps, .clv, .aov]

        /// The attribute name of an `attribute:<name>` measure, nil for a built-in one.
        public var attributeName: String? {
            rawValue.hasPrefix(Dimension.attributePrefix) ? String(rawValue.dropFirst(Dimension.attributePrefix.count)) : nil
        }

        /// The closed interval the clamp bounds must lie in. Monetary measures allow ±10^12 cents;
        /// attribute measures ±10^12 (each participant's declared bounds apply to its values).
        public var domain: ClosedRange<Double> {
            switch self {
            case .churnRate: return 0...1
            case .nps: return 0...10
            default: return -1e12...1e12
            }
        }

        /// Unit of the measure, for reports. Money is in minor units of each node's reporting
        /// currency (config `data.reporting_currency`), which participants must share.
        /// Whether the measure is an amount of money (`clv`, `aov`): a study of it names its
        /// currency.
        public var isMoney: Bool { self == .clv || self == .aov }

        public var unit: String {
            switch self {
            case .churnRate: return "fraction"
            case .nps: return "points (0-10)"
            case .clv, .aov: return "cents (minor units of the reporting currency)"
            default: return "attribute value"
            }
        }

        /// The name.
        public var description: String { rawValue }
    }
}
