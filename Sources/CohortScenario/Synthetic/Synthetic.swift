/// Namespace for the synthetic customer-data generator used by scenarios, demos and benchmarks.
///
/// The generator writes the three importable CSV files of the data contract (`customers.csv`,
/// `transactions.csv`, `consent.csv`) plus `ground_truth.csv` (latent segment, true churn
/// probability, churn label), which is for evaluation only and must never be imported. The output
/// is a pure function of the profile, customer count, seed, as-of date and id prefix: the same
/// inputs give the same bytes on the same platform, whatever the thread scheduling.
///
/// The generator uses floating-point sampling (Box–Muller, Marsaglia–Tsang, PTRS): it produces
/// test data, not privacy noise.
public enum Synthetic {}
