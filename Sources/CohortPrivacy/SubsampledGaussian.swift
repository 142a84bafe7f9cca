extension Privacy.RDP {
    /// RDP of the Poisson-subsampled Gaussian mechanism (DP-SGD / DP-FedAvg), following
    /// Mironov, Talwar, Zhang 2019 ("Rényi Differential Privacy of the Sampled Gaussian
    /// Mechanism"): integer orders by the binomial expansion (Sec. 3.2), fractional orders by
    /// the two-sided series with erfc terms (Sec. 3.3). Identical in computation to Google
    /// dp-accounting's `RdpAccountant` for `PoissonSampledDpEvent(q, GaussianDpEvent(z))`
    /// with the add-or-remove-one neighbouring relation.
    public enum SubsampledGaussian {
        /// The composed RDP curve of `steps` rounds with sampling rate `q` and noise multiplier `z`
        /// (noise standard deviation / L2 sensitivity).
        ///
        /// - Throws: `invalidParameter` for `q ∉ (0, 1]`, `z ≤ 0`, `steps < 0`; `nonFiniteParameter`
        ///   for NaN/∞.
        /// Complexity: O(Σ orders) ≈ 5 000 log-gamma evaluations for the default grid.
        public static func curve(samplingRate q: Double, noiseMultiplier z: Double, steps: Int, orders: [Double] = Privacy.RDP.defaultOrders) throws -> Curve {
            try PrivacyError.requireFinite(q, "sampling rate q")
            guard q > 0, q <= 1 else {
                throw PrivacyError(.invalidParameter, "sampling rate q must be in (0, 1], got \(q)")
            }
            try PrivacyError.requirePositive(z, "noise multiplier")
            guard steps >= 0 else {
                throw PrivacyError(.invalidParameter, "steps must be ≥ 0, got \(steps)")
            }
            let values = orders.map { alpha -> Double in
                let one: Double
                if q == 1 {
                    one = alpha / (2 * z * z)
                } else if alpha.rounded(.down) == alpha {
                    one = logAInteger(q: q, sigma: z, alpha: Int(alpha)) / (alpha - 1)
                } else {
                    one = logAFractional(q: q, sigma: z, alpha: alpha) / (alpha - 1)
                }
                return one * Double(steps)
            }
            return try Curve(orders: orders, values: values)
        }

        /// log(A_α) for integer α (binomial expansion).
        static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
            var logA = -Double.infinity
            let log1mq = mathLog1p(-q)
            let logq = mathLog(q)
            let a = Double(alpha)
            for i in 0 ... alpha {
                let di = Double(i)
                let logCoef = Privacy.Numerics.logComb(a, di) + di * logq + (a - di) * log1mq
                let s = logCoef + (di * di - di) / (2 * sigma * sigma)
                logA = Privacy.Numerics.logAdd(logA, s)
            }
            return logA
        }

        /// log(A_α) for fractional α (MTZ 2019 Sec. 3.3), truncated as in dp-accounting: stop when
        /// both series terms decrease and are below `total − 30`; +∞ after 1000 terms.
        static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
            var logA0 = -Double.infinity
            var logA1 = -Double.infinity
            let z0 = sigma * sigma * mathLog(1 / q - 1) + 0.5
            let log1mq = mathLog1p(-q)
            let logq = mathLog(q)
            let logHalf = mathLog(0.5)
            let sqrt2 = 2.0.squareRoot()
            var lastS0 = -Double.infinity
            var lastS1 = -Double.infinity
            for i in 0 ..< 1000 {
                let di = Double(i)
                let logCoef = Privacy.Numerics.logComb(alpha, di)
                let j = alpha - di
                let logT0 = logCoef + di * logq + j * log1mq
                let logT1 = logCoef + j * logq + di * log1mq
                let logE0 = logHalf + Privacy.Numerics.logErfc((di - z0) / (sqrt2 * sigma))
                let logE1 = logHalf + Privacy.Numerics.logErfc((z0 - j) / (sqrt2 * sigma))
                let logS0 = logT0 + (di * di - di) / (2 * sigma * sigma) + logE0
                let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
                logA0 = Privacy.Numerics.logAdd(logA0, logS0)
                logA1 = Privacy.Numerics.logAdd(logA1, logS1)
                let total = Privacy.Numerics.logAdd(logA0, logA1)
                if logS0 < lastS0, logS1 < lastS1, Swift.max(logS0, logS1) < total - 30 {
                    return total
                }
                lastS0 = logS0
                lastS1 = logS1
            }
            return .infinity
        }
    }
}
