import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Analytics {
    /// Splits a row range into contiguous chunks and runs them on all available cores
    /// (`DispatchQueue.concurrentPerform`). Results come back in chunk order, so reductions over
    /// them are deterministic for a given core count and row count.
    enum ParallelChunks {
        /// Number of online CPUs (at least 1).
        static let cores: Int = {
            #if canImport(Glibc) || canImport(Darwin)
            let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
            return n > 0 ? Int(n) : 1
            #else
            return 1
            #endif
        }()

        /// The chunk ranges used for `count` rows: at most `cores` chunks, none smaller than
        /// `minimumChunk` rows (except when `count` itself is smaller).
        static func ranges(count: Int, minimumChunk: Int) -> [Range<Int>] {
            guard count > 0 else { return [] }
            let chunks = max(1, min(cores, count / max(1, minimumChunk)))
            return (0..<chunks).map { c in (count * c / chunks)..<(count * (c + 1) / chunks) }
        }

        /// Runs `body` on each chunk of `0..<count` (in parallel when there is more than one chunk)
        /// and returns the per-chunk results in chunk order.
        static func map<T>(count: Int, minimumChunk: Int = 16_384, _ body: (Range<Int>) -> T) -> [T] {
            let ranges = ranges(count: count, minimumChunk: minimumChunk)
            if ranges.count <= 1 { return ranges.map(body) }
            var results = [T?](repeating: nil, count: ranges.count)
            // Each iteration writes only its own slot, and `concurrentPerform` returns after all
            // iterations finished, so sharing the pointer and the (non-escaping) body is safe.
            results.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let base = out.baseAddress
                withoutActuallyEscaping(body) { work in
                    nonisolated(unsafe) let work = work
                    DispatchQueue.concurrentPerform(iterations: ranges.count) { c in
                        base?.advanced(by: c).pointee = work(ranges[c])
                    }
                }
            }
            return results.compactMap { $0 }
        }
    }
}
