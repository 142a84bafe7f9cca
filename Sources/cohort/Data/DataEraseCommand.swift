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
        let actor = actor ?? NodeSession.defaultActor
        let line = try await NodeRouting.route(node: node, timeout: .seconds(300)) { client in
            // The running node holds the audit log: it performs the erasure.
            let report = try await client.eraseCustomer(customerID: customer, actor: actor)
            return "Erased customer '\(customer)' (pseudonym \(report.pseudonym)) through the running node: \(report.transactions) transactions, \(report.consentEvents) consent events deleted"
        } offline: {
            let report = try await NodeSession.run(directory: node) { store, _, log in
                try await store.eraseCustomer(customerID: customer, actor: actor, audit: log)
            }
            return "Erased customer '\(customer)' (pseudonym \(report.pseudonym)): \(report.transactionsDeleted) transactions, \(report.consentEventsDeleted) consent events deleted"
        }
        print(line)
    }
}
