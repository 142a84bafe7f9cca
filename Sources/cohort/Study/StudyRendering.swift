import CohortCore
import CohortStudy
import CohortNode
import CohortStore
import Foundation

/// The human-readable outputs of `cohort study show|status|list|validate` and the progress
/// lines of `study propose`. Pure: every figure comes from the values passed in (ages and
/// time to the deadline included), so the outputs are snapshot-tested.
enum StudyRendering {
    // MARK: show

    /// `study show`: what the operator is asked to agree to, this node's cost, and where the
    /// study stands.
    static func show(_ d: StudyDetail, node: String) -> String {
        var lines: [String] = ["study \(d.id)"]
        func row(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value) }
        let spec = d.spec
        row("lead", d.lead == node ? "\(d.lead) (this node)" : d.lead)
        row("parties", partiesText(d, node: node))
        row("kind", kindText(spec))
        row("purpose", spec.purpose.rawValue)
        row("as of", "\(spec.asOf) (behaviour data up to the end of that day, UTC)")
        row("privacy", privacyText(spec))
        if let deadline = d.deadline {
            row("deadline", "\(deadline) (\(relative(d.secondsToDeadline ?? 0)))")
        } else {
            row("deadline", "\(spec.deadlineSeconds) s after the lead starts the study")
        }
        row(d.role == .lead ? "started" : "received", "\(d.since) (\(duration(d.ageSeconds)) ago)")
        row("state", stateText(d))
        if let waiting = d.waitingReason { row("waiting for", waiting) }

        lines.append("")
        lines.append("this node's cost (local figures, never sent to another node):")
        if let b = d.budget {
            lines.append(contentsOf: budgetLines(b).map { "  " + $0 })
        } else {
            lines.append("  unknown: the node could not compute it")
        }

        lines.append("")
        lines.append("progress:")
        lines.append(contentsOf: progressLines(d).map { "  " + $0 })

