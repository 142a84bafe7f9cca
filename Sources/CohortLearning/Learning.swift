/// Namespace for the federated learning algorithms of Cohort's multi-round studies: consortium
/// feature transforms, DP k-means, DP logistic regression, federated evaluation, DP quantiles,
/// their central non-private baselines and a quality harness.
///
/// Everything here is pure (no I/O). Each study kind is a ``FederatedAlgorithm``: a validated
/// plan that says, per round, what the lead sends (a `Payload`), what every node computes from
/// its own customers (an un-noised integer vector with a stated per-customer sensitivity), how
/// much discrete Gaussian noise each node adds (``RoundNoise``, encoded units), and how the lead
/// turns the summed vector into the next payload or the final result.
public enum Learning {}
