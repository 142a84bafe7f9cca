extension Learning {
    /// How a study's whole zCDP budget ρ is split across its rounds, and the rule that refuses a
    /// split that cannot work.
    ///
    /// zCDP composes additively, so rounds with shares `s₁ + … + s_m = 1` of ρ cost exactly ρ in
    /// all. A round whose share would need a noise multiplier σ/Δ₂ = 1/√(2ρ_round) above
    /// ``maximumNoiseMultiplier`` (ρ_round < 5 · 10⁻⁷) is refused: at that noise one customer's
    /// worth of signal is buried under a thousand, and the study could not produce anything
    /// useful — choose a larger ε or fewer rounds.
    public enum BudgetSplit {
        /// The largest accepted per-round noise multiplier σ/Δ₂.
        public static let maximumNoiseMultiplier = 1000.0

        /// ρ of one of `rounds` equal rounds sharing `share` of `totalRho`.
        /// - Throws: `budgetTooSmallForRounds` naming the study part, ε and rounds when the
        ///   round's noise multiplier would exceed ``maximumNoiseMultiplier``; `invalidParameter`
        ///   for a share outside (0, 1] or rounds < 1.
        public static func roundRho(totalRho: Double, share: Double, rounds: Int, part: String,
                                    target: PrivacyTarget) throws -> Double {
            guard share > 0, share <= 1 else {
                throw LearningError(.invalidParameter, "\(part): budget share \(share) must be in (0, 1]")
            }
            guard rounds >= 1 else {
                throw LearningError(.invalidRounds, "\(part): rounds \(rounds) must be ≥ 1")
            }
            let rho = totalRho * share / Double(rounds)
            let multiplier = 1 / (2 * rho).squareRoot()
            guard rho.isFinite, rho > 0, multiplier <= maximumNoiseMultiplier else {
                throw LearningError(
                    .budgetTooSmallForRounds,
                    "ε = \(target.epsilon) (δ = \(target.delta), ρ = \(totalRho)) cannot be split into \(rounds) round(s) of \(part): each would get ρ = \(rho), a noise multiplier σ/Δ of \(multiplier) > \(maximumNoiseMultiplier); raise ε or use fewer rounds")
            }
            return rho
        }
    }
}
