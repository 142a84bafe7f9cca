#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Elementary and special functions used by the accountants (never by samplers).

func mathLog(_ x: Double) -> Double { log(x) }
func mathLog1p(_ x: Double) -> Double { log1p(x) }
func mathExpm1(_ x: Double) -> Double { expm1(x) }
func mathExp(_ x: Double) -> Double { exp(x) }
func mathLgamma(_ x: Double) -> Double {
    #if canImport(Glibc) || canImport(Musl)
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
    #else
    return lgamma(x)
    #endif
}
func mathErfc(_ x: Double) -> Double { erfc(x) }

extension Privacy {
    /// Numerically careful helpers shared by the accountants (log-space sums, log erfc, log C(n,k)).
    enum Numerics {
        /// `log(eˣ + eʸ)`.
        static func logAdd(_ x: Double, _ y: Double) -> Double {
            let a = Swift.min(x, y)
            let b = Swift.max(x, y)
            if a == -.infinity { return b }
            return mathLog1p(mathExp(a - b)) + b
        }

        /// `log Γ(n+1) − log Γ(k+1) − log Γ(n−k+1)` (log |·| for non-integer arguments).
        static func logComb(_ n: Double, _ k: Double) -> Double {
            mathLgamma(n + 1) - mathLgamma(k + 1) - mathLgamma(n - k + 1)
        }

        /// `log(erfc(x))`, accurate far into the tail (asymptotic series once erfc underflows),
        /// matching dp-accounting's `_log_erfc` to ~1e-15 relative where it matters.
        static func logErfc(_ x: Double) -> Double {
            if x < 25 {
                let r = mathErfc(x)
                if r > 0 { return mathLog(r) }
            }
            let x2 = x * x
            return -mathLog(Double.pi) / 2 - mathLog(x) - x2 - 0.5 / x2 + 0.625 / (x2 * x2)
                - 37.0 / 24.0 / (x2 * x2 * x2) + 353.0 / 64.0 / (x2 * x2 * x2 * x2)
        }
    }
}
