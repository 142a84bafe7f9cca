extension Learning {
    /// A released statistic with the standard error its DP noise induces (the noise's standard
    /// deviation propagated through the statistic; sampling variation of the customers is not
    /// included). The standard error is 0 when noise is off.
    public struct Estimate: Sendable, Hashable, Codable {
        /// The value.
        public var value: Double
        /// Standard error from the noise, same unit as ``value``.
        public var standardError: Double

        /// Creates an estimate.
        public init(_ value: Double, standardError: Double) {
            self.value = value
            self.standardError = standardError
        }

        /// The ratio `numerator / denominator` of two noised sums with independent noise of
        /// standard deviations `sn` and `sd`, with its delta-method standard error
        /// `√(sn² + r²·sd²) / denominator`. `nil` when the denominator is not positive.
        public static func ratio(_ numerator: Double, _ denominator: Double, numeratorSE sn: Double,
                                 denominatorSE sd: Double) -> Estimate? {
            guard denominator > 0 else { return nil }
            let r = numerator / denominator
            return Estimate(r, standardError: (sn * sn + r * r * sd * sd).squareRoot() / denominator)
        }
    }
}
