import Testing
@testable import CohortLearning

@Suite struct EstimateAndSolverTests {
    @Test func ratioEstimateUsesTheDeltaMethod() throws {
        let e = try #require(Learning.Estimate.ratio(30, 100, numeratorSE: 3, denominatorSE: 4))
        #expect(e.value == 0.3)
        #expect(abs(e.standardError - (9 + 0.09 * 16).squareRoot() / 100) < 1e-15)
        #expect(Learning.Estimate.ratio(1, 0, numeratorSE: 1, denominatorSE: 1) == nil)
    }

    @Test func choleskySolverSolvesASymmetricPositiveDefiniteSystem() throws {
        let a: [Double] = [4, 1, 0, 1, 3, 1, 0, 1, 2]
        let x = try Learning.CholeskySolver.solve(a, [1, 2, 3])
        for i in 0..<3 {
            let row = (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * x[$1] }
            #expect(abs(row - [1.0, 2, 3][i]) < 1e-12)
        }
        #expect(throws: LearningError.self) { try Learning.CholeskySolver.solve([1, 2], [1, 2]) }
    }

    @Test func budgetSplitRefusesRoundsWithAHugeNoiseMultiplier() throws {
        let target = try Learning.PrivacyTarget(epsilon: 1, delta: 1e-6)
        let rho = try target.rho()
        #expect(try Learning.BudgetSplit.roundRho(totalRho: rho, share: 0.5, rounds: 4, part: "x", target: target) == rho / 8)
        // ρ = 0.0244 over 50 000 rounds: ρ_round ≈ 4.9e-7, noise multiplier > 1 000.
        #expect(throws: LearningError.self) {
            try Learning.BudgetSplit.roundRho(totalRho: rho, share: 1, rounds: 50_000, part: "x", target: target)
        }
    }
}
