import CohortStudy
public import Prometheus

/// The node's Prometheus metrics: one registry per node process.
public final class NodeMetrics: Sendable {
    /// The registry rendered by the metrics endpoint.
    public let registry: PrometheusCollectorRegistry
    /// Peer RPCs served, by method.
    private let requestCounters: [String: Counter]
    /// Peer connections refused (mTLS or identity).
    public let refusals: Counter
    /// Study rounds this node took part in (as lead or participant).
    public let studyRounds: Counter
    /// Studies currently running on this node.
    public let studiesRunning: Gauge
    /// ε spent by this node (sum over releases), per purpose.
    private let epsilonSpent: [String: Counter]

    /// Names of the peer RPC methods counted in `cohort_peer_requests_total`.
    public static let methods = ["Hello", "ProposeStudy", "RequestContribution", "PublishResult", "CosignCheckpoint"]
    /// Purposes counted in `cohort_budget_epsilon_spent_total`.
    public static let purposes = ["segmentation", "benchmarking", "model-training"]

    /// Creates the metrics in a fresh registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var counters: [String: Counter] = [:]
        for method in Self.methods {
            counters[method] = registry.makeCounter(
                descriptor: Self.name("peer_requests", "total", "Peer RPCs served by this node."),
                labels: [("method", method)])
        }
        requestCounters = counters
        refusals = registry.makeCounter(
            descriptor: Self.name("peer_refusals", "total", "Peer connections refused (TLS or identity)."))
        studyRounds = registry.makeCounter(
            descriptor: Self.name("study_rounds", "total", "Study rounds this node took part in."))
        studiesRunning = registry.makeGauge(
            descriptor: Self.name("studies", "running", "Studies currently running on this node."))
        var spent: [String: Counter] = [:]
        for purpose in Self.purposes {
            spent[purpose] = registry.makeCounter(
                descriptor: Self.name(
                    "budget_epsilon_spent", "total", "Privacy budget spent by this node, in epsilon (sum over releases)."),
                labels: [("purpose", purpose)])
        }
        epsilonSpent = spent
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cohort", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one served peer RPC.
    public func countRequest(_ method: String) {
        requestCounters[method]?.increment()
    }

    /// Adds ε spent for a purpose.
    public func addEpsilon(_ epsilon: Double, purpose: String) {
        epsilonSpent[purpose]?.increment(by: epsilon)
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
