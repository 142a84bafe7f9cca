import CohortSecureAggregation
import CohortStudy

/// A participant's state in one securely aggregated round, kept in memory: its protocol client,
/// the verified keys of the other parties, and its contribution's cost and noise flag. A node
/// restarted mid-round has lost it and drops out of that round (which the protocol recovers
/// from while t parties remain); its spend is on record either way.
struct ParticipantSecureRound: Sendable {
    /// The round being aggregated.
    var round: Int
    /// The study's lead (every stage must come from it).
    var lead: String
    /// The protocol's client state machine.
    var client: SecureAggregation.Client
    /// The parties' verified identity keys.
    var table: CertifiedKeyTable
    /// The noised contribution (plain values; only the masked ones leave the node).
    var message: Study.ContributionMessage
}
