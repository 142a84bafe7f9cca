/// The one error type of `CohortPrivacy`: a machine-readable ``Code`` plus a message that names the
/// offending parameter and its value.
public struct PrivacyError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of bad input or refusal this is.
    public enum Code: String, Sendable, Hashable, Codable {
        /// A parameter is outside its domain (σ ≤ 0, ε ≤ 0, δ ∉ (0,1), q ∉ (0,1], n ≤ t, …).
        case invalidParameter
        /// A parameter is NaN or infinite.
        case nonFiniteParameter
        /// The exact integer representation of a parameter or intermediate would overflow.
        case overflow
        /// A text value could not be parsed (e.g. a rational like `5/2` or `2.5`).
        case unparsable
        /// A vector's norm exceeds the stated bound and the policy is to reject rather than clip.
        case normExceedsBound
        /// Vectors have mismatched dimensions.
        case dimensionMismatch
        /// A seeded (reproducible) randomness source was offered to a production node.
        case seededRandomnessInProduction
        /// Rényi curves on different order grids cannot be composed.
        case incompatibleOrders
        /// Conditional randomized rounding did not meet the norm bound within its attempt limit.
        case roundingFailed
        /// A serialized cost could not be decoded.
        case invalidEncoding
    }

    /// Machine-readable kind.
    public var code: Code
    /// Human-readable explanation naming what was wrong and where.
    public var message: String

    /// Creates an error with a code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}

extension PrivacyError {
    /// Throws `nonFiniteParameter` when `value` is NaN or ±∞.
    static func requireFinite(_ value: Double, _ name: String) throws {
        guard value.isFinite else {
            throw PrivacyError(.nonFiniteParameter, "\(name) must be a finite number, got \(value)")
        }
    }

    /// Throws unless `value` is finite and > 0.
    static func requirePositive(_ value: Double, _ name: String) throws {
        try requireFinite(value, name)
        guard value > 0 else {
            throw PrivacyError(.invalidParameter, "\(name) must be > 0, got \(value)")
        }
    }

    /// Throws unless `delta` ∈ (0, 1).
    static func requireDelta(_ delta: Double, _ name: String = "delta") throws {
        try requireFinite(delta, name)
        guard delta > 0, delta < 1 else {
            throw PrivacyError(.invalidParameter, "\(name) must be in (0, 1), got \(delta)")
        }
    }
}
