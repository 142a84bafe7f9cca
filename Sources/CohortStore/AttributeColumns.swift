import Foundation
/// The custom-attribute columns appended to the feature export (`cohort data features`): one
/// column per declared attribute (config `data.attributes`), in name order, after the standard
/// columns; an empty cell when the customer has no value. RFC 4180 quoting.
public enum AttributeColumns {
    /// `,name1,name2…` for the header line (empty when no attribute is declared). O(names).
    public static func header(_ names: [String]) -> String {
        names.map { "," + quoted($0) }.joined()
    }

    /// `,value1,value2…` for one customer's line. O(names).
    public static func row(_ names: [String], _ values: [String: String]?) -> String {
        names.map { "," + quoted(values?[$0] ?? "") }.joined()
    }

    /// The value, quoted when it holds a comma, quote or line break.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
