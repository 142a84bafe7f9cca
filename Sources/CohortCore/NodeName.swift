/// The name of a node or of a consortium: one rule for the node's config, its certificates and
/// the study specs that name it.
///
/// A name is 1–63 characters of lowercase ASCII letters, digits and `-`, starting with a letter
/// or digit (a DNS label without upper case), so that it can stand in a host name, a SAN URI
/// `cohort://<consortium>/<node>` and a file name unchanged.
public struct NodeName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The validated name.
    public let value: String

    /// Validates `value`.
    /// - Parameter what: how the value is named in the error, e.g. `node name` or `participants[2]`.
    /// - Throws: ``CoreError/Code/invalidName`` saying which rule it breaks.
    public init(_ value: String, what: String = "node name") throws {
        try Self.validate(value, what: what)
        self.value = value
    }

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        (try? validate(name, what: "name")) != nil
    }

    /// Checks `name` against the rule. O(n) in the name's length.
    /// - Throws: ``CoreError/Code/invalidName`` naming `what` and the broken rule.
    public static func validate(_ name: String, what: String) throws {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else {
            throw CoreError(.invalidName, "\(what) '\(name)' must be 1 to 63 characters long")
        }
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard isAlnum(bytes[0]) else {
            throw CoreError(.invalidName, "\(what) '\(name)' must start with a lowercase letter or digit")
        }
        for b in bytes where !(isAlnum(b) || b == 0x2D) {
            throw CoreError(.invalidName, "\(what) '\(name)' may only contain lowercase letters, digits and '-'")
        }
    }

    /// The name.
    public var description: String { value }

    /// Lexicographic order of the names.
    public static func < (lhs: NodeName, rhs: NodeName) -> Bool { lhs.value < rhs.value }

    /// Decodes a string and validates it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch let error as CoreError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the name as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
