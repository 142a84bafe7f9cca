/// The single error type of `CohortAnalytics`: bad input to a pure computation, with a code and a
/// message naming what was wrong and where (row, column, parameter).
public struct AnalyticsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem occurred.
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// A parameter is outside its allowed range (e.g. `k < 1`, a negative window).
        case invalidParameter = "invalid-parameter"
        /// Array or matrix dimensions disagree (e.g. labels vs rows, centroid width vs features).
        case dimensionMismatch = "dimension-mismatch"
        /// A customer or transaction value is invalid (e.g. an NPS answer of 12).
        case invalidValue = "invalid-value"
        /// Transactions are not sorted by customer row, or reference a customer that does not exist.
        case unsortedTransactions = "unsorted-transactions"
        /// There is not enough data to compute the requested quantity (e.g. AUC with one class).
        case insufficientData = "insufficient-data"
        /// Cut points are not ascending.
        case invalidCutPoints = "invalid-cut-points"
        /// A sum (e.g. a customer's spend in cents) would leave the 64-bit integer range.
        case overflow = "overflow"
    }

    /// The kind of problem.
    public var code: Code
    /// Human-readable explanation naming the offending input and position.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
