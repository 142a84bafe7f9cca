extension Privacy {
    /// Zero-concentrated DP (Bun–Steinke 2016): a mechanism is ρ-zCDP when its Rényi divergence
    /// of every order α > 1 is at most ρ·α. ρ is in nats; composition adds ρ.
    public enum ZCDP {
        /// Adaptive composition: the sum of the ρ's.
        public static func compose(_ rhos: [Double]) throws -> Double {
            var total = 0.0
            for (i, rho) in rhos.enumerated() {
                try PrivacyError.requireFinite(rho, "rho[\(i)]")
                guard rho >= 0 else { throw PrivacyError(.invalidParameter, "rho[\(i)] must be ≥ 0, got \(rho)") }
                total += rho
            }
            return total
        }

        /// The simple conversion `ε = ρ + 2√(ρ·log(1/δ))` (Bun–Steinke 2016, Prop. 1.3).
        public static func simpleEpsilon(rho: Double, delta: Double) throws -> Double {
            try validate(rho: rho, delta: delta)
            return rho + 2 * (rho * mathLog(1 / delta)).squareRoot()
        }

        /// The tight conversion of Canonne–Kamath–Steinke 2020 (Prop. 12 / Cor. 13), optimised
        /// over all real orders α > 1:
        /// `ε = min_α  αρ + log1p(−1/α) − (log δ + log α)/(α − 1)`, never worse than
        /// ``simpleEpsilon(rho:delta:)``.
        ///
        /// Every α gives a valid bound, so the numerical minimisation can only lose tightness,
        /// never validity. Complexity: ~200 evaluations.
        /// - Throws: `invalidParameter`/`nonFiniteParameter` for ρ < 0 or δ ∉ (0, 1).
        public static func epsilon(rho: Double, delta: Double) throws -> Double {
            try validate(rho: rho, delta: delta)
            if rho == 0 { return 0 }
            let logDelta = mathLog(delta)
            func f(_ a: Double) -> Double {
                a * rho + mathLog1p(-1 / a) - (logDelta + mathLog(a)) / (a - 1)
            }
            // Coarse scan of log(α − 1) on a wide range, then golden-section refinement.
            var bestX = 0.0
            var bestF = Double.infinity
            var x = -12.0
            while x <= 16 {
                let v = f(1 + mathExp(x))
                if v < bestF { bestF = v; bestX = x }
                x += 0.25
            }
            var lo = bestX - 0.25
            var hi = bestX + 0.25
            let g = (5.0.squareRoot() - 1) / 2
            for _ in 0 ..< 80 {
                let m1 = hi - g * (hi - lo)
                let m2 = lo + g * (hi - lo)
                if f(1 + mathExp(m1)) < f(1 + mathExp(m2)) { hi = m2 } else { lo = m1 }
            }
            let refined = f(1 + mathExp((lo + hi) / 2))
            let simple = rho + 2 * (rho * mathLog(1 / delta)).squareRoot()
            return Swift.max(0, Swift.min(bestF, refined, simple))
        }

        static func validate(rho: Double, delta: Double) throws {
            try PrivacyError.requireFinite(rho, "rho")
            guard rho >= 0 else { throw PrivacyError(.invalidParameter, "rho must be ≥ 0, got \(rho)") }
            try PrivacyError.requireDelta(delta)
        }
    }
}
