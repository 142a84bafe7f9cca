/// The error of the CohortScenario module: what went wrong, and where.
public struct ScenarioError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable {
        /// An argument or input value is out of range or malformed.
        case invalidArgument = "invalid-argument"
        /// A file or directory could not be created or written.
        case io = "io"
        /// A node process failed to start, crashed, or did not become ready.
        case nodeFailed = "node-failed"
        /// A study did not complete.
        case studyFailed = "study-failed"
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation naming the offending value and where it came from.
    public var message: String

    /// Creates an error with a code and an explanation.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
