public import CohortPrivacy

extension Learning {
    /// What the lead does after summing a round's contributions.
    public enum Step<Payload: Codable & Sendable & Hashable, Result: Codable & Sendable & Hashable>: Sendable, Hashable, Codable {
        /// Run another round with this payload.
        case nextRound(Payload)
        /// The study is finished with this result.
        case finished(Result)
    }
}

/// A multi-round federated study kind, as the study machines drive it:
///
/// 1. the lead sends ``initialPayload`` (round 0);
/// 2. every node computes ``localContribution(_:customers:using:)`` — an un-noised integer vector
///    of length ``roundNoise(for:)``.`dimension` whose per-customer sensitivity is stated there —
///    and adds its own noise with ``Learning/RoundNoise/addNoise(to:using:)``;
/// 3. the lead sums the noised vectors and calls ``advance(_:aggregate:round:)``, which returns
///    the next round's payload or the final result.
///
/// ``maximumRounds`` rounds are budgeted and ``cost`` is the whole study's per-node cost (all
/// rounds composed); a study that stops early spends no more than that. ``advance(_:aggregate:round:)``
/// always finishes by round `maximumRounds − 1`.
public protocol FederatedAlgorithm: Sendable {
    /// What the lead sends each round.
    associatedtype Payload: Codable & Sendable & Hashable
    /// The released result.
    associatedtype Result: Codable & Sendable & Hashable

    /// Rounds the budget pays for (the study never runs more).
    var maximumRounds: Int { get }
    /// Round 0's payload.
    var initialPayload: Payload { get }
    /// The per-node whole-study cost (all ``maximumRounds`` rounds composed), to check against the
    /// node's policy before anything is read and to charge before anything leaves.
    var cost: Privacy.Cost { get }
    /// The noise (σ² per node in encoded units) and sensitivity of the round with this payload.
    func roundNoise(for payload: Payload) throws -> Learning.RoundNoise
    /// A node's un-noised contribution for `payload` from its own (consenting) customers.
    /// `generator` is used only where the algorithm samples (Poisson subsampling); it must be
    /// the node's secret CSPRNG in production.
    func localContribution(_ payload: Payload, customers: Learning.Customers,
                           using generator: inout some RandomNumberGenerator) throws -> [Int64]
    /// The lead's step after summing round `round`'s (0-based) noised contributions.
    func advance(_ payload: Payload, aggregate: [Int64], round: Int) throws -> Learning.Step<Payload, Result>
}

extension FederatedAlgorithm {
    /// The whole study's per-node ε at `delta` (what `cohort privacy cost` prints).
    public func epsilon(delta: Double) throws -> Double {
        do {
            return try cost.epsilon(delta: delta)
        } catch let error as PrivacyError {
            throw LearningError(.invalidPrivacyParameter, error.message)
        }
    }
}
