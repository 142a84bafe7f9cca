/// The single error type of the study area.
///
/// `key` names the offending spec key as a dotted path (e.g. `privacy.epsilon`) or the input
/// being checked (e.g. `codes[1][17]`), so that messages always say what and where.
public struct StudyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable, Codable {
        /// The spec document is not valid YAML/JSON or not a mapping.
        case malformedSpec
        /// A required spec key is absent.
        case missingKey
        /// A spec key is not known (typo or unsupported option).
        case unknownKey
        /// A spec key has a value of the wrong type or outside its allowed range.
        case invalidValue
        /// Local input data (category codes, measure values) does not match the spec.
        case invalidInput
        /// A privacy or noise parameter is out of range, or the noise source misbehaved.
        case invalidNoise
        /// A contribution message does not match the study (length, round, cost).
        case invalidContribution
        /// A machine was created or driven with an inconsistent configuration.
        case invalidConfiguration
        /// A result could not be encoded or decoded.
        case encoding
    }

    /// What kind of failure this is.
    public var code: Code
    /// The spec key (dotted path) or input location concerned, if any.
    public var key: String?
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, key: String? = nil, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    /// `"<code> at '<key>': <message>"`.
    public var description: String {
        if let key { return "\(code.rawValue) at '\(key)': \(message)" }
        return "\(code.rawValue): \(message)"
    }
}
