import CohortWire
import CohortCore
import CohortNode
import CohortPrivacy
import CohortStore
import Foundation

extension ScenarioRun {
    /// Performs `event`; a failure becomes a problem of the run instead of stopping it.
    func performCatching(_ event: Scenario.Event, cluster: ScenarioCluster, pki: ScenarioPKI) async -> EventResult {
        do {
            var result = try await perform(event, cluster: cluster, pki: pki)
            if let later = result.later {
                result.later = nil
                if let entry = await later() { result.entries.append(entry) }
            }
            return result
        } catch {
            say("Event '\(event.action)' failed: \(error)")
            var result = EventResult()
            result.problems.append("\(event.point): \(event.action) failed: \(error)")
            result.entries.append(.init(atSeconds: now(), kind: .event, label: event.action.description, party: event.action.party,
                                        study: event.point.study, detail: "failed: \(error)"))
            return result
        }
    }

    /// Performs the immediate part of `event`, keeping its later part; a failure becomes a
    /// problem of the run.
    func performOrReport(_ event: Scenario.Event, cluster: ScenarioCluster, pki: ScenarioPKI) async -> EventResult {
        do {
            return try await perform(event, cluster: cluster, pki: pki)
        } catch {
            say("Event '\(event.action)' failed: \(error)")
            var result = EventResult()
            result.problems.append("\(event.point): \(event.action) failed: \(error)")
            result.entries.append(.init(atSeconds: now(), kind: .event, label: event.action.description, party: event.action.party,
                                        study: event.point.study, detail: "failed: \(error)"))
            return result
        }
    }

