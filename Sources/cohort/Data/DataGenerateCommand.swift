import ArgumentParser
import CohortScenario
import Foundation

/// `cohort data generate`: writes a synthetic partner dataset (customers, transactions, consent)
/// plus its ground truth.
struct DataGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate synthetic customers, transactions and consent for one partner.",
        discussion: """
            Writes customers.csv, transactions.csv and consent.csv (importable with \
            'cohort data import') and ground_truth.csv (latent segment, true churn probability, \
            churn label — for evaluation only, never import it) into --out. Two years of history \
            end at --as-of. The same arguments always produce the same bytes.
            """)

    @Option(help: "Data profile: retail, telecom or bank.")
    var profile: String

    @Option(help: "Number of customers to generate.")
    var customers: Int

    @Option(help: "Random seed (unsigned 64-bit); the output is a pure function of it.")
    var seed: UInt64

    @Option(help: "Output directory (created if needed).")
    var out: String

    @Option(name: .customLong("as-of"), help: "Last day of history, YYYY-MM-DD (default 2026-06-30).")
    var asOf: String?

    @Option(name: .customLong("id-prefix"), help: "Customer-id prefix (default R, T or B by profile).")
    var idPrefix: String?

    func run() async throws {
        guard let kind = Synthetic.Profile(rawValue: profile) else {
            throw ValidationError(
                "unknown profile '\(profile)'; expected one of: "
                    + Synthetic.Profile.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let generator: Synthetic.Generator
        do {
            let day = try asOf.map { try Synthetic.CalendarDay(parsing: $0) } ?? Synthetic.Generator.defaultAsOf
            generator = try Synthetic.Generator(
                profile: kind, customers: customers, seed: seed, asOf: day, idPrefix: idPrefix)
        } catch let error as ScenarioError {
            throw ValidationError(error.message)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let summary = try generator.write(to: URL(fileURLWithPath: out, isDirectory: true))
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("""
            profile \(kind) · seed \(seed) · history \(summary.historyStart) … \(summary.asOf) \
            (churn window from \(summary.observationStart))
            \(summary.customersFile.path)  \(summary.customerCount) customers (\(summary.churnedCount) churned)
            \(summary.transactionsFile.path)  \(summary.transactionCount) transactions
            \(summary.consentFile.path)  \(summary.consentEventCount) consent events
            \(summary.groundTruthFile.path)  ground truth — for evaluation only, do not import
            generated in \((seconds * 100).rounded() / 100) s
            """)
    }
}
