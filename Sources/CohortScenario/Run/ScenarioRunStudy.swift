import CohortWire
import CohortCore
import CohortStudy
import CohortNode
import CohortStore
import Foundation

/// What the concurrent parts of a study report back.
private enum StudyTaskResult: Sendable {
    case outcome(state: String, reason: String, resultJSON: Data, endedAt: Double)
    case watched(roundStartedAt: Double?, roundStarts: [Int: Double], result: EventResult)
    case entry(ScenarioSummary.TimelineEntry?)
    case nothing
}

extension ScenarioRun {
    /// A study id: the study's name (at most 48 characters), the run and 8 random hex digits.
    static func studyID(_ name: String, run: Int) -> String {
        "\(name.prefix(48))-r\(run + 1)-\(String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(8))"
    }

    /// `spec` with its id and, when the options say so, another ε.
    func prepared(_ spec: Study.Spec, id: String) throws -> Study.Spec {
        var spec = try spec.withID(id)
        if let epsilon = options.epsilon {
            guard var object = try JSONSerialization.jsonObject(with: spec.canonicalJSON()) as? [String: Any],
                  var privacy = object["privacy"] as? [String: Any] else {
                throw ScenarioError(.invalidArgument, "cannot set ε on study \(id)")
            }
            privacy["epsilon"] = epsilon
            object["privacy"] = privacy
            spec = try Study.Spec.load(json: JSONSerialization.data(withJSONObject: object))
        }
        return spec
    }

