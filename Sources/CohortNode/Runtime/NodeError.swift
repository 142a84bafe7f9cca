/// The error type of the node runtime: what went wrong while serving, leading or contributing.
public struct NodeError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The node configuration or directory is unusable.
        case invalidConfiguration
        /// A study id is not known to this node, or not in the state the request needs.
        case unknownStudy
        /// A contribution was refused (study not accepted, deadline passed, wrong lead).
        case contributionRefused
        /// A contribution could not be produced (budget refused, data unreadable).
        case contributionFailed
        /// A peer sent something malformed or inconsistent.
        case invalidMessage
        /// A peer could not be reached or answered with an error.
        case peerUnavailable
        /// The admin socket could not be reached.
        case adminUnavailable
        /// The privacy budget would be exceeded.
        case budgetExceeded
        /// The node refuses the request in the study's current state (e.g. approving a study
        /// that expired or was already decided).
        case refused
        /// The audit log refused an append, so the action it records did not happen (the node
        /// does not start serving, or reports that its stop is not on record).
        case auditFailed
    }

    /// The failure kind.
    public var code: Code
    /// A human-readable message naming what and where.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
