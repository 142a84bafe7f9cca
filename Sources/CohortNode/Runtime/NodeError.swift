/// The error type of the node: what went wrong in its home and config (`cohort.yaml`, `node
/// init`) or while serving, leading or contributing.
public struct NodeError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The node configuration or directory is unusable (a bad `cohort.yaml` names the file
        /// and the key).
        case invalidConfiguration
        /// An argument is invalid (e.g. `node init --name` that is not a node name).
        case invalidArgument
        /// `node init` was pointed at a directory that already holds files.
        case directoryNotEmpty
        /// A file or directory of the node home could not be created, read or written.
        case io
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
    /// A human-readable message naming what (the location, if any, is ``file``).
    public var message: String
    /// The file concerned (e.g. the `cohort.yaml` path), if any.
    public var file: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
    }

    /// `file: message`, or the message alone when no file is concerned.
    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
