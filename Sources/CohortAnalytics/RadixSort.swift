extension Analytics {
    /// Least-significant-digit radix sort of `UInt64` keys (16-bit digits, passes whose digit is
    /// the same for every key are skipped). O(n · passes); used for rank-based scoring of large
    /// populations, where it is several times faster than a comparison sort.
    enum RadixSort {
        static func sort(_ keys: inout [UInt64]) {
            let n = keys.count
            guard n > 1 else { return }
            var buffer = [UInt64](repeating: 0, count: n)
            var counts = [Int](repeating: 0, count: 1 << 16)
            for pass in 0..<4 {
                let shift = UInt64(pass * 16)
                counts.withUnsafeMutableBufferPointer { c in
                    for b in 0..<c.count { c[b] = 0 }
                    keys.withUnsafeBufferPointer { k in
                        for i in 0..<n { c[Int((k[i] >> shift) & 0xFFFF)] += 1 }
                    }
                }
                let first = Int((keys[0] >> shift) & 0xFFFF)
                if counts[first] == n { continue }   // every key has the same digit
                counts.withUnsafeMutableBufferPointer { c in
                    var total = 0
                    for b in 0..<c.count {
                        let v = c[b]
                        c[b] = total
                        total += v
                    }
                    keys.withUnsafeBufferPointer { src in
                        buffer.withUnsafeMutableBufferPointer { dst in
                            for i in 0..<n {
                                let key = src[i]
                                let b = Int((key >> shift) & 0xFFFF)
                                dst[c[b]] = key
                                c[b] += 1
                            }
                        }
                    }
                }
                swap(&keys, &buffer)
            }
        }
    }
}
