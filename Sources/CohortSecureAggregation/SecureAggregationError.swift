/// The one error type of `CohortSecureAggregation`: a machine-readable ``Code`` plus a message
/// that names what was wrong and where.
public struct SecureAggregationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of bad input or failure this is.
    public enum Code: String, Sendable, Hashable, Codable {
        /// Fewer than 3 parties: with 2 parties the lead learns the other party's input from the
        /// sum and its own input, so masking hides nothing.
        case tooFewParties
        /// The threshold t is outside its safe range ⌊n/2⌋ < t ≤ n (includes t > n: fewer
        /// parties than the threshold).
        case thresholdOutOfRange
        /// The encoded sum of n inputs bounded by the configured bound could wrap mod 2⁶⁴.
        case sumCanWrap
        /// Another configuration or call parameter is invalid (empty name, length 0, …).
        case invalidParameter
        /// A party's input does not fit the configuration (length, bound).
        case invalidInput
        /// A seed or key does not have 32 bytes.
        case invalidSeed
        /// A Shamir share is malformed (value count, value ≥ p, index out of range).
        case invalidShare
        /// Fewer than t shares were offered for reconstruction.
        case tooFewShares
        /// Two shares with the same index were offered for reconstruction.
        case duplicateShareIndex
        /// The shares do not interpolate to a valid 32-byte secret.
        case inconsistentShares
        /// A cryptographic primitive failed (key agreement, key derivation, AEAD, PRG, signing).
        case cryptoFailure
        /// Fewer than t parties remained at a stage: the sum cannot be unmasked, nothing is released.
        case tooFewSurvivors
        /// A noise plan was asked for that the accountant refuses (local share σ²/(n − t) < 1/4,
        /// tolerated dropouts outside 1 ≤ t < n, …).
        case invalidNoisePlan
        /// The unmasked sum decodes outside the range the configured bound allows.
        case sumOutOfBound
    }

    /// Machine-readable kind.
    public var code: Code
    /// Human-readable explanation naming what was wrong and where.
    public var message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
