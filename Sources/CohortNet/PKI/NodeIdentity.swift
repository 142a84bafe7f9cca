import CohortCore

import CohortCore
/// A node identity: the node name within a consortium, carried in certificates as the SAN URI
/// `cohort://<consortium>/<node>`.
extension PKI {
    /// A validated `(consortium, node)` pair.
    public struct NodeIdentity: Sendable, Hashable, CustomStringConvertible {
        /// The consortium name (e.g. `demo`).
        public let consortium: String
        /// The node name (e.g. `alpha`).
        public let node: String

        /// Creates a node identity, validating both names with ``PKI/NodeIdentity/validate(_:what:)``.
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
                  let value = try? NodeIdentity(consortium: String(parts[0]), node: String(parts[1]))
            else { return nil }
            self = value
        }

        /// The SAN URI, `cohort://<consortium>/<node>`.
        public var uri: String { "\(PKI.identityScheme)://\(consortium)/\(node)" }

        /// Same as ``uri``.
        public var description: String { uri }

        /// Checks `name` against ``CohortCore.NodeName``'s rule (the one rule of node and
        /// consortium names). Throws ``NetworkError/Code/invalidName`` otherwise.
        public static func validate(_ name: String, what: String) throws {
            do {
                try CohortCore.NodeName.validate(name, what: what)
            } catch let error as CoreError {
                throw NetworkError(.invalidName, error.message)
            }
        }
    }
}
