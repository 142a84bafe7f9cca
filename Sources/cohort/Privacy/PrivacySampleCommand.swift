import ArgumentParser
import CohortPrivacy
import Foundation

/// `cohort privacy sample`: exact discrete Gaussian / Laplace samples, one per line.
struct PrivacySampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Print exact integer noise samples, one per line.",
        discussion: """
        Examples:
          cohort privacy sample --mechanism discrete-gaussian --sigma 5/2 --count 10
          cohort privacy sample --mechanism discrete-laplace --scale 2.5 --count 10 --seed 42
        σ and t are exact decimals ("2.5") or fractions ("5/2"), never rounded through floating point.
        Without --seed the operating system's CSPRNG is used; with --seed the output is reproducible
        and only fit for tests and simulations.
        """
    )

    enum Mechanism: String, ExpressibleByArgument, CaseIterable {
        case discreteGaussian = "discrete-gaussian"
        case discreteLaplace = "discrete-laplace"
    }

    @Option(help: "discrete-gaussian or discrete-laplace.")
    var mechanism: Mechanism

    @Option(help: "Discrete Gaussian σ, exact decimal or p/q.")
    var sigma: String?

    @Option(help: "Discrete Laplace scale t, exact decimal or p/q.")
    var scale: String?

    @Option(help: "Number of samples (1 … 1e9).")
    var count: Int

    @Option(help: "Seed for a reproducible (simulated, not private) stream.")
    var seed: UInt64?

    func validate() throws {
        guard count >= 1, count <= 1_000_000_000 else {
            throw ValidationError("--count must be between 1 and 1000000000, got \(count)")
        }
        _ = try makeSampler()
    }

    enum Sampler {
        case gaussian(Privacy.DiscreteGaussian.Sampler)
        case laplace(Privacy.DiscreteLaplace.Sampler)
    }

    func makeSampler() throws -> Sampler {
        do {
            switch mechanism {
            case .discreteGaussian:
                guard let sigma else { throw ValidationError("--sigma is required for discrete-gaussian") }
                let s = try PrivacyCostCommand.parsePositive(sigma, option: "--sigma")
                return .gaussian(try Privacy.DiscreteGaussian.Sampler(sigmaSquared: s.squared()))
            case .discreteLaplace:
                guard let scale else { throw ValidationError("--scale is required for discrete-laplace") }
                let t = try PrivacyCostCommand.parsePositive(scale, option: "--scale")
                return .laplace(try Privacy.DiscreteLaplace.Sampler(scale: t))
            }
        } catch let error as PrivacyError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let sampler = try makeSampler()
        if let seed {
            var rng = Privacy.SeededRandomness(seed: seed)
            var stderr = StandardError()
            print("note: --seed \(seed) makes this output reproducible (simulated randomness, not private)", to: &stderr)
            emit(sampler, using: &rng)
        } else {
            var rng = Privacy.SystemRandomness()
            emit(sampler, using: &rng)
        }
    }

    private func emit(_ sampler: Sampler, using rng: inout some Privacy.RandomSource) {
        var remaining = count
        var batch = [Int64](repeating: 0, count: min(count, 65_536))
        while remaining > 0 {
            let n = min(remaining, batch.count)
            if n < batch.count { batch.removeLast(batch.count - n) }
            switch sampler {
            case .gaussian(let g): g.fill(&batch, using: &rng)
            case .laplace(let l): l.fill(&batch, using: &rng)
            }
            var text = ""
            text.reserveCapacity(n * 8)
            for x in batch {
                text += String(x)
                text += "\n"
            }
            print(text, terminator: "")
            remaining -= n
        }
    }
}

/// Writes to the process's standard error.
private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
