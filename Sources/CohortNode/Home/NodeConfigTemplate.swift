/// Writes the commented `cohort.yaml` created by `cohort node init`.
public enum NodeConfigTemplate {
    /// The commented config text for a new node. It parses to a valid ``NodeConfig``.
    ///
    /// - Parameters:
    ///   - name: the node name (validated by the caller with ``NodeConfig/isValidName(_:)``).
    ///   - consortium: the consortium name.
    public static func text(name: String, consortium: String) -> String {
        """
        # Cohort node configuration.
        # Created by `cohort node init`. Keys are snake_case; paths are relative to this directory.

        node:
          # This node's name: lowercase letters, digits and '-'. Peers know it by this name; it is
          # the last part of the SAN URI cohort://<consortium>/<name> in the node certificate.
          name: \(name)
          # The consortium this node belongs to (same syntax).
          consortium: \(consortium)
          # production: real node (noise from the OS CSPRNG only) | simulation: scenario runs.
          mode: production

        network:
          # host:port of the peer service (mutual TLS). Port 0 picks a free port.
          listen: "127.0.0.1:0"
          # host:port of the Prometheus metrics endpoint.
          metrics: "127.0.0.1:0"
          # The other nodes of the consortium, e.g.
          #   - { name: globex, address: "127.0.0.1:7401" }
          peers: []

        tls:
          certificate: tls/node.pem      # this node's certificate (PEM)
          key: tls/node.key              # its private key (PEM, 0600)
          trust_bundle: tls/trust.pem    # CA certificates of the consortium
          revoked: tls/revoked.txt       # revoked certificate serials, one per line

        privacy:
          # delta of the (epsilon, delta) guarantee; must be in (0, 1).
          delta: 1.0e-6
          # The node takes part in a study only if at least this many customers consent.
          min_customers: 50
          # Privacy budget per purpose. A purpose missing here cannot be used by any study.
          #   epsilon_per_period: total epsilon that may be spent in any window of period_days days
          #   epsilon_per_study:  the most one study may spend (<= epsilon_per_period)
          purposes:
            segmentation:   { epsilon_per_period: 4.0, period_days: 30, epsilon_per_study: 1.0 }
            benchmarking:   { epsilon_per_period: 4.0, period_days: 30, epsilon_per_study: 1.0 }
            model-training: { epsilon_per_period: 8.0, period_days: 30, epsilon_per_study: 4.0 }

        studies:
          # true: accept study proposals that fit the policy without asking the operator.
          auto_approve: false

        # Partner data (optional). Uncomment to set the currency money is reported in (mapped
        # transaction imports convert other currencies with --rates, or refuse them) and to
        # declare custom customer attributes (imported with a customers mapping, shown by
        # `cohort data features`):
        # data:
        #   reporting_currency: EUR
        #   attributes:
        #     contract:       { type: category, values: [Month-to-month, One year, Two year] }
        #     senior_citizen: { type: boolean }
        #     tenure_months:  { type: integer, min: 0, max: 600 }

        """
    }
}
