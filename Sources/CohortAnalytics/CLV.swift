extension Analytics {
    /// Historical customer lifetime value.
    ///
    /// **Formula:** historical CLV = max(0, Σ amount) over *all* of the customer's transactions
    /// dated on or before the as-of day (whole history, not only the window), in cents. Purchases
    /// add, refunds subtract; a customer whose refunds exceed purchases has CLV 0. No margin or
    /// discounting is applied (it is realised net revenue, not a prediction).
    public enum CLV {
        /// Historical CLV (cents) of one customer's transaction amounts (cents), given their days.
        /// Checked arithmetic: throws ``AnalyticsError/Code-swift.enum/overflow`` naming the
        /// transaction at which the running sum leaves the `Int64` range (never wraps or traps).
        /// O(n).
        public static func historical(amountsMinor: [Int64], days: [Int64], asOfDay: Int64) throws -> Int64 {
            guard amountsMinor.count == days.count else {
                throw AnalyticsError(.dimensionMismatch, "CLV.historical: \(amountsMinor.count) amounts vs \(days.count) days")
            }
            var total: Int64 = 0
            for (j, (a, d)) in zip(amountsMinor, days).enumerated() where d <= asOfDay {
                let (sum, overflow) = total.addingReportingOverflow(a)
                guard !overflow else {
                    throw AnalyticsError(.overflow, "CLV.historical: the sum of amounts up to transaction \(j) (\(a) cents) exceeds the 64-bit range of cents")
                }
                total = sum
            }
            return max(0, total)
        }
    }
}
