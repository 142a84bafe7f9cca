extension Audit.Event {
    /// `budget.spent`: round `round` of study `study` charged (ε, δ, ρ) to `purpose` with
    /// `mechanism`, as ledger row `ledgerID`; `rho` nil (written `none`) for a spend accounted
    /// in RDP. Actor `study:<study>`.
    public static func budgetSpent(
        study: String, purpose: String, epsilon: Double, delta: Double, rho: Double?, mechanism: String,
        ledgerID: Int64, round: Int
    ) -> Audit.Event {
        Audit.Event(type: .budgetSpent, actor: "study:\(study)", purpose: purpose, study: study, details: [
            "epsilon": .string(String(epsilon)), "delta": .string(String(delta)), "rho": .string(rho.map { String($0) } ?? "none"),
            "mechanism": .string(mechanism), "ledger_id": .integer(ledgerID), "round": .integer(Int64(round)),
        ])
    }

    /// `budget.refunded`: ledger row `ledgerID` (round `round` of study `study`) was given back
    /// because its contribution failed before leaving the node (`reason`). Actor `study:<study>`.
    public static func budgetRefunded(
        study: String, purpose: String, ledgerID: Int64, round: Int, reason: String
    ) -> Audit.Event {
        Audit.Event(type: .budgetRefunded, actor: "study:\(study)", purpose: purpose, study: study, details: [
            "ledger_id": .integer(ledgerID), "round": .integer(Int64(round)), "reason": .string(reason),
        ])
    }
}
