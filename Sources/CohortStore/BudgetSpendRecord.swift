public import Foundation

/// One row of `budget_spends`: privacy budget charged to a purpose by a study.
public struct BudgetSpendRecord: Sendable, Equatable, Codable {
    /// `budget_spends.id`; nil before it is stored.
    public var id: Int64?
    /// The purpose charged (`segmentation`, `benchmarking`, `model-training`).
    public var purpose: String
    /// The study identifier.
    public var study: String
    /// ε charged (after conversion from ρ where applicable).
    public var epsilon: Double
    /// δ charged.
    public var delta: Double
    /// ρ (zCDP) charged, if the mechanism is accounted in zCDP.
    public var rho: Double?
    /// The mechanism (e.g. `discrete-gaussian`).
    public var mechanism: String
    /// The full cost description as JSON (accountant-specific).
    public var costJSON: String
    /// When the spend was recorded (whole seconds, UTC).
    public var at: Date

    /// Creates a record.
    public init(
        id: Int64? = nil, purpose: String, study: String, epsilon: Double, delta: Double, rho: Double? = nil,
        mechanism: String, costJSON: String = "{}", at: Date
    ) {
        self.id = id
        self.purpose = purpose
        self.study = study
        self.epsilon = epsilon
        self.delta = delta
        self.rho = rho
        self.mechanism = mechanism
        self.costJSON = costJSON
        self.at = at
    }
}
