/// Secure aggregation (Bonawitz et al. 2017, "Practical Secure Aggregation for
/// Privacy-Preserving Machine Learning") as pure value-type state machines.
///
/// Parties mask their integer vectors (mod 2⁶⁴) with pairwise masks that cancel in the sum and
/// a self-mask; the seeds are Shamir-shared t-of-n so that the lead can unmask the sum of the
/// survivors when up to n − t parties drop out, and never learns an individual input. No I/O:
/// ``SecureAggregation/Client`` and ``SecureAggregation/Server`` return directives that the
/// caller carries out (send a message, release a result, report a failure). See
/// `docs/secure-aggregation.md`.
public enum SecureAggregation {
    /// The protocol label bound into every signature, key derivation and AEAD associated data.
    public static let protocolLabel = "cohort/secagg/v1"
}
