/// The single error type of `CohortLearning`: a bad plan, a bad payload or aggregate, or bad
/// customer data, with a code and a message naming what was wrong and where.
public struct LearningError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem occurred.
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// `k` is below 2 (or above the supported maximum).
        case invalidK = "invalid-k"
        /// The number of rounds is zero, negative or above the supported maximum.
        case invalidRounds = "invalid-rounds"
        /// The L2 clip norm C is not a finite number > 0.
        case invalidClipNorm = "invalid-clip-norm"
        /// A feature name is not one of the documented consortium features.
        case unknownFeature = "unknown-feature"
        /// A clip bound pair is not finite with lower < upper.
        case invalidBounds = "invalid-bounds"
        /// ε is not finite and > 0, or δ is not in (0, 1).
        case invalidPrivacyParameter = "invalid-privacy-parameter"
        /// The study's budget cannot be split into its rounds (a round's share of ρ would need a
        /// noise multiplier above the supported maximum).
        case budgetTooSmallForRounds = "budget-too-small-for-rounds"
        /// Another plan parameter (learning rate, λ, holdout share, sampling rate, bins, …) is
        /// outside its documented range.
        case invalidParameter = "invalid-parameter"
        /// A payload does not belong to this plan's current round, or is malformed.
        case invalidPayload = "invalid-payload"
        /// An aggregate vector has the wrong length for its round.
        case dimensionMismatch = "dimension-mismatch"
        /// The customer data is inconsistent (column lengths differ, a value is invalid).
        case invalidCustomers = "invalid-customers"
        /// Not enough (noised) data to compute the requested result.
        case insufficientData = "insufficient-data"
        /// An integer sum would leave the 64-bit range.
        case overflow = "overflow"
    }

    /// The kind of problem.
    public var code: Code
    /// Human-readable explanation naming the offending parameter or input.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
