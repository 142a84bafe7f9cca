/// A custom customer attribute declared in the node config (`data.attributes`), e.g. a telecom's
/// `contract` or `senior_citizen`. Imported with a customers mapping (``ImportMapping/attributes``),
/// stored in `customer_attributes`, exported by `cohort data features`.
///
/// Values are stored as canonical text: the category name, the integer in decimal, or
/// `true`/`false`.
public struct CustomAttribute: Sendable, Equatable, Codable {
    /// The attribute's type.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// One of a fixed list of values (`values:`).
        case category
        /// An integer within `[min, max]`.
        case integer
        /// `true` or `false` (also accepted on import: `1`/`0`, `yes`/`no`, any case).
        case boolean
    }

    /// `type:`.
    public var type: Kind
    /// `values:` — the categories, in order (category attributes only).
    public var values: [String]?
    /// `min:` — the smallest accepted integer (integer attributes only).
    public var min: Int64?
    /// `max:` — the largest accepted integer (integer attributes only).
    public var max: Int64?

    /// Creates a declaration.
    public init(type: Kind, values: [String]? = nil, min: Int64? = nil, max: Int64? = nil) {
        self.type = type
        self.values = values
        self.min = min
        self.max = max
    }

    /// Whether `name` is an acceptable attribute name: `[a-z][a-z0-9_]{0,39}`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...40).contains(bytes.count), bytes[0] >= 0x61, bytes[0] <= 0x7A else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// The problem with the declaration, or nil (used by the node config's validation).
    public func problem() -> String? {
        switch type {
        case .category:
            guard let values, !values.isEmpty else { return "a category attribute needs a non-empty 'values' list" }
            guard Set(values).count == values.count else { return "'values' lists a category twice" }
            guard values.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 100 }) else { return "categories must be 1–100 bytes" }
            guard min == nil, max == nil else { return "min/max are for integer attributes" }
        case .integer:
            guard let min, let max else { return "an integer attribute needs 'min' and 'max'" }
            guard min <= max else { return "min \(min) exceeds max \(max)" }
            guard values == nil else { return "values are for category attributes" }
        case .boolean:
            guard values == nil, min == nil, max == nil else { return "a boolean attribute takes no values, min or max" }
        }
        return nil
    }

    /// The canonical stored text of an imported value, or the reason it is refused. O(values).
    public func canonical(_ text: String) -> Result<String, StoreError> {
        func refuse(_ reason: String) -> Result<String, StoreError> { .failure(StoreError(.invalidRow, reason)) }
        switch type {
        case .category:
            if let values, values.contains(text) { return .success(text) }
            return refuse("'\(text)' is not one of the declared categories (\((values ?? []).joined(separator: ", ")))")
        case .integer:
            guard let value = Int64(text), value >= (min ?? .min), value <= (max ?? .max) else {
                return refuse("'\(text)' is not an integer in \(min ?? .min)–\(max ?? .max)")
            }
            return .success(String(value))
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes": return .success("true")
            case "false", "0", "no": return .success("false")
            default: return refuse("'\(text)' is not a boolean (true/false, 1/0, yes/no)")
            }
        }
    }
}
