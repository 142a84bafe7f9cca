import CohortStudy
import CohortCore
import CohortNet
import CohortAudit
import CohortNode
import CohortStore
import Foundation

/// One run of a scenario with one seed: prepare, start, studies and events, stop, verify, check.
struct ScenarioRun {
    let definition: Scenario.Definition
    let options: ScenarioRunner.Options
    /// 0-based run index (`--seeds`).
    let index: Int
    /// Where the node directories go.
    let base: URL
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    let startedAt: Date

    var timeline: [ScenarioSummary.TimelineEntry] = []
    var studies: [ScenarioSummary.StudySummary] = []
    var comparisons: [StudyComparison] = []
    /// Whether a learning study's result says a node used simulated noise.
    var learningNoiseSimulated = false
    /// Problems an event met (a hostile connection accepted, a node that did not restart).
    var eventProblems: [String] = []
    /// The run's seed (reported; derives the random choices of events).
    let seed: UInt64

    init(definition: Scenario.Definition, options: ScenarioRunner.Options, index: Int, base: URL) {
        self.definition = definition
        self.options = options
        self.index = index
        self.base = base
        self.start = clock.now
        self.startedAt = Date()
        self.seed = (options.seed ?? 1) &+ UInt64(index)
    }

    /// Seconds since the run started.
    func now() -> Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func say(_ line: String) { options.say?(line) }

    /// Runs everything; returns the run's summary and its studies beside their truth.
    mutating func execute() async throws -> (ScenarioSummary, [StudyComparison]) {
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let names = definition.parties.map(\.name)
        let revokedTargets = Set(definition.events.compactMap { event -> String? in
            if case .badCertificates(let target, let kinds) = event.action, kinds.contains(.revoked) { return target }
            return nil
        })
        let hostile = definition.events.contains {
            if case .badCertificates = $0.action { return true }
            return false
        }
        let say = options.say ?? { _ in }
        let pki: ScenarioPKI
        if let dev = options.developmentPKI, !hostile {
            pki = try ScenarioPKI.development(directory: dev, parties: names, say: say)
        } else {
            pki = try ScenarioPKI.fresh(consortium: definition.consortium, parties: names, revokedTargets: revokedTargets)
            say("Made a fresh PKI for consortium '\(definition.consortium)' (valid 2 days)")
        }
        let runIndex = index
        let overrideSeed = options.seed
        let scale = options.scale
        let prepareStart = now()
        let prepared = try await ScenarioPreparation.prepare(
            definition, base: base, pki: pki,
            seedFor: { partyIndex, fileSeed in
                let base = overrideSeed.map { $0 &+ UInt64(partyIndex) &* 7919 } ?? fileSeed
                return base &+ UInt64(runIndex) &* 1_000_003
            },
            sizeFor: { max(200, Int((Double($0) * scale).rounded())) },
            say: say)
        say(String(format: "Prepared %d nodes in %.1f s", names.count, now()))
        timeline.append(.init(atSeconds: prepareStart, endedAtSeconds: now(), kind: .step, label: "generate and import data"))

        let cluster = ScenarioCluster(executable: options.executable, parties: prepared)
        do {
            let startNodes = now()
            for name in names {
                let info = try await cluster.start(name)
                say("Node \(name) serving on 127.0.0.1:\(info.peerPort) (pid \(info.pid), metrics port \(info.metricsPort.map(String.init) ?? "off"))")
            }
            timeline.append(.init(atSeconds: startNodes, endedAtSeconds: now(), kind: .step, label: "start \(names.count) node processes"))
            for plan in definition.studies {
                let before = definition.events.filter { $0.point == .before(plan.name) }
                var deferred: [@Sendable () async -> ScenarioSummary.TimelineEntry?] = []
                for event in before {
                    var result = await performOrReport(event, cluster: cluster, pki: pki)
                    if let later = result.later { deferred.append(later) }
                    result.later = nil
                    apply(result)
                }
                let during = definition.events.filter {
                    if case .during(let s, _) = $0.point { return s == plan.name }
                    return false
                }
                try await runStudy(plan, cluster: cluster, pki: pki, deferred: deferred, during: during)
                for event in definition.events where event.point == .after(plan.name) {
                    apply(await performCatching(event, cluster: cluster, pki: pki))
                }
            }
        } catch {
            for name in names where await cluster.isRunning(name) {
                say("Log of \(name):\n\(await cluster.logTail(name))")
            }
            _ = await cluster.stopAll(grace: .seconds(5))
            ScenarioChildren.killAll()
            throw error
        }
        let stopStart = now()
        let statuses = await cluster.stopAll()
        for (name, status) in statuses.sorted(by: { $0.key < $1.key }) where status != 0 {
            say("Node \(name) exited with status \(status)")
        }
        timeline.append(.init(atSeconds: stopStart, endedAtSeconds: now(), kind: .step, label: "stop every node"))
        let survivors = await cluster.survivors()

        let budgets = try readBudgets(prepared)
        let (audits, refusalCodes) = verifyAudits(prepared)
        let consenting = await cluster.consenting
        let erased = await cluster.erased
        let parties = definition.parties.map { party -> ScenarioSummary.Party in
            let p = prepared[party.name]
            var counts: [String: Int] = [:]
            for (purpose, set) in consenting[party.name] ?? [:] { counts[purpose.rawValue] = set.count }
            return ScenarioSummary.Party(
                name: party.name, data: p?.dataLabel ?? "?", customers: (p?.customers ?? 0) - (erased[party.name] ?? 0),
                consenting: counts, transactions: p?.transactions)
        }
        var summary = ScenarioSummary(
            scenario: definition.name, file: options.file, startedAt: ISO8601DateFormatter().string(from: startedAt),
            durationSeconds: now(), seeds: [seed], simulatedNoise: learningNoiseSimulated || comparisons.contains { $0.result.simulatedNoise },
            parties: parties, studies: studies, budgets: budgets, timeline: timeline.sorted { $0.atSeconds < $1.atSeconds },
            audits: audits)
        summary.expectations = ScenarioExpectationCheck.evaluate(
            definition.expectations, summary: summary, refusalCodes: refusalCodes, survivors: survivors, problems: eventProblems)
        return (summary, comparisons)
    }
}
