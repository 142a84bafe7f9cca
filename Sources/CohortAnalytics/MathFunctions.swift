#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

extension Analytics {
    /// Elementary functions used by the models, wrapped once so the rest of the module needs no
    /// platform import.
    public enum Math {
        /// Natural logarithm.
        @inlinable public static func log(_ x: Double) -> Double { libmLog(x) }
        /// Exponential.
        @inlinable public static func exp(_ x: Double) -> Double { libmExp(x) }

        /// Logistic sigmoid 1 / (1 + e^−z), computed without overflow for large |z|.
        @inlinable
        public static func sigmoid(_ z: Double) -> Double {
            if z >= 0 {
                return 1 / (1 + exp(-z))
            }
            let e = exp(z)
            return e / (1 + e)
        }

        /// ln(1 + e^z) without overflow (the logistic loss of a negative example at logit z).
        @inlinable
        public static func softplus(_ z: Double) -> Double {
            z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
        }

        /// ln(1 + x), accurate for small x.
        @inlinable public static func log1p(_ x: Double) -> Double { libmLog1p(x) }
    }
}

@usableFromInline func libmLog(_ x: Double) -> Double { log(x) }
@usableFromInline func libmExp(_ x: Double) -> Double { exp(x) }
@usableFromInline func libmLog1p(_ x: Double) -> Double { log1p(x) }
