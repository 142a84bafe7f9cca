import ArgumentParser
import CohortNode
import CohortStore

/// `cohort data erase --customer <id> --node <dir>`.
struct DataEraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a customer: delete its rows and pseudonym mapping (audited as subject.erased).")

    /// The partner's customer id.
    @Option(help: "The customer id to erase.")
    var customer: String

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// Audit actor.
    @Option(help: "Who requests the erasure, for the audit log (default: $USER).")
    var actor: String?

    func run() async throws {
        if AdminClient.runningNode(nodeDirectory: node) != nil {
            // The running node holds the audit log: it performs the erasure.
            let report = try await AdminClient.withConnection(nodeDirectory: node, timeout: .seconds(300)) {
                try await $0.eraseCustomer(customerID: customer, actor: actor ?? NodeSession.defaultActor)
            }
            print("Erased customer '\(customer)' (pseudonym \(report.pseudonym)) through the running node: \(report.transactions) transactions, \(report.consentEvents) consent events deleted")
            return
        }
        let report = try await NodeSession.run(directory: node) { store, _, log in
            try await store.eraseCustomer(customerID: customer, actor: actor ?? NodeSession.defaultActor, audit: log)
        }
        print("Erased customer '\(customer)' (pseudonym \(report.pseudonym)): \(report.transactionsDeleted) transactions, \(report.consentEventsDeleted) consent events deleted")
    }
}
