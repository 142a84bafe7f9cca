import CohortPrivacy

/// Benchmarks of the exact samplers and the encode-and-noise path (issue 3 targets).
enum PrivacyBench {
    /// Each workload returns one measured figure.
    static func workloads() -> [BenchWorkload] {
        [
            gaussianThroughput(name: "privacy.discrete-gaussian.sigma10", sigmaSquared: "100", target: 1_000_000),
            gaussianThroughput(name: "privacy.discrete-gaussian.sigma1e4", sigmaSquared: "100000000", target: 500_000),
            gaussianThroughput(name: "privacy.discrete-gaussian.sigma1e6", sigmaSquared: "1000000000000", target: 500_000),
            BenchWorkload(name: "privacy.encode-and-noise.1m", unit: "s", target: 1.5, higherIsBetter: false) {
                try encodeAndNoise(count: 1_000_000)
            },
            BenchWorkload(name: "privacy.rdp.subsampled-gaussian", unit: "ms", target: 100, higherIsBetter: false) {
                let clock = ContinuousClock()
                var curve: Privacy.RDP.Curve?
                let elapsed = try clock.measure {
                    curve = try Privacy.RDP.SubsampledGaussian.curve(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 10_000)
                }
                _ = try curve?.epsilon(delta: 1e-6)
                return seconds(elapsed) * 1000
            },
        ]
    }

    /// Samples/s of the discrete Gaussian from the OS CSPRNG (production source), one core.
    static func gaussianThroughput(name: String, sigmaSquared: String, target: Double) -> BenchWorkload {
        BenchWorkload(name: name, unit: "samples/s", target: target, higherIsBetter: true) {
            let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquared: Privacy.Rational(parsing: sigmaSquared))
            var rng = Privacy.SystemRandomness()
            var out = [Int64](repeating: 0, count: 2_000_000)
            let clock = ContinuousClock()
            let elapsed = clock.measure { sampler.fill(&out, using: &rng) }
            var checksum: Int64 = 0
            for x in out { checksum &+= x }
            precondition(checksum != Int64.min)  // keep the work observable
            return Double(out.count) / seconds(elapsed)
        }
    }

    /// Seconds to encode 1M reals (clip, scale 2¹⁰, conditional rounding) and add discrete
    /// Gaussian noise calibrated to ρ = 0.5 for the encoded L2 sensitivity.
    static func encodeAndNoise(count: Int) throws -> Double {
        var data = Privacy.SeededGenerator(seed: 7)
        let x = (0 ..< count).map { _ in Double(data.next() >> 11) / Double(1 << 53) * 2 - 1 }
        let clock = ContinuousClock()
        var rng = Privacy.SystemRandomness()
        var released: Privacy.Release<[UInt64]>?
        let elapsed = try clock.measure {
            let codec = try Privacy.FixedPoint.Codec(dimension: count, l2Bound: 600, scale: 1024)
            let encoded = try codec.encode(x, using: &rng)
            let sampler = try Privacy.DiscreteGaussian.sampler(rho: 0.5, l2Sensitivity: codec.l2Sensitivity)
            released = try Privacy.DiscreteGaussian.addNoise(toModular: encoded.values, sigmaSquared: sampler.sigmaSquared, l2Sensitivity: codec.l2Sensitivity, using: &rng)
        }
        precondition(released?.values.count == count)
        return seconds(elapsed)
    }
}

/// A duration in seconds.
private func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}
