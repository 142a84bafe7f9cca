/// The one error type of `CohortAudit`: what went wrong (`code`) and where (`message`).
public struct AuditError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The category of failure.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The audit database cannot be opened or read (corrupt, not SQLite, missing tables).
        case corruptDatabase
        /// A file that must exist does not, or cannot be read or written.
        case fileAccess
        /// Another process holds the log open for writing.
        case logLocked
        /// The audit file belongs to a different node or origin than expected.
        case wrongNode
        /// An entry is not valid canonical JSON or violates the entry schema.
        case malformedEntry
        /// An event passed to `record` violates the entry schema (e.g. subject not a pseudonym).
        case invalidEvent
        /// A key, verifier string or key file is malformed.
        case malformedKey
        /// A signed note or checkpoint is malformed.
        case malformedNote
        /// A signature does not verify, or no signature by the expected key is present.
        case badSignature
        /// A proof was requested or given for indices or sizes outside the tree.
        case outOfRange
        /// A proof does not verify.
        case proofMismatch
        /// A proof file is malformed.
        case malformedProof
        /// The log has been closed.
        case closed
        /// The node store (node.sqlite) cannot be read or does not know the customer.
        case unknownSubject
        /// The log holds entries its writer did not write (size or root differ from the writer's
        /// own attested tree): the writer refuses to sign and stops writing.
        case alert
        /// A key rotation was refused (e.g. the verifier file would be overwritten).
        case keyRotation
    }

    /// The category of failure.
    public var code: Code
    /// Human-readable explanation naming what and where.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