        lines.append("")
        lines.append("spec (as every party received it):")
        lines.append(contentsOf: specLines(spec).map { "  " + $0 })
        return lines.joined(separator: "\n")
    }

    /// The spec as YAML a person would write (the same keys and values as its canonical JSON).
    static func specLines(_ spec: Study.Spec) -> [String] {
        var lines: [String] = []
        if let id = spec.id { lines.append("id: \(id)") }
        lines.append("kind: \(spec.kind.rawValue)")
        lines.append("purpose: \(spec.purpose.rawValue)")
        lines.append("as_of: \(spec.asOf)")
        if !spec.kind.isLearning { lines.append("dimensions: [\(spec.dimensions.map(\.rawValue).joined(separator: ", "))]") }
        if let learning = spec.learning { lines.append("learning: { \(learningText(learning)) }") }
        if !spec.regions.isEmpty { lines.append("regions: [\(spec.regions.joined(separator: ", "))]") }
        if let mean = spec.mean {
            lines.append("measure: \(mean.measure.rawValue)")
            lines.append("lower: \(number(mean.lower))")
            lines.append("upper: \(number(mean.upper))")
        }
        let p = spec.privacy
        lines.append("privacy: { epsilon: \(number(p.epsilon)), delta: \(number(p.delta)), min_count: \(p.minCount) }")
        lines.append("participants: [\(spec.participants.joined(separator: ", "))]")
        lines.append("deadline_seconds: \(spec.deadlineSeconds)")
        if let deadline = spec.deadlineAt { lines.append("deadline_at: \(StudyDetail.timestamp(deadline))") }
        return lines
    }

    // MARK: status

    /// `study status` and the end of `study propose`'s progress: state, round, who the study
    /// waits for, each party's stage.
    static func status(_ d: StudyDetail, node: String) -> String {
        var head = "study \(d.id) (\(d.role == .lead ? "led by this node" : "lead \(d.lead)")): \(stateText(d))"
        if let round = d.round, d.role == .lead {
            head += "; round \(round.number) of \(round.of): \(round.received) of \(round.expected) contributions"
        }
        var lines = [head]
        if let waiting = d.waitingReason { lines.append("  waiting for \(waiting)") }
        if let deadline = d.deadline { lines.append("  deadline \(deadline) (\(relative(d.secondsToDeadline ?? 0)))") }
        lines.append(contentsOf: progressLines(d).map { "  " + $0 })
        return lines.joined(separator: "\n")
    }

    /// One line for `study propose` on a terminal: elapsed time, state, and the parties not
    /// done yet with their stage.
    static func progressLine(_ d: StudyDetail) -> String {
        var line = "[\(duration(d.ageSeconds))] \(d.state)"
        if let round = d.round, d.role == .lead {
            line += ", round \(round.number)/\(round.of): \(round.received)/\(round.expected) contributions"
        }
        let open = d.progress.filter { d.waitingFor.contains($0.node) }
        if !open.isEmpty {
            line += "; waiting for " + open.map { "\($0.node) (\(stageText($0)))" }.joined(separator: ", ")
        }
        return line
    }

    // MARK: list

    /// `study list`: the running node's studies (or a note that none runs), then stored results.
    static func list(studies: [StudySummary]?, results: [StoredStudyResult]) -> String {
        var lines: [String] = []
        if let studies {
            lines.append("studies on the running node:")
            if studies.isEmpty {
                lines.append("  none")
            } else {
                let rows = studies.map { s in
                    [s.id, s.role.rawValue, shortened(s.state, to: 48), s.lead, s.purpose, number(s.epsilon),
                     duration(s.ageSeconds)]
                }
                lines.append(contentsOf: table(header: ["STUDY", "ROLE", "STATE", "LEAD", "PURPOSE", "ε", "AGE"], rows: rows)
                    .map { "  " + $0 })
            }
        } else {
            lines.append("studies on the running node: none (the node is not running)")
        }
        lines.append("stored results:")
        if results.isEmpty {
            lines.append("  none")
        } else {
            let rows = results.map { r in [r.study, r.role, r.lead, r.kind, r.purpose, r.digestHex] }
            lines.append(contentsOf: table(header: ["STUDY", "ROLE", "LEAD", "KIND", "PURPOSE", "SHA-256"], rows: rows)
                .map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }

    // MARK: validate

    /// `study validate` on a valid spec: what it asks of each node.
    static func valid(_ spec: Study.Spec, file: String) -> String {
        var lines = ["\(file): valid"]
        lines.append("  \(kindText(spec)), purpose \(spec.purpose.rawValue), as of \(spec.asOf)")
        lines.append("  \(privacyText(spec))")
        if spec.kind.isLearning, let cost = try? Study.SpecCost.of(spec) {
            lines.append("  whole study: ε = \(number(cost.epsilon)) per node at δ = \(number(cost.delta)) (\(cost.accountant), \(cost.rounds) budgeted rounds composed)")
            for phase in cost.phases {
                lines.append("    \(phase.name): \(phase.rounds) round(s) of \(phase.coordinates) coordinates, σ = \(number(phase.sigma)) (encoded units)")
            }
        } else if let plan = try? Study.Calibration.plan(for: spec) {
            let sigma = plan.sigmaSquared.squareRoot()
            let mechanism = plan.distributed == nil ? "discrete Gaussian" : "its share of a distributed discrete Gaussian"
            switch spec.kind {
            case .histogram:
                lines.append("  noise per node: \(mechanism), σ = \(number(sigma)) customers per cell (ρ = \(number(plan.rho)) in zCDP)")
            case .mean:
                let q = Double(Study.FixedPoint.resolution)
                lines.append("  noise per node: \(mechanism), σ = \(number(sigma / q)) per cell count and per clamped sum in units of the clamp range (\(number(sigma)) in fixed point, Q = \(Int(q)); ρ = \(number(plan.rho)) in zCDP)")
            case .kmeans, .logisticRegression, .quantiles, .evaluation:
                break
            }
            if let shared = plan.distributed {
                lines.append("  the released sum carries σ = \(number(shared.centralSigmaSquared.squareRoot())) (encoded units) from the parties other than the \(shared.colluders) that may drop out or know their own share")
            }
        }
        switch spec.aggregation {
        case .plain:
            lines.append("  aggregation: plain (each node sends its noised contribution to the lead)")
        case .secure(let parties, let threshold):
            lines.append("  aggregation: secure among \(parties) parties, threshold t = \(threshold) (up to \(parties - threshold) may drop out of a round); the lead learns only each round's sum")
        }
        lines.append("  participants: \(spec.participants.joined(separator: ", ")) (and the lead, which takes part with its own data)")
        lines.append("  the lead waits up to \(spec.deadlineSeconds) s for the whole study")
        return lines.joined(separator: "\n")
    }

    // MARK: pieces

    static func partiesText(_ d: StudyDetail, node: String) -> String {
        d.parties.map { name in
            var labels: [String] = []
            if name == d.lead { labels.append("lead") }
            if name == node { labels.append("this node") }
            return labels.isEmpty ? name : "\(name) (\(labels.joined(separator: ", ")))"
        }.joined(separator: ", ")
    }

    static func kindText(_ spec: Study.Spec) -> String {
        let cells = spec.layout.cellCount
        let over = spec.dimensions.map(\.rawValue).joined(separator: " × ")
        let cellText = "\(cells) cell\(cells == 1 ? "" : "s")"
        switch spec.kind {
        case .kmeans:
            return "k-means: \(spec.learning?.k ?? 0) segments over the consortium features, \(spec.rounds) budgeted rounds"
        case .logisticRegression:
            return "logistic regression: a churn model trained over \(spec.rounds) budgeted rounds, evaluated on every node's holdout"
        case .quantiles:
            return "quantiles of recency, frequency and monetary value (one round)"
        case .evaluation:
            let model = spec.learning?.model?.study ?? spec.learning?.modelStudy
            return "evaluation: AUC, accuracy, log-loss and calibration of \(model.map { "the churn model of study \($0)" } ?? "the churn model in the spec") (one round)"
        case .histogram:
            return "histogram: customers per cell of \(over) (\(cellText))"
        case .mean:
            let m = spec.mean
            return "mean of \(m?.measure.rawValue ?? "?") clamped to [\(number(m?.lower ?? 0)), \(number(m?.upper ?? 0))] per cell of \(over) (\(cellText))"
        }
    }

    /// The `learning:` section's given keys, as YAML flow items.
    static func learningText(_ l: Study.LearningParameters) -> String {
        var items: [String] = []
        if let k = l.k { items.append("k: \(k)") }
        if let f = l.features { items.append("features: [\(f.joined(separator: ", "))]") }
        if let b = l.bounds {
            items.append("bounds: { " + b.keys.sorted().map { "\($0): [\(b[$0]!.map(number).joined(separator: ", "))]" }.joined(separator: ", ") + " }")
        }
        if let r = l.rounds { items.append("rounds: \(r)") }
        if let c = l.clipNorm { items.append("clip_norm: \(number(c))") }
        if let x = l.learningRate { items.append("learning_rate: \(number(x))") }
        if let x = l.l2 { items.append("l2: \(number(x))") }
        if let x = l.holdoutShare { items.append("holdout_share: \(number(x))") }
        if let x = l.samplingRate { items.append("sampling_rate: \(number(x))") }
        if let x = l.seed { items.append("seed: \(x)") }
        if let r = l.regions { items.append("regions: [\(r.joined(separator: ", "))]") }
        if let p = l.probabilities { items.append("probabilities: [\(p.map(number).joined(separator: ", "))]") }
        if let s = l.modelStudy { items.append("model_study: \(s)") }
        if let m = l.model {
            var model = m.study.map { ["study: \($0)"] } ?? []
            model.append("features: [\(m.features.joined(separator: ", "))]")
            model.append("intercept: \(number(m.intercept))")
            model.append("coefficients: { " + m.coefficients.keys.sorted().map { "\($0): \(number(m.coefficients[$0]!))" }.joined(separator: ", ") + " }")
            items.append("model: { \(model.joined(separator: ", ")) }")
        }
        if let b = l.bins { items.append("bins: \(b)") }
        return items.joined(separator: ", ")
    }

    static func privacyText(_ spec: Study.Spec) -> String {
        let p = spec.privacy
        let suppression = p.minCount > 0 ? "cells with a released count below \(p.minCount) suppressed" : "no cell suppressed"
        return "ε = \(number(p.epsilon)), δ = \(number(p.delta)) per node; \(suppression)"
    }

    static func stateText(_ d: StudyDetail) -> String {
        let name: String
        switch d.state {
        case "awaitingApproval": name = "awaiting this node's approval"
        case "deciding": name = "being checked against this node's policy"
        default: name = d.state
        }
        return d.reason.map { "\(name): \($0)" } ?? name
    }

    static func budgetLines(_ b: StudyBudgetPreview) -> [String] {
        guard b.allowed else {
            return [
                "this node's policy does not allow purpose \(b.purpose): the study would be refused",
                "consenting customers (\(b.purpose)): \(b.consentingCustomers)",
            ]
        }
        var lines: [String] = []
        let delta = b.policyDelta.map(number) ?? "?"
        lines.append("cost: ε = \(b.costEpsilon.map(number) ?? "?") at this node's δ = \(delta) (purpose \(b.purpose))\(b.charged ? ", already charged" : "")")
        lines.append("period budget: \(b.spentEpsilon.map(number) ?? "?") of \(b.capEpsilon.map(number) ?? "?") spent, \(b.remainingEpsilon.map(number) ?? "?") remaining now, \(b.remainingAfterEpsilon.map(number) ?? "?") after this study (spends compose in zCDP)")
        if let cap = b.studyCapEpsilon { lines.append("per-study cap: ε = \(number(cap))") }
        lines.append("customers whose data it would use (consenting to \(b.purpose) now): \(b.consentingCustomers)")
        return lines
    }

    static func progressLines(_ d: StudyDetail) -> [String] {
        let width = max(4, d.progress.map(\.node.count).max() ?? 4)
        return d.progress.map { p in
            p.node.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + stageText(p)
        }
    }

    static func stageText(_ p: PartyProgress) -> String {
        var text = p.stage.replacingOccurrences(of: "_", with: " ")
        var notes: [String] = []
        if p.stage == "unreachable" || p.attempts > 1 { notes.append("\(p.attempts) attempt\(p.attempts == 1 ? "" : "s")") }
        if let next = p.nextAttempt { notes.append("next at \(next)") }
        if let error = p.error { text += ": \(error)" }
        if !notes.isEmpty { text += " (\(notes.joined(separator: "; ")))" }
        return text
    }

    /// `text` cut to `limit` characters with an ellipsis (`study show` prints it whole).
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// `in 95 s` / `passed 12 s ago`.
    static func relative(_ seconds: Int) -> String {
        seconds >= 0 ? "in \(duration(seconds))" : "passed \(duration(-seconds)) ago"
    }

    /// `45 s`, `3 min`, `2 h 5 min`, `4 d`.
    static func duration(_ seconds: Int) -> String {
        switch seconds {
        case ..<120: return "\(max(0, seconds)) s"
        case ..<7_200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: return "\(seconds / 86_400) d"
        }
    }

    /// A number as a person writes it: integers without a fraction, others with up to four
    /// significant digits (`1`, `0.5`, `2.385`, `1e-06`).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        var text = String(format: "%.4g", x)
        if let e = text.firstIndex(of: "e") {
            // 1e-06 → 1e-6, 4.2e+05 → 4.2e5
            var exponent = String(text[text.index(after: e)...])
            let sign = exponent.hasPrefix("-") ? "-" : ""
            exponent = String(exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" })
            return String(text[..<e]) + "e" + sign + (exponent.isEmpty ? "0" : exponent)
        }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Left-aligned columns separated by two spaces.
    static func table(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
