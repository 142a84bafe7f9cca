import CohortCore
import CohortNode
import CohortStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The running node processes of one scenario run and the runner's view of each party's
/// customers, shared by the run and its background tasks (resuming a paused node, restarting a
/// killed one, approving studies as an operator). Every started process is registered with
/// ``ScenarioChildren`` until it has exited.
actor ScenarioCluster {
    let executable: URL
    let parties: [String: PreparedParty]
    private var processes: [String: NodeProcess] = [:]
    private var paused: Set<String> = []
    /// Every pid ever started, for the final check that none is left.
    private(set) var everStarted: [Int32] = []
    /// Customers consenting to each purpose, as the runner knows them (after its own changes).
    private(set) var consenting: [String: [Purpose: Set<String>]]
    /// Customers erased per party.
    private(set) var erased: [String: Int] = [:]

    init(executable: URL, parties: [String: PreparedParty]) {
        self.executable = executable
        self.parties = parties
        self.consenting = parties.mapValues(\.consenting)
    }

    func directory(_ name: String) throws -> URL {
        guard let party = parties[name] else { throw ScenarioError(.invalidArgument, "no party named \(name)") }
        return party.directory
    }

    /// Starts `cohort node run` for `name` and waits (at most 60 s) until it serves.
    func start(_ name: String) async throws -> NodeRunInfo {
        let process = try NodeProcess(executable: executable, directory: try directory(name), name: name)
        ScenarioChildren.register(process.pid)
        everStarted.append(process.pid)
        processes[name] = process
        do {
            return try await process.waitUntilReady(timeout: .seconds(60))
        } catch {
            await process.stop(grace: .seconds(5))
            ScenarioChildren.unregister(process.pid)
            throw error
        }
    }

    /// Whether `name`'s node process is running.
    func isRunning(_ name: String) -> Bool { processes[name]?.isRunning ?? false }

    /// The pid of `name`'s node, if running.
    func pid(_ name: String) -> Int32? { processes[name].flatMap { $0.isRunning ? $0.pid : nil } }

    /// `kill -9`.
    func crash(_ name: String) {
        guard let process = processes[name] else { return }
        paused.remove(name)
        process.crash()
        ScenarioChildren.unregister(process.pid)
    }

    /// SIGSTOP.
    func pause(_ name: String) throws {
        guard let pid = pid(name) else { throw ScenarioError(.nodeFailed, "cannot pause \(name): its node is not running") }
        kill(pid, SIGSTOP)
        paused.insert(name)
    }

    /// SIGCONT.
    func resume(_ name: String) {
        guard paused.remove(name) != nil, let pid = pid(name) else { return }
        kill(pid, SIGCONT)
    }

    /// Resumes every paused node, then stops every node (SIGTERM, SIGKILL after `grace`).
    /// - Returns: each node's exit status.
    func stopAll(grace: Duration = .seconds(10)) async -> [String: Int32] {
        for name in paused { resume(name) }
        var statuses: [String: Int32] = [:]
        for (name, process) in processes.sorted(by: { $0.key < $1.key }) {
            let wasRunning = process.isRunning
            let status = await process.stop(grace: grace)
            ScenarioChildren.unregister(process.pid)
            if wasRunning { statuses[name] = status }
        }
        return statuses
    }

    /// The last lines of `name`'s node log.
    func logTail(_ name: String, lines: Int = 15) -> String { processes[name]?.logTail(lines: lines) ?? "(not started)" }

    /// Pids of the scenario's node processes still alive.
    func survivors() -> [Int32] { everStarted.filter(ScenarioChildren.isAlive) }

    /// Records that `ids` withdrew `purpose`.
    func withdrew(_ ids: [String], purpose: Purpose, party: String) {
        consenting[party]?[purpose]?.subtract(ids)
    }

    /// Records that `ids` were erased.
    func erasedCustomers(_ ids: [String], party: String) {
        for purpose in Purpose.allCases { consenting[party]?[purpose]?.subtract(ids) }
        erased[party, default: 0] += ids.count
    }

    /// Customers of `party` with any consent, sorted (erasure candidates).
    func knownCustomers(_ party: String) -> [String] {
        Array(Set((consenting[party] ?? [:]).values.flatMap { $0 })).sorted()
    }
}
