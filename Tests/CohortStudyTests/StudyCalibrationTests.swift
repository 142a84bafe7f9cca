import CohortTestSupport
import CohortStudy
import Foundation
import Testing

@Suite("Study noise calibration")
struct StudyCalibrationTests {
    /// Known answers from the reference `cdp_rho` (Canonne–Kamath–Steinke 2020 code, 1000
    /// bisection steps, Python floats). Tolerance: 1e-6 relative.
    static let knownRho: [(Double, Double, Double)] = [
        (1.0, 1e-6, 0.024355970359538372),
        (0.5, 1e-6, 0.006641524356660502),
        (2.0, 1e-5, 0.10825636382305726),
        (0.1, 1e-9, 0.00017713844718502086),
        (4.0, 1e-6, 0.3110649549408351),
    ]

    @Test(arguments: knownRho)
    func rhoMatchesReference(_ row: (Double, Double, Double)) throws {
        let (epsilon, delta, expected) = row
        let rho = try Study.Calibration.rho(epsilon: epsilon, delta: delta)
        #expect(abs(rho - expected) / expected < 1e-6, "ε=\(epsilon) δ=\(delta): \(rho) vs \(expected)")
        // Tighter than the classic bound ε = ρ + 2√(ρ ln 1/δ), whose inverse is smaller.
        let l = log(1 / delta)
        let classic = ((l + epsilon).squareRoot() - l.squareRoot()) * ((l + epsilon).squareRoot() - l.squareRoot())
        #expect(rho > classic)
        // Round trip: converting back gives ε at δ.
        #expect(abs(Study.Calibration.epsilon(rho: rho, delta: delta) - epsilon) / epsilon < 1e-6)
    }

    @Test func invalidParametersThrow() {
        #expect(throws: StudyError.self) { try Study.Calibration.rho(epsilon: 0, delta: 1e-6) }
        #expect(throws: StudyError.self) { try Study.Calibration.rho(epsilon: 1, delta: 0) }
        #expect(throws: StudyError.self) { try Study.Calibration.rho(epsilon: .nan, delta: 1e-6) }
        #expect(throws: StudyError.self) { try Study.Calibration.rho(epsilon: 1, delta: 1) }
    }

    @Test func planUsesSensitivity() throws {
        let histogram = try StudyFixtures.spec(dimensions: [.rfmSegment])
        let h = try Study.Calibration.plan(for: histogram)
        #expect(h.l2Sensitivity == 1)
        #expect(abs(h.sigmaSquared - 1 / (2 * h.rho)) < 1e-9)
        #expect(h.coordinates == 11)
        #expect(h.mechanism == "discrete-gaussian")

        let mean = try StudyFixtures.spec(
            kind: .mean, dimensions: [.rfmSegment], mean: .init(measure: .nps, lower: 0, upper: 10))
        let m = try Study.Calibration.plan(for: mean)
        let q = Double(Study.FixedPoint.resolution)
        #expect(abs(m.sigmaSquared - (2 * q * q) / (2 * m.rho)) / m.sigmaSquared < 1e-12)
        #expect(m.coordinates == 22)

        // Large ε: σ² is floored at 4 (more noise, never less).
        let loose = try StudyFixtures.spec(dimensions: [.valueTier], epsilon: 10)
        #expect(try Study.Calibration.plan(for: loose).sigmaSquared == Study.Calibration.minimumSigmaSquared)
    }
}