    /// Performs the immediate part of `event` and returns the rest (see ``EventResult``).
    func perform(_ event: Scenario.Event, cluster: ScenarioCluster, pki: ScenarioPKI) async throws -> EventResult {
        let at = now()
        let label = event.action.description
        say("Event (\(event.point)): \(label)")
        var result = EventResult()
        func entry(_ detail: String?, endedAt: Double? = nil) -> ScenarioSummary.TimelineEntry {
            .init(atSeconds: at, endedAtSeconds: endedAt ?? now(), kind: .event, label: label, party: event.action.party,
                  study: event.point.study, detail: detail)
        }
        let clock = clock
        let start = start
        let elapsed: @Sendable () -> Double = {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        switch event.action {
        case .kill(let party, let restartAfter):
            await cluster.crash(party)
            result.entries.append(entry("killed with SIGKILL"))
            if let restartAfter {
                let say = options.say
                result.later = {
                    try? await Task.sleep(for: .seconds(restartAfter))
                    let restartAt = elapsed()
                    do {
                        let info = try await cluster.start(party)
                        say?("Node \(party) restarted on 127.0.0.1:\(info.peerPort) (pid \(info.pid))")
                        return .init(atSeconds: restartAt, endedAtSeconds: elapsed(), kind: .event, label: "restart \(party)", party: party,
                                     detail: "serving again (pid \(info.pid))")
                    } catch {
                        return .init(atSeconds: restartAt, endedAtSeconds: elapsed(), kind: .event, label: "restart \(party)", party: party,
                                     detail: "did not restart: \(error)")
                    }
                }
            }
        case .pause(let party, let seconds):
            try await cluster.pause(party)
            result.later = {
                try? await Task.sleep(for: .seconds(seconds))
                await cluster.resume(party)
                return .init(atSeconds: at, endedAtSeconds: elapsed(), kind: .event, label: "\(party) paused (SIGSTOP … SIGCONT)",
                             party: party, detail: String(format: "stopped answering for %.1f s", seconds))
            }
        case .withdrawConsent(let party, let purpose, let share):
            var random = Privacy.SeededGenerator(seed: seed).derived(UInt64(event.line ?? 0))
            let candidates = ((await cluster.consenting[party]?[purpose]) ?? []).sorted()
            let count = min(candidates.count, max(1, Int((Double(candidates.count) * share).rounded())))
            let chosen = Array(candidates.shuffled(using: &random).prefix(count))
            let directory = try await cluster.directory(party).path
            try await Self.inParallel(chosen, width: 8) { id in
                _ = try await AdminClient.withConnection(nodeDirectory: directory, timeout: .seconds(30)) {
                    try await $0.recordConsent(
                        customerID: id, purpose: purpose.rawValue, action: "withdraw", at: Date(), method: "scenario",
                        policyVersion: "scenario-1", actor: "scenario")
                }
            }
            await cluster.withdrew(chosen, purpose: purpose, party: party)
            result.entries.append(entry("\(chosen.count) of \(candidates.count) consenting customers withdrew \(purpose.rawValue)"))
        case .erase(let party, let customers):
            var random = Privacy.SeededGenerator(seed: seed).derived(UInt64(event.line ?? 0) &+ 0x4552_4153)
            let candidates = await cluster.knownCustomers(party)
            let chosen = Array(candidates.shuffled(using: &random).prefix(customers))
            let directory = try await cluster.directory(party).path
            // One at a time: concurrent erasures through a running node fail with "database is
            // locked" after SQLite's busy timeout (seen with 8 concurrent `cohort data erase`).
            try await Self.inParallel(chosen, width: 1) { id in
                _ = try await AdminClient.withConnection(nodeDirectory: directory, timeout: .seconds(30)) {
                    try await $0.eraseCustomer(customerID: id, actor: "scenario")
                }
            }
            await cluster.erasedCustomers(chosen, party: party)
            result.entries.append(entry("\(chosen.count) customers erased"))
        case .badCertificates(let target, let kinds):
            let port = try NodeRunInfo.read(from: try await cluster.directory(target)).peerPort
            let impersonated = definition.parties.first { $0.name != target }?.name ?? "mallory"
            var refused: [String] = []
            for kind in kinds {
                let material = try pki.hostile(kind, target: target, impersonated: impersonated)
                if let accepted = await ScenarioHostilePeer.present(material, as: kind.rawValue, target: target, port: port) {
                    result.problems.append(accepted)
                    say("  \(accepted)")
                } else {
                    refused.append(kind.rawValue)
                }
            }
            result.entries.append(entry("refused: \(refused.joined(separator: ", "))"))
        case .malformedBurst(let target, let kind, let connections, let bytes):
            let port = try NodeRunInfo.read(from: try await cluster.directory(target)).peerPort
            let seed = self.seed &+ UInt64(event.line ?? 0)
            let closed = await Self.offPool {
                ScenarioHostilePeer.burst(kind: kind, connections: connections, bytes: bytes, port: port, seed: seed)
            }
            guard await cluster.isRunning(target) else {
                result.problems.append("\(target) died during a burst of \(kind.rawValue) connections")
                result.entries.append(entry("the node DIED"))
                return result
            }
            result.entries.append(entry("\(closed) of \(connections) connections closed by \(target); the node kept serving"))
        case .overBudget(let probe):
            result.studies.append(try await overBudget(probe, cluster: cluster, at: at))
            result.entries.append(entry("proposed; see study \(probe.name)"))
        }
        return result
    }

    /// Runs `body` for every item, at most `width` at a time. Throws the first failure.
    static func inParallel(_ items: [String], width: Int, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = items.makeIterator()
            for _ in 0..<max(1, width) {
                guard let item = iterator.next() else { break }
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                guard let item = iterator.next() else { continue }
                group.addTask { try await body(item) }
            }
        }
    }

