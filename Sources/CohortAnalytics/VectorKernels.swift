extension Analytics {
    /// Inner loops shared by k-means and logistic regression, over raw pointers (no bounds checks)
    /// and 4-wide SIMD chunks with a scalar tail.
    enum VectorKernels {
        /// Σⱼ (aⱼ − bⱼ)² over `d` elements.
        @inline(__always)
        static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
            var acc = SIMD4<Double>()
            var j = 0
            while j + 4 <= d {
                let diff = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
                    - UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
                acc += diff * diff
                j += 4
            }
            var s = acc.sum()
            while j < d {
                let diff = a[j] - b[j]
                s += diff * diff
                j += 1
            }
            return s
        }

        /// Σⱼ aⱼ bⱼ over `d` elements.
        @inline(__always)
        static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
            var acc = SIMD4<Double>()
            var j = 0
            while j + 4 <= d {
                acc += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
                    * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
                j += 4
            }
            var s = acc.sum()
            while j < d {
                s += a[j] * b[j]
                j += 1
            }
            return s
        }

        /// yⱼ += α xⱼ over `d` elements.
        @inline(__always)
        static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ d: Int) {
            var j = 0
            let a = SIMD4<Double>(repeating: alpha)
            while j + 4 <= d {
                let raw = UnsafeMutableRawPointer(y + j)
                let updated = raw.loadUnaligned(as: SIMD4<Double>.self) + a * UnsafeRawPointer(x + j).loadUnaligned(as: SIMD4<Double>.self)
                raw.storeBytes(of: updated, as: SIMD4<Double>.self)
                j += 4
            }
            while j < d {
                y[j] += alpha * x[j]
                j += 1
            }
        }

        /// yⱼ += xⱼ over `d` elements.
        @inline(__always)
        static func add(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ d: Int) {
            var j = 0
            while j + 4 <= d {
                let raw = UnsafeMutableRawPointer(y + j)
                raw.storeBytes(of: raw.loadUnaligned(as: SIMD4<Double>.self) + UnsafeRawPointer(x + j).loadUnaligned(as: SIMD4<Double>.self),
                               as: SIMD4<Double>.self)
                j += 4
            }
            while j < d {
                y[j] += x[j]
                j += 1
            }
        }
    }
}
