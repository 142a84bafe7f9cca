public import CohortPrivacy

extension SecureAggregation {
    /// Hook-up to CohortPrivacy's distributed discrete Gaussian (KLS 2021): each party's share of
    /// the central noise. The accounting is the privacy module's; nothing is re-derived here.
    public enum NoisePlan {
        /// The privacy module's plan for `parties` parties of which `toleratedDropouts` may drop out
        /// or collude (the lead always among them: it knows its own noise share), central σ²,
        /// L2 sensitivity Δ₂ and dimension d. Each party adds `N_ℤ(0, σ²/(n − toleratedDropouts))`
        /// with `plan.addShare(to:using:)`; `plan.cost` is what the ledger charges.
        /// - Throws: ``SecureAggregationError/Code/invalidNoisePlan`` when `toleratedDropouts < 1`
        ///   (the lead knows its own share, so at least one share never counts), when
        ///   `toleratedDropouts ≥ parties`, when the local share σ²/(n − t) is below the
        ///   accountant's validity range (1/4), or for any other parameter the accountant refuses
        ///   (its message is included).
        public static func plan(parties: Int, toleratedDropouts: Int, centralSigmaSquared: Privacy.Rational, l2Sensitivity: Double, dimension: Int) throws -> Privacy.DistributedDiscreteGaussian.Plan {
            guard toleratedDropouts >= 1 else {
                throw SecureAggregationError(.invalidNoisePlan, "tolerated dropouts must be ≥ 1, got \(toleratedDropouts): the lead takes part and knows its own noise share, so the plan must count it among the parties that may collude")
            }
            guard toleratedDropouts < parties else {
                throw SecureAggregationError(.invalidNoisePlan, "tolerated dropouts (\(toleratedDropouts)) must be fewer than the parties (\(parties))")
            }
            do {
                return try Privacy.DistributedDiscreteGaussian.Plan(parties: parties, dropouts: toleratedDropouts, centralSigmaSquared: centralSigmaSquared, l2Sensitivity: l2Sensitivity, dimension: dimension)
            } catch let error as PrivacyError {
                throw SecureAggregationError(.invalidNoisePlan, "the privacy accountant refuses the noise plan for \(parties) parties, \(toleratedDropouts) tolerated dropouts, central σ² = \(centralSigmaSquared): \(error.description)")
            }
        }

        /// Each party's local variance σ²/(n − toleratedDropouts), exact, as the accountant computes it.
        /// - Throws: as ``plan(parties:toleratedDropouts:centralSigmaSquared:l2Sensitivity:dimension:)``
        ///   (with Δ₂ = 1 and d = 1 when they are not given; they do not change the local share).
        public static func localSigmaSquared(parties: Int, toleratedDropouts: Int, centralSigmaSquared: Privacy.Rational, l2Sensitivity: Double = 1, dimension: Int = 1) throws -> Privacy.Rational {
            try plan(parties: parties, toleratedDropouts: toleratedDropouts, centralSigmaSquared: centralSigmaSquared, l2Sensitivity: l2Sensitivity, dimension: dimension).localSigmaSquared
        }
    }
}