    /// Runs blocking `work` on its own thread, not the cooperative pool.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    /// Proposes from `probe.lead` a histogram study whose ε is above what `probe.party` has
    /// left for the purpose, within the lead's own caps, and records its outcome.
    func overBudget(_ probe: Scenario.OverBudgetProbe, cluster: ScenarioCluster, at: Double) async throws -> ScenarioSummary.StudySummary {
        func line(_ name: String) async throws -> NodeBudget.Line? {
            let directory = try await cluster.directory(name).path
            return try await AdminClient.withConnection(nodeDirectory: directory, timeout: .seconds(10)) {
                try await $0.status(probePeers: false)
            }.budget.first { $0.purpose == probe.purpose.rawValue }
        }
        let party = try await line(probe.party)
        let lead = try await line(probe.lead)
        let remaining = party?.remainingEpsilon ?? 0
        let leadLimit = min(lead?.studyCapEpsilon ?? 10, lead?.remainingEpsilon ?? 10, 10)
        let epsilon = min(leadLimit, remaining * 1.5 + 0.05)
        let delta = min(party?.delta ?? 1e-6, lead?.delta ?? 1e-6)
        let id = Self.studyID(probe.name, run: index)
        var summary = ScenarioSummary.StudySummary(
            name: probe.name, id: id, kind: "histogram", purpose: probe.purpose.rawValue, lead: probe.lead,
            participants: [probe.lead, probe.party], status: .failed, dimensions: ["rfm_segment"], valueLabel: "customers",
            startedAtSeconds: at, endedAtSeconds: at)
        guard epsilon > remaining else {
            summary.failureReason = String(format: "not proposed: %@ cannot afford ε above %@'s remaining %.3f", probe.lead, probe.party, remaining)
            say("Probe '\(probe.name)': \(summary.failureReason ?? "")")
            return summary
        }
        let yaml = """
            id: \(id)
            kind: histogram
            purpose: \(probe.purpose.rawValue)
            as_of: \(definition.asOf)
            dimensions: [rfm_segment]
            privacy: { epsilon: \(epsilon), delta: \(delta), min_count: 0 }
            participants: [\(probe.party)]
            deadline_seconds: 60
            """
        let directory = try await cluster.directory(probe.lead).path
        say(String(format: "\nProposing '%@' from %@ at ε = %.3f (%@ has %.3f left for %@) …", probe.name, probe.lead, epsilon, probe.party, remaining, probe.purpose.rawValue))
        do {
            let response = try await AdminClient.withConnection(nodeDirectory: directory, timeout: .seconds(120)) {
                try await $0.propose(spec: yaml)
            }
            summary.status = response.state == "completed" ? .published : .failed
            summary.failureReason = response.state == "completed" ? nil : response.reason
        } catch {
            summary.failureReason = "the lead \(probe.lead) could not run the study: \(error)"
        }
        summary.endedAtSeconds = now()
        say(summary.status == .published ? "Probe '\(probe.name)' was PUBLISHED" : "Probe '\(probe.name)' failed: \(summary.failureReason ?? "")")
        return summary
    }

    /// Polls the lead every 50 ms (250 ms when there is nothing to fire or show) until `finished` (at most one hour): notes when the round
    /// starts and when the lead first reports each round number, prints progress lines, and fires each `during` event once its round is under
    /// way — or right after the study when the round was over before it could be seen.
    static func watch(
        study: String, leadDirectory: String, until finished: ScenarioFlag, elapsed: @escaping @Sendable () -> Double,
        progress: (@Sendable (String) -> Void)?, during: [Scenario.Event],
        fire: @escaping @Sendable (Scenario.Event, Bool) async -> EventResult
    ) async -> (Double?, [Int: Double], EventResult) {
        var roundStart: Double?
        var roundStarts: [Int: Double] = [:]
        var pending = during
        var collected = EventResult()
        var last = ""
        for _ in 0..<72_000 {
            let done = finished.isSet
            let detail = try? await AdminClient.withConnection(nodeDirectory: leadDirectory, timeout: .seconds(5)) {
                try await $0.study(study)
            }
            var round = 0
            if let detail {
                let running = detail.state == "contributing" || detail.state == "collecting"
                if running || detail.round != nil {
                    if roundStart == nil { roundStart = elapsed() }
                }
                // Round 1 is under way from the proposal on (the participants decide, then
                // contribute); a later round once the lead reports it.
                round = detail.round?.number ?? 1
                if let number = detail.round?.number, roundStarts[number] == nil { roundStarts[number] = elapsed() }
                if let progress {
                    var text = "  [\(String(format: "%.1f", elapsed())) s] \(study): \(detail.state)"
                    if let r = detail.round { text += ", round \(r.number)/\(r.of): \(r.received)/\(r.expected) contributions" }
                    if !detail.waitingFor.isEmpty { text += ", waiting for \(detail.waitingFor.joined(separator: ", "))" }
                    if text.dropFirst(text.firstIndex(of: "]").map { text.distance(from: text.startIndex, to: $0) } ?? 0) != last.dropFirst(last.firstIndex(of: "]").map { last.distance(from: last.startIndex, to: $0) } ?? 0) {
                        progress(text)
                        last = text
                    }
                }
                if detail.state == "completed" || detail.state.hasPrefix("failed") { round = 0 }
            }
            let ready = pending.filter {
                if case .during(_, let r) = $0.point { return r <= round }
                return false
            }
            for event in ready { collected.merge(await fire(event, false)) }
            pending.removeAll { event in ready.contains { $0.line == event.line && $0.action == event.action } }
            if done {
                for event in pending { collected.merge(await fire(event, true)) }
                break
            }
            // Quick polls while an event waits for its round or progress is shown; otherwise
            // only the round's start time is wanted.
            try? await Task.sleep(for: .milliseconds(pending.isEmpty && progress == nil ? 250 : 50))
        }
        return (roundStart, roundStarts, collected)
    }
}
