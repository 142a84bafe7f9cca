/// What a node declares about its partner data, as mapped imports need it: the reporting
/// currency and the custom customer attributes. `CohortNode` builds it from the `data:` section
/// of the node's config; the importer takes nothing else from the config.
public struct DataDeclarations: Sendable, Equatable {
    /// The ISO 4217 currency money is reported in; nil: the currency already in the store (or
    /// else the first one imported) plays that role.
    public var reportingCurrency: String?
    /// The declared custom customer attributes, by name.
    public var attributes: [String: CustomAttribute]

    /// Creates declarations (default: none).
    public init(reportingCurrency: String? = nil, attributes: [String: CustomAttribute] = [:]) {
        self.reportingCurrency = reportingCurrency
        self.attributes = attributes
    }
}
