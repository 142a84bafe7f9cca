import CohortCore
import ArgumentParser
import CohortNode
import CohortStore
import Foundation

/// Options shared by `consent grant` and `consent withdraw`.
struct ConsentChangeOptions: ParsableArguments {
    /// The partner's customer id.
    @Option(help: "The customer id.")
    var customer: String

    /// The purpose.
    @Option(help: "segmentation, benchmarking or model-training")
    var purpose: String

    /// The node directory.
    @Option(help: "The node directory.")
    var node: String

    /// How consent was collected.
    @Option(help: "How consent was collected (e.g. web-form).")
    var method: String?

    /// Policy version shown.
    @Option(help: "The privacy-policy version the customer saw.")
    var policyVersion: String?

    /// When the decision was made.
    @Option(help: "When (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC; default: now).")
    var at: String?

    /// Audit actor.
    @Option(help: "Who records it, for the audit log (default: $USER).")
    var actor: String?

    /// Records the change.
    func record(_ action: ConsentAction) async throws {
        let purpose = try Purpose.parse(self.purpose)
        let when = try at.map { try CivilTime.parseArgument($0, option: "--at") } ?? Date()
        let verb = action == .grant ? "granted" : "withdrawn"
        let actor = actor ?? NodeSession.defaultActor
        let line = try await NodeRouting.route(node: node, timeout: .seconds(60)) { client in
            // The running node holds the audit log: it records the change.
            _ = try await client.recordConsent(
                customerID: customer, purpose: purpose.rawValue, action: action.rawValue, at: when,
                method: method, policyVersion: policyVersion, actor: actor)
            return "Consent \(verb) (through the running node): customer '\(customer)', purpose \(purpose.rawValue), at \(CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(when)))"
        } offline: {
            let event = try await NodeSession.run(directory: node) { store, _, log in
                try await store.recordConsent(
                    customerID: customer, purpose: purpose, action: action, at: when, method: method,
                    policyVersion: policyVersion, actor: actor, audit: log)
            }
            return "Consent \(verb): customer '\(event.customerID)', purpose \(purpose.rawValue), at \(CivilTime.iso8601(unixSeconds: CivilTime.unixSeconds(event.at)))"
        }
        print(line)
    }
}

/// `cohort consent grant --customer <id> --purpose <p> --node <dir> [--method m] [--policy-version v] [--at date]`.
struct ConsentGrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Record that a customer grants consent for a purpose.")

    @OptionGroup var options: ConsentChangeOptions

    func run() async throws {
        try await options.record(.grant)
    }
}

/// `cohort consent withdraw --customer <id> --purpose <p> --node <dir> [--method m] [--policy-version v] [--at date]`.
struct ConsentWithdrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "withdraw", abstract: "Record that a customer withdraws consent for a purpose.")

    @OptionGroup var options: ConsentChangeOptions

    func run() async throws {
        try await options.record(.withdraw)
    }
}
