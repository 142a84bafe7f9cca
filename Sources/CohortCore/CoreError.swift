/// An invalid value of one of the core concepts (a node name, a purpose, an address, a date).
public struct CoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of value was refused.
    public enum Code: String, Sendable, Hashable {
        /// A node or consortium name outside ``NodeName``'s rule.
        case invalidName
        /// A purpose that is not one of ``Purpose``'s cases.
        case unknownPurpose
        /// An address that is not `host:port`.
        case invalidAddress
        /// A date that is not `YYYY-MM-DD` or not a real day.
        case invalidDate
        /// A run mode that is not `production` or `simulation`.
        case unknownMode
    }

    /// The kind of problem.
    public let code: Code
    /// What was wrong, naming the value.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
