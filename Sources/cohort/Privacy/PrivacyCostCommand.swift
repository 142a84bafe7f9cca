import CohortCore
import ArgumentParser
import CohortPrivacy
import CohortStudy
import Foundation

/// `cohort privacy cost`: what a release or training run will cost, before it runs.
struct PrivacyCostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Compute the privacy cost (ε at δ, and ρ where it applies) of a planned mechanism.",
        discussion: """
        Examples:
          cohort privacy cost --mechanism discrete-gaussian --sigma 5/2 --sensitivity 1 --delta 1e-6
          cohort privacy cost --mechanism discrete-laplace --scale 2 --sensitivity 1
          cohort privacy cost --mechanism distributed-discrete-gaussian --sigma 20 --parties 10 --dropouts 3 --sensitivity 1
          cohort privacy cost --mechanism subsampled-gaussian --noise-multiplier 1.1 --sampling-rate 0.01 --steps 1000 --json
          cohort privacy cost --spec churn-model.yaml
        σ and t are exact decimals ("2.5") or fractions ("5/2").
        """
    )

    enum Mechanism: String, ExpressibleByArgument, CaseIterable {
        case discreteGaussian = "discrete-gaussian"
        case discreteLaplace = "discrete-laplace"
        case distributedDiscreteGaussian = "distributed-discrete-gaussian"
        case subsampledGaussian = "subsampled-gaussian"
    }

    @Option(help: "Mechanism: \(Mechanism.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mechanism: Mechanism?

    @Option(help: "A study spec (YAML): price the whole study (every round of a k-means or training study composed) instead of one mechanism.")
    var spec: String?

    @Option(help: "Discrete Gaussian σ (central, in output units), exact decimal or p/q.")
    var sigma: String?

    @Option(help: "Discrete Laplace scale t, exact decimal or p/q.")
    var scale: String?

    @Option(help: "Sensitivity: L2 for Gaussian mechanisms, L1 for Laplace (default 1).")
    var sensitivity: Double = 1

    @Option(name: .customLong("l1-sensitivity"), help: "L1 sensitivity for the distributed discrete Gaussian (default min(√d·Δ₂, Δ₂²)).")
    var l1Sensitivity: Double?

    @Option(help: "Number of parties n (distributed discrete Gaussian).")
    var parties: Int?

    @Option(help: "Parties t that may drop out (distributed discrete Gaussian, default 0).")
    var dropouts: Int = 0

    @Option(help: "Vector dimension d (distributed discrete Gaussian, default 1).")
    var dimension: Int = 1

    @Option(name: .customLong("noise-multiplier"), help: "Noise multiplier z (subsampled Gaussian).")
    var noiseMultiplier: Double?

    @Option(name: .customLong("sampling-rate"), help: "Poisson sampling rate q ∈ (0, 1] (subsampled Gaussian).")
    var samplingRate: Double?

    @Option(help: "Number of steps (subsampled Gaussian).")
    var steps: Int?

    @Option(help: "δ for the (ε, δ) conversion, in (0, 1).")
    var delta: Double = 1e-6

    @Flag(help: "Print JSON (for scripts).")
    var json = false

    func validate() throws {
        guard (mechanism == nil) != (spec == nil) else {
            throw ValidationError("give either --mechanism or --spec <study.yaml>")
        }
        guard let mechanism else { return }
        guard delta.isFinite, delta > 0, delta < 1 else {
            throw ValidationError("--delta must be in (0, 1), got \(delta)")
        }
        guard sensitivity.isFinite, sensitivity > 0 else {
            throw ValidationError("--sensitivity must be a finite number > 0, got \(sensitivity)")
        }
        switch mechanism {
        case .discreteGaussian, .distributedDiscreteGaussian:
            guard let sigma else { throw ValidationError("--sigma is required for \(mechanism.rawValue)") }
            try Self.parsePositive(sigma, option: "--sigma")
            if mechanism == .distributedDiscreteGaussian {
                guard let parties, parties >= 1 else { throw ValidationError("--parties n ≥ 1 is required for distributed-discrete-gaussian") }
                guard dropouts >= 0, dropouts < parties else {
                    throw ValidationError("--dropouts must satisfy 0 ≤ t < n (n = \(parties)), got \(dropouts)")
                }
                guard dimension >= 1 else { throw ValidationError("--dimension must be ≥ 1, got \(dimension)") }
            }
        case .discreteLaplace:
            guard let scale else { throw ValidationError("--scale is required for discrete-laplace") }
            try Self.parsePositive(scale, option: "--scale")
        case .subsampledGaussian:
            guard let noiseMultiplier else { throw ValidationError("--noise-multiplier is required for subsampled-gaussian") }
            guard noiseMultiplier.isFinite, noiseMultiplier > 0 else {
                throw ValidationError("--noise-multiplier must be a finite number > 0, got \(noiseMultiplier)")
            }
            guard let samplingRate else { throw ValidationError("--sampling-rate is required for subsampled-gaussian") }
            guard samplingRate.isFinite, samplingRate > 0, samplingRate <= 1 else {
                throw ValidationError("--sampling-rate must be in (0, 1], got \(samplingRate)")
            }
            guard let steps else { throw ValidationError("--steps is required for subsampled-gaussian") }
            guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        }
    }

    @discardableResult
    static func parsePositive(_ text: String, option: String) throws -> Privacy.Rational {
        let value: Privacy.Rational
        do {
            value = try Privacy.Rational(parsing: text)
        } catch let error as PrivacyError {
            throw ValidationError("\(option) '\(text)': \(error.message)")
        }
        guard !value.isZero else { throw ValidationError("\(option) must be > 0, got \(text)") }
        return value
    }

    func plan() throws -> Privacy.CostEstimate.Plan {
        switch mechanism ?? .discreteGaussian {
        case .discreteGaussian:
            return .discreteGaussian(sigma: try Self.parsePositive(sigma ?? "", option: "--sigma"), l2Sensitivity: sensitivity)
        case .discreteLaplace:
            return .discreteLaplace(scale: try Self.parsePositive(scale ?? "", option: "--scale"), l1Sensitivity: sensitivity)
        case .distributedDiscreteGaussian:
            return .distributedDiscreteGaussian(sigma: try Self.parsePositive(sigma ?? "", option: "--sigma"), parties: parties ?? 1, dropouts: dropouts,
                                                l2Sensitivity: sensitivity, l1Sensitivity: l1Sensitivity, dimension: dimension)
        case .subsampledGaussian:
            return .subsampledGaussian(noiseMultiplier: noiseMultiplier ?? 0, samplingRate: samplingRate ?? 0, steps: steps ?? 0)
        }
    }

    func run() throws {
        if let spec {
            let text: String
            do { text = try String(contentsOfFile: spec, encoding: .utf8) } catch {
                throw ValidationError("cannot read the spec \(spec): \(error.localizedDescription)")
            }
            let cost = try Study.SpecCost.of(try Study.Spec.check(yaml: text, file: spec))
            print(json ? try JSONOutput.text(cost) : cost.lines.joined(separator: "\n"))
            return
        }
        let report = try Privacy.CostEstimate.evaluate(plan(), delta: delta)
        if json {
            print(try JSONOutput.text(report))
        } else {
            print(report.humanReadable)
        }
    }
}

extension Privacy.CostEstimate.Report {
    /// A short multi-line summary for terminals.
    fileprivate var humanReadable: String {
        var lines = ["mechanism: \(mechanism)", "epsilon:   \(epsilon)  (at delta = \(delta))"]
        if let rho { lines.append("rho:       \(rho)  (zCDP)") }
        if let pureEpsilon { lines.append("pure eps:  \(pureEpsilon)") }
        lines.append("rdp order: \(rdpOrder)  (optimal order of the RDP conversion)")
        return lines.joined(separator: "\n")
    }
}