    /// Proposes `plan` from its lead, with the `before` events' later parts, the operator's
    /// decisions for manual parties and the `during` events running beside it; records the
    /// study, its round and its comparison with the centralized baseline.
    mutating func runStudy(
        _ plan: Scenario.StudyPlan, cluster: ScenarioCluster, pki: ScenarioPKI,
        deferred: [@Sendable () async -> ScenarioSummary.TimelineEntry?], during: [Scenario.Event]
    ) async throws {
        let id = Self.studyID(plan.name, run: index)
        let spec = try prepared(plan.spec, id: id)
        let text = String(decoding: try spec.canonicalJSON(), as: UTF8.self)
        let leadDirectory = try await cluster.directory(plan.lead).path
        let decisions = definition.parties.filter { plan.participants.contains($0.name) && $0.approval != .auto }
        var decisionDirectories: [(String, String, Bool)] = []
        for party in decisions {
            decisionDirectories.append((party.name, try await cluster.directory(party.name).path, party.approval == .manual))
        }
        say("\nProposing study '\(plan.title)' from \(plan.lead) …")
        let startedAt = now()
        let finished = ScenarioFlag()
        let clock = clock
        let start = start
        let elapsed: @Sendable () -> Double = {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let progress = options.progress ? options.say : nil
        let run = self
        let timeout = Duration.seconds(spec.deadlineSeconds + 60)
        var outcome: (state: String, reason: String, json: Data, endedAt: Double)?
        var roundStartedAt: Double?
        var roundStarts: [Int: Double] = [:]
        var collected = EventResult()
        try await withThrowingTaskGroup(of: StudyTaskResult.self) { group in
            group.addTask {
                do {
                    let r = try await AdminClient.withConnection(nodeDirectory: leadDirectory, timeout: timeout) {
                        try await $0.propose(spec: text)
                    }
                    return .outcome(state: r.state, reason: r.reason, resultJSON: r.resultJson, endedAt: elapsed())
                } catch {
                    return .outcome(state: "failed", reason: "the lead \(plan.lead) could not run the study: \(error)", resultJSON: Data(), endedAt: elapsed())
                }
            }
            for later in deferred {
                group.addTask { .entry(await later()) }
            }
            let deciders = decisionDirectories
            if !deciders.isEmpty {
                group.addTask {
                    await Self.decide(study: id, parties: deciders, until: finished)
                    return .nothing
                }
            }
            group.addTask {
                let (started, starts, result) = await Self.watch(
                    study: id, leadDirectory: leadDirectory, until: finished, elapsed: elapsed, progress: progress,
                    during: during, fire: { event, late in
                        var result = await run.performCatching(event, cluster: cluster, pki: pki)
                        if late {
                            result.entries = result.entries.map {
                                var entry = $0
                                entry.detail = [entry.detail, "the round ended before the event could land; it ran right after the study"]
                                    .compactMap { $0 }.joined(separator: "; ")
                                return entry
                            }
                        }
                        return result
                    })
                return .watched(roundStartedAt: started, roundStarts: starts, result: result)
            }
            for try await result in group {
                switch result {
                case .outcome(let state, let reason, let json, let endedAt):
                    outcome = (state, reason, json, endedAt)
                    finished.set()
                case .watched(let started, let starts, let result):
                    roundStartedAt = started
                    roundStarts = starts
                    collected.merge(result)
                case .entry(let entry):
                    if let entry { collected.entries.append(entry) }
                case .nothing:
                    break
                }
            }
        }
        apply(collected)
        guard let outcome else { throw ScenarioError(.studyFailed, "study \(plan.name) gave no outcome") }
        try await record(
            plan: plan, spec: spec, id: id, cluster: cluster, outcome: outcome, startedAt: startedAt,
            roundStartedAt: roundStartedAt, roundStarts: roundStarts)
    }

    /// Records a study's outcome: the summary, its comparison with the baseline, the timeline.
    mutating func record(
        plan: Scenario.StudyPlan, spec: Study.Spec, id: String, cluster: ScenarioCluster,
        outcome: (state: String, reason: String, json: Data, endedAt: Double), startedAt: Double, roundStartedAt: Double?,
        roundStarts: [Int: Double] = [:]
    ) async throws {
        let isMean = spec.kind == .mean
        var summary = ScenarioSummary.StudySummary(
            name: plan.name, id: id, kind: spec.kind.rawValue, purpose: spec.purpose.rawValue, lead: plan.lead,
            participants: [plan.lead] + plan.participants, status: .failed, failureReason: nil,
            dimensions: spec.dimensions.map(\.description),
            valueLabel: isMean ? "mean \(spec.mean?.measure.rawValue ?? "value")" : "customers",
            startedAtSeconds: startedAt, endedAtSeconds: outcome.endedAt)
        if outcome.state == "completed", spec.kind.isLearning {
            let result = try Study.Result.decode(json: outcome.json)
            var directories: [URL] = []
            for node in [plan.lead] + plan.participants { directories.append(try await cluster.directory(node)) }
            try recordLearning(result, title: plan.title, nodeDirectories: directories, into: &summary)
            // Each round from when the lead first reported it (polled) to the next round's start;
            // a round the poll did not see starts when the round before it ended.
            let count = max(result.learning?.rounds ?? 1, 1)
            var previousEnd = roundStartedAt ?? startedAt
            summary.rounds = []
            for index in 1...count {
                let start = index == 1 ? previousEnd : max(roundStarts[index] ?? previousEnd, previousEnd)
                let end = max(start, ((index + 1)...(count + 1)).lazy.compactMap { roundStarts[$0] }.first ?? outcome.endedAt)
                summary.rounds.append(.init(index: index, startedAtSeconds: start, endedAtSeconds: end, contributors: result.participants.map(\.node)))
                previousEnd = end
            }
        } else if outcome.state == "completed" {
            let result = try Study.Result.decode(json: outcome.json)
            var directories: [URL] = []
            for node in [plan.lead] + plan.participants { directories.append(try await cluster.directory(node)) }
            let truth = try Centralized.answer(spec: result.spec, nodeDirectories: directories)
            let comparison = StudyComparison(title: plan.title, result: result, truth: truth)
            say(comparison.render())
            comparisons.append(comparison)
            summary.status = .published
            summary.cells = zip(result.cells, truth).map { cell, exact in
                ScenarioSummary.Cell(
                    labels: cell.labels,
                    federated: cell.suppressed ? nil : (isMean ? cell.mean : cell.count),
                    standardError: cell.suppressed ? nil : (isMean ? cell.meanStandardError : cell.countStandardError),
                    central: isMean ? exact.mean : Double(exact.count), suppressed: cell.suppressed)
            }
            summary.errors = .of(summary.cells)
            summary.spends = result.participants.map { .init(node: $0.node, epsilon: $0.epsilon, delta: $0.delta, rho: $0.rho) }
            summary.releasedCustomers = result.releasedCustomers
            summary.releasedCustomersStandardError = result.releasedCustomersStandardError
            summary.centralCustomers = truth.reduce(0) { $0 + $1.count }
            summary.rounds = [.init(
                index: 1, startedAtSeconds: roundStartedAt ?? startedAt, endedAtSeconds: outcome.endedAt,
                contributors: result.participants.map(\.node))]
        } else {
            summary.failureReason = outcome.reason
            say("Study '\(plan.title)' failed: \(outcome.reason)")
        }
        timeline.append(.init(
            atSeconds: startedAt, endedAtSeconds: outcome.endedAt, kind: .study, label: plan.title, party: plan.lead,
            study: plan.name, detail: summary.status == .published ? "published" : "failed: \(outcome.reason)"))
        for round in summary.rounds {
            timeline.append(.init(
                atSeconds: round.startedAtSeconds, endedAtSeconds: round.endedAtSeconds, kind: .round,
                label: "\(plan.title), round \(round.index)", study: plan.name,
                detail: "contributions from \(round.contributors.joined(separator: ", "))"))
        }
        studies.append(summary)
    }

    /// Acts as the operator of manual parties: approves (or rejects) the study as soon as each
    /// party has queued it, polling every 100 ms until `finished`.
    static func decide(study: String, parties: [(String, String, Bool)], until finished: ScenarioFlag) async {
        var pending = parties
        for _ in 0..<36_000 where !pending.isEmpty && !finished.isSet {
            var still: [(String, String, Bool)] = []
            for (name, directory, approve) in pending {
                let queued = (try? await AdminClient.withConnection(nodeDirectory: directory, timeout: .seconds(5)) {
                    try await $0.studies()
                })?.contains { $0.id == study && $0.state == "awaitingApproval" } ?? false
                if queued {
                    _ = try? await AdminClient.withConnection(nodeDirectory: directory, timeout: .seconds(5)) {
                        try await $0.decide(study: study, approve: approve, reason: approve ? "approved by the scenario's operator" : "rejected by the scenario's operator")
                    }
                } else {
                    still.append((name, directory, approve))
                }
            }
            pending = still
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

extension String {
    /// The string padded with leading zeros to `width`.
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
