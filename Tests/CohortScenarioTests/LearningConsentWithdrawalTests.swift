import CohortAudit
import CohortScenario
import CohortTestSupport
import Foundation
import Testing

/// Consent withdrawn between the rounds of a training study, with real `cohort node run`
/// processes: the withdrawing node leaves those customers out of every later round, which its
/// own audit log shows round by round (`data.accessed`, `used`).
@Suite(.serialized) struct LearningConsentWithdrawalTests {
    static let scenario = """
        name: withdrawal
        consortium: test
        parties:
          - name: alpha
            data:
              synthetic: { profile: retail, customers: 1200, seed: 1 }
          - name: beta
            data:
              synthetic: { profile: telecom, customers: 900, seed: 2 }
          - name: gamma
            data:
              synthetic: { profile: bank, customers: 900, seed: 3 }
        studies:
          - name: churn-model
            lead: alpha
            spec:
              kind: logistic-regression
              purpose: model-training
              learning: { rounds: 10 }
              privacy: { epsilon: 1.0, delta: 1.0e-6 }
        events:
          - at: { during: churn-model, round: 3 }
            withdraw_consent: { party: gamma, purpose: model-training, share: 0.3 }
        expectations:
          - study: churn-model
            outcome: published
          - no_process_left: true
        """

    /// `(round, used)` of every `data.accessed` entry of `directory`'s audit log, in log order.
    static func accesses(_ directory: URL) throws -> [(round: Int64, used: Int64)] {
        let reader = try Audit.LogReader.open(path: directory.appendingPathComponent("audit.sqlite").path)
        return try (0..<reader.size()).compactMap { index -> (Int64, Int64)? in
            let entry = try reader.entry(at: index).entry
            guard entry.type == .dataAccessed, !entry.study.isEmpty,
                  case .integer(let round)? = entry.details["round"], case .integer(let used)? = entry.details["used"]
            else { return nil }
            return (round, used)
        }
    }

    @Test func customersWhoWithdrawDuringTrainingAreLeftOutOfEveryLaterRound() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-scenario-withdrawal")
        defer { temp.remove() }
        let file = temp.appending("withdrawal.yaml")
        try Data(Self.scenario.utf8).write(to: file)
        let definition = try Scenario.load(file: file.path)
        let out = temp.appending("out")
        let outcome = try await ScenarioRunner.run(definition, options: .init(
            output: out, executable: try BuiltProducts.cohortExecutable(), file: file.path))
        #expect(outcome.failedExpectations.isEmpty, "\(outcome.failedExpectations.map { "\($0.name): \($0.detail)" })")

        let gamma = try Self.accesses(out.appendingPathComponent("nodes/gamma"))
        #expect(gamma.map(\.round) == Array(0..<Int64(gamma.count)), "one access per round, in order: \(gamma)")
        let used = gamma.map(\.used)
        let first = try #require(used.first)
        let last = try #require(used.last)
        #expect(zip(used, used.dropFirst()).allSatisfy { $0 >= $1 }, "nobody is ever added: \(used)")
        #expect(used.prefix(2).allSatisfy { $0 == first }, "the rounds before the withdrawal use everyone: \(used)")
        #expect(last < first && Double(last) >= 0.6 * Double(first), "fewer after the withdrawal (30 % withdraw, one by one, while the rounds go on): \(used)")
        // The other participants' customers are untouched.
        let beta = try Self.accesses(out.appendingPathComponent("nodes/beta")).map(\.used)
        #expect(!beta.isEmpty && Set(beta).count == 1, "\(beta)")
    }
}
