/// The error type of Cohort's PKI and peer-transport code.
///
/// Expected verification outcomes (a refused peer, a revoked certificate) are not errors: they are
/// reported as ``PKI/PeerVerification`` values and ``PeerRefusal`` events. This type is for bad
/// input (unreadable files, malformed PEM, invalid names) and failed operations.
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in a form code can switch over.
    public enum Code: String, Sendable, Hashable {
        /// A node or consortium name is not a valid identifier.
        case invalidName = "invalid-name"
        /// A file could not be read.
        case fileUnreadable = "file-unreadable"
        /// A file could not be written (or its permissions set).
        case fileUnwritable = "file-unwritable"
        /// A file exists and would be overwritten.
        case fileExists = "file-exists"
        /// PEM, DER or key material could not be parsed.
        case malformedMaterial = "malformed-material"
        /// A certificate does not carry a `cohort://` identity or carries several.
        case missingIdentity = "missing-identity"
        /// A certificate could not be created or signed.
        case issuanceFailed = "issuance-failed"
        /// An invalid argument (address, validity, size limit, …) was given.
        case invalidArgument = "invalid-argument"
        /// The TLS configuration could not be built from the given material.
        case tlsConfiguration = "tls-configuration"
        /// The server could not bind or serve.
        case serverFailure = "server-failure"
        /// A peer named in a call is not known / not reachable.
        case unknownPeer = "unknown-peer"
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable detail naming what and where (file path, field, value).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
