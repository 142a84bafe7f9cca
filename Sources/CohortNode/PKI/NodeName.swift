/// A node identity: the node name within a consortium, carried in certificates as the SAN URI
/// `cohort://<consortium>/<node>`.
extension PKI {
    /// A validated `(consortium, node)` pair.
    public struct NodeName: Sendable, Hashable, CustomStringConvertible {
        /// The consortium name (e.g. `demo`).
        public let consortium: String
        /// The node name (e.g. `alpha`).
        public let node: String

        /// Creates a node identity, validating both names with ``PKI/NodeName/validate(_:what:)``.
        public init(consortium: String, node: String) throws {
            try Self.validate(consortium, what: "consortium name")
            try Self.validate(node, what: "node name")
            self.consortium = consortium
            self.node = node
        }

        /// Parses `cohort://<consortium>/<node>`; returns nil for anything else.
        public init?(uri: String) {
            let prefix = "\(PKI.identityScheme)://"
            guard uri.hasPrefix(prefix) else { return nil }
            let rest = uri.dropFirst(prefix.count)
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2,
                  let value = try? NodeName(consortium: String(parts[0]), node: String(parts[1]))
            else { return nil }
            self = value
        }

        /// The SAN URI, `cohort://<consortium>/<node>`.
        public var uri: String { "\(PKI.identityScheme)://\(consortium)/\(node)" }

        /// Same as ``uri``.
        public var description: String { uri }

        /// Checks that `name` is 1–63 characters of lowercase ASCII letters, digits, `-` or `_`,
        /// starting with a letter or digit. Throws ``NetworkError/Code/invalidName`` otherwise.
        public static func validate(_ name: String, what: String) throws {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count <= 63 else {
                throw NetworkError(.invalidName, "\(what) '\(name)' must be 1 to 63 characters long")
            }
            func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
            guard isAlnum(bytes[0]) else {
                throw NetworkError(.invalidName, "\(what) '\(name)' must start with a lowercase letter or digit")
            }
            for b in bytes where !(isAlnum(b) || b == 0x2D || b == 0x5F) {
                throw NetworkError(
                    .invalidName,
                    "\(what) '\(name)' may only contain lowercase letters, digits, '-' and '_'"
                )
            }
        }
    }
}
