import CohortNet
import ArgumentParser

/// `cohort pki`: create a consortium CA, issue node certificates, inspect, rotate.
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Manage the consortium PKI (P-256 CA, node certificates, rotation).",
        discussion: """
            Node identity is the certificate's SAN URI cohort://<consortium>/<node>. Private keys \
            are written with mode 0600 and never printed.
            """,
        subcommands: [
            PKIInitCACommand.self, PKIIssueCommand.self, PKIInspectCommand.self, PKIRotateCommand.self,
        ]
    )
}
