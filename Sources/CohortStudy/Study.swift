/// Namespace for federated studies: specs, local contributions, noise calibration, aggregation,
/// results, participant policy, and the lead and participant protocol state machines.
///
/// Everything in this namespace is pure (no sockets, files, SQLite or clocks): the node runtime
/// feeds events into ``Study/LeadMachine`` and ``Study/ParticipantMachine`` and carries out the
/// directives they return, in the style of swift-cluster-membership's `SWIM.Instance`.
public enum Study {}
