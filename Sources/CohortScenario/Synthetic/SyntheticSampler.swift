import CohortPrivacy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Synthetic {
    /// Floating-point samplers over a seeded xoshiro256** stream.
    ///
    /// For synthetic data only (never for privacy noise). Every method consumes a deterministic
    /// number of draws given its inputs and the stream, so output is reproducible from the seed.
    struct Sampler {
        var rng: Privacy.SeededGenerator

        init(_ rng: Privacy.SeededGenerator) {
            self.rng = rng
        }

        /// Uniform on [0, 1) with 53 random bits.
        @inline(__always)
        mutating func uniform() -> Double {
            Double(rng.next() >> 11) * 0x1.0p-53
        }

        /// Uniform on the open interval (0, 1).
        @inline(__always)
        mutating func uniformOpen() -> Double {
            (Double(rng.next() >> 11) + 0.5) * 0x1.0p-53
        }

        /// Uniform integer in 0 ..< n (n > 0), by Lemire's multiply-shift (negligible bias).
        @inline(__always)
        mutating func int(below n: Int) -> Int {
            Int(truncatingIfNeeded: rng.next().multipliedFullWidth(by: UInt64(n)).high)
        }

        @inline(__always)
        mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

        /// Standard normal by the Box–Muller transform (one draw per call).
        mutating func normal() -> Double {
            let u1 = uniformOpen()
            let u2 = uniform()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }

        /// Normal with mean `mean` and standard deviation `sd`.
        mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

        /// Exponential with the given mean.
        @inline(__always)
        mutating func exponential(mean: Double) -> Double { -mean * log(uniformOpen()) }

        /// Log-normal: `exp(mu + sigma·Z)`.
        mutating func logNormal(mu: Double, sigma: Double) -> Double {
            exp(mu + sigma * normal())
        }

        /// Pareto type I with scale `xm` and tail index `alpha` (mean finite for alpha > 1).
        mutating func pareto(scale xm: Double, alpha: Double) -> Double {
            xm * pow(uniformOpen(), -1 / alpha)
        }

        /// Gamma(shape, scale) by Marsaglia–Tsang (2000); shape < 1 by the `U^(1/shape)` boost.
        mutating func gamma(shape: Double, scale: Double) -> Double {
            if shape < 1 {
                let boost = pow(uniformOpen(), 1 / shape)
                return gamma(shape: shape + 1, scale: scale) * boost
            }
            let d = shape - 1.0 / 3.0
            let c = 1 / (9 * d).squareRoot()
            while true {
                var x: Double
                var v: Double
                repeat {
                    x = normal()
                    v = 1 + c * x
                } while v <= 0
                v = v * v * v
                let u = uniformOpen()
                if u < 1 - 0.0331 * x * x * x * x { return d * v * scale }
                if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v * scale }
            }
        }

        /// Poisson with mean `lambda`: Knuth's product method below 12, Hörmann's PTRS above.
        mutating func poisson(_ lambda: Double) -> Int {
            if lambda <= 0 { return 0 }
            if lambda < 12 {
                let limit = exp(-lambda)
                var k = 0
                var product = uniformOpen()
                while product > limit {
                    k += 1
                    product *= uniformOpen()
                }
                return k
            }
            let slam = lambda.squareRoot()
            let logLambda = log(lambda)
            let b = 0.931 + 2.53 * slam
            let a = -0.059 + 0.02483 * b
            let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
            let vr = 0.9277 - 3.6224 / (b - 2)
            while true {
                let u = uniform() - 0.5
                let v = uniform()
                let us = 0.5 - abs(u)
                let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
                if us >= 0.07, v <= vr { return Int(k) }
                if k < 0 || (us < 0.013 && v > us) { continue }
                if log(v) + log(invAlpha) - log(a / (us * us) + b)
                    <= -lambda + k * logLambda - lgamma(k + 1)
                {
                    return Int(k)
                }
            }
        }

        /// Index drawn from cumulative weights (last element = total).
        @inline(__always)
        mutating func categorical(_ cumulative: [Double]) -> Int {
            let target = uniform() * cumulative[cumulative.count - 1]
            var i = 0
            while i < cumulative.count - 1, cumulative[i] <= target { i += 1 }
            return i
        }
    }

    /// Running sums of `weights`, for ``Sampler/categorical(_:)``.
    static func cumulative(_ weights: [Double]) -> [Double] {
        var total = 0.0
        return weights.map { w in
            total += w
            return total
        }
    }
}
