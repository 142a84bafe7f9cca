import Foundation
import Testing
@testable import CohortStore

@Suite("budget persistence")
struct StoreBudgetTests {
    /// Charges `epsilon` if the purpose's total stays within `cap`.
    static func charge(_ store: NodeStore, study: String, epsilon: Double, cap: Double) throws -> Bool {
        try store.chargeBudget(purpose: "segmentation", study: study, at: Date()) { history in
            let spent = history.reduce(0) { $0 + $1.epsilon }
            guard spent + epsilon <= cap + 1e-12 else { return nil }
            return BudgetSpendRecord(purpose: "segmentation", study: study, epsilon: epsilon, delta: 1e-7,
                                     rho: epsilon * epsilon / 8, mechanism: "discrete-gaussian", costJSON: "{\"e\":\(epsilon)}", at: Date())
        } != nil
    }

    @Test("refusal writes nothing; spends are returned by purpose and date")
    func basic() async throws {
        let node = try await TestNode.make(seeded: false)
        defer { node.cleanup() }
        #expect(try Self.charge(node.store, study: "s1", epsilon: 0.75, cap: 1))
        #expect(try !Self.charge(node.store, study: "s2", epsilon: 0.5, cap: 1))
        let spends = try node.store.budgetSpends(purpose: "segmentation")
        #expect(spends.count == 1)
        #expect(spends[0].study == "s1")
        #expect(spends[0].rho == 0.75 * 0.75 / 8)
        #expect(spends[0].costJSON == "{\"e\":0.75}")
        #expect(spends[0].id != nil)
        #expect(try node.store.budgetSpends(purpose: "benchmarking").isEmpty)
        #expect(try node.store.budgetSpends(purpose: "segmentation", since: Date().addingTimeInterval(3600)).isEmpty)
    }

    @Test("concurrent chargers on threads and on separate connections never overspend")
    func concurrent() async throws {
        let node = try await TestNode.make(seeded: false)
        defer { node.cleanup() }
        // A second, independent store (its own DatabasePool) on the same file, like another process.
        let second = try NodeStore.open(directory: node.store.directory.root)
        defer { try? second.close() }
        let stores = [node.store, second]
        let successes = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let store = stores[worker % 2]
            for i in 0..<10 {
                if (try? Self.charge(store, study: "w\(worker)-\(i)", epsilon: 0.1, cap: 3.0)) == true {
                    successes.increment()
                }
            }
        }
        let spends = try node.store.budgetSpends(purpose: "segmentation")
        let total = spends.reduce(0) { $0 + $1.epsilon }
        #expect(total <= 3.0 + 1e-9)
        #expect(spends.count == 30)
        #expect(successes.value == 30)
    }
}

/// Thread-safe counter for the concurrency test.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
