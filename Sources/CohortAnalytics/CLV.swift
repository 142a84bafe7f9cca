extension Analytics {
    /// Historical customer lifetime value.
    ///
    /// **Formula:** historical CLV = max(0, Σ amount) over *all* of the customer's transactions
    /// dated on or before the as-of day (whole history, not only the window), in cents. Purchases
    /// add, refunds subtract; a customer whose refunds exceed purchases has CLV 0. No margin or
    /// discounting is applied (it is realised net revenue, not a prediction).
    public enum CLV {
        /// Historical CLV (cents) of one customer's transaction amounts (cents), given their days.
        /// O(n).
        public static func historical(amountsMinor: [Int64], days: [Int64], asOfDay: Int64) -> Int64 {
            var total: Int64 = 0
            for (a, d) in zip(amountsMinor, days) where d <= asOfDay { total &+= a }
            return max(0, total)
        }
    }
}
