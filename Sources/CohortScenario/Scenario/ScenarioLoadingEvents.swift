import CohortStudy
import CohortCore
import CohortAudit
import CohortNode
import CohortStore
import Foundation
import Yams

extension Scenario.Parser {
    /// The action keys of an event (exactly one per event).
    static let actionKeys = ["kill", "pause", "withdraw_consent", "erase", "bad_certificates", "malformed_burst", "over_budget"]

    mutating func parseEvents(_ node: Node?, parties: [Scenario.Party], studies: [Scenario.StudyPlan]) -> [Scenario.Event] {
        guard let node, let items = reader.sequence(node, path: "events", what: "`events`") else { return [] }
        var events: [Scenario.Event] = []
        var probeNames = studyNamesSeen
        for (index, item) in items.enumerated() {
            let path = "events[\(index)]"
            guard let keys = reader.mapping(item, path: path, allowed: ["at"] + Self.actionKeys, required: ["at"], what: "an event") else { continue }
            let actions = Self.actionKeys.filter { keys[$0] != nil }
            guard actions.count == 1, let actionName = actions.first, let actionNode = keys[actionName]?.value else {
                reader.report(item.mark, path, actions.isEmpty ? "the event does nothing" : "the event has \(actions.count) actions (\(actions.joined(separator: ", ")))",
                              fix: "give each event exactly one of \(Self.actionKeys.joined(separator: ", "))")
                continue
            }
            let point = parsePoint(keys["at"]?.value, path: "\(path).at", studies: studies)
            let action = parseAction(actionName, actionNode, path: "\(path).\(actionName)", parties: parties, probeNames: &probeNames)
            guard let point, let action else { continue }
            events.append(Scenario.Event(point: point, action: action, line: item.mark?.line))
        }
        return events
    }

    mutating func parsePoint(_ node: Node?, path: String, studies: [Scenario.StudyPlan]) -> Scenario.Point? {
        guard let keys = reader.mapping(node, path: path, allowed: ["before", "after", "during", "round"], what: "`at`") else { return nil }
        let named = ["before", "after", "during"].filter { keys[$0] != nil }
        guard named.count == 1, let which = named.first, let studyNode = keys[which]?.value else {
            reader.report(node?.mark, path, "`at` must name one point: `before: <study>`, `after: <study>` or `during: <study>, round: <r>`",
                          fix: "write e.g. `at: { after: segments }` or `at: { during: churn, round: 1 }`")
            return nil
        }
        guard let name = reader.string(studyNode, path: "\(path).\(which)", what: "`\(which)`") else { return nil }
        guard let study = studies.first(where: { $0.name == name }) else {
            // A study with its own problem (already reported) is not reported again here.
            guard !studyNamesSeen.contains(name) else { return nil }
            let near = Scenario.YAMLReader.closest(to: name, among: studies.map(\.name)).map { "did you mean `\($0)`? " } ?? ""
            reader.report(studyNode.mark, "\(path).\(which)", "the event is placed \(which) study `\(name)`, which the scenario does not have",
                          fix: "\(near)name one of the studies: \(studyNamesSeen.sorted().joined(separator: ", "))")
            return nil
        }
        switch which {
        case "during":
            guard let roundNode = keys["round"]?.value else {
                reader.report(node?.mark, "\(path).round", "`during:` needs the round", fix: "add `round: 1` (the study has \(study.rounds) round\(study.rounds == 1 ? "" : "s"))")
                return nil
            }
            guard let round = reader.int(roundNode, path: "\(path).round", in: 1...1_000_000, what: "`round`") else { return nil }
            guard round <= study.rounds else {
                reader.report(roundNode.mark, "\(path).round",
                              "study `\(name)` (\(study.spec.kind.rawValue)) has \(study.rounds) round\(study.rounds == 1 ? "" : "s"); there is no round \(round)",
                              fix: "use a round in 1…\(study.rounds), or place the event `before:` or `after:` the study")
                return nil
            }
            return .during(name, round: round)
        default:
            if let roundNode = keys["round"]?.value {
                reader.report(roundNode.mark, "\(path).round", "`round` goes with `during:` only", fix: "remove it, or write `during: \(name)`")
                return nil
            }
            return which == "before" ? .before(name) : .after(name)
        }
    }

    mutating func parseAction(
        _ name: String, _ node: Node, path: String, parties: [Scenario.Party], probeNames: inout Set<String>
    ) -> Scenario.Action? {
        func partyKeys(_ reader: inout Scenario.YAMLReader, allowed: [String], required: [String]) -> [String: (key: Node, value: Node)]? {
            reader.mapping(node, path: path, allowed: allowed, required: required, what: "`\(name)`")
        }
        switch name {
        case "kill":
            guard let k = partyKeys(&reader, allowed: ["party", "restart_after_seconds"], required: ["party"]),
                  let party = knownParty(k["party"]?.value, path: "\(path).party", parties: parties, what: "party") else { return nil }
            var restart: Double?
            if let r = k["restart_after_seconds"]?.value {
                guard let value = reader.double(r, path: "\(path).restart_after_seconds", in: 0...300, what: "`restart_after_seconds`") else { return nil }
                restart = value
            }
            return .kill(party: party, restartAfter: restart)
        case "pause":
            guard let k = partyKeys(&reader, allowed: ["party", "seconds"], required: ["party", "seconds"]),
                  let party = knownParty(k["party"]?.value, path: "\(path).party", parties: parties, what: "party"),
                  let seconds = reader.double(k["seconds"]?.value, path: "\(path).seconds", in: 0...120, lowerOpen: true, what: "`seconds`") else { return nil }
            return .pause(party: party, seconds: seconds)
        case "withdraw_consent":
            guard let k = partyKeys(&reader, allowed: ["party", "purpose", "share"], required: ["party", "purpose", "share"]),
                  let party = knownParty(k["party"]?.value, path: "\(path).party", parties: parties, what: "party"),
                  let purposeName = reader.choice(k["purpose"]?.value, path: "\(path).purpose", Scenario.purposes, what: "`purpose`"),
                  let purpose = Purpose(rawValue: purposeName),
                  let share = reader.double(k["share"]?.value, path: "\(path).share", in: 0...1, lowerOpen: true, what: "`share`") else { return nil }
            return .withdrawConsent(party: party, purpose: purpose, share: share)
        case "erase":
            guard let k = partyKeys(&reader, allowed: ["party", "customers"], required: ["party", "customers"]),
                  let party = knownParty(k["party"]?.value, path: "\(path).party", parties: parties, what: "party"),
                  let count = reader.int(k["customers"]?.value, path: "\(path).customers", in: 1...100_000, what: "`customers`") else { return nil }
            return .erase(party: party, customers: count)
        case "bad_certificates":
            guard let k = partyKeys(&reader, allowed: ["target", "kinds"], required: ["target"]),
                  let target = knownParty(k["target"]?.value, path: "\(path).target", parties: parties, what: "target") else { return nil }
            var kinds = Scenario.BadCertificate.allCases
            if let kindsNode = k["kinds"]?.value {
                guard let list = reader.sequence(kindsNode, path: "\(path).kinds", what: "`kinds`", scalarAsList: true) else { return nil }
                var chosen: [Scenario.BadCertificate] = []
                for (i, entry) in list.enumerated() {
                    guard let value = reader.choice(entry, path: "\(path).kinds[\(i)]", Scenario.BadCertificate.allCases.map(\.rawValue), what: "certificate kind"),
                          let kind = Scenario.BadCertificate(rawValue: value) else { return nil }
                    if !chosen.contains(kind) { chosen.append(kind) }
                }
                guard !chosen.isEmpty else {
                    reader.report(kindsNode.mark, "\(path).kinds", "`kinds` is empty", fix: "list at least one of expired, unknown-ca, revoked, wrong-name")
                    return nil
                }
                kinds = chosen
            }
            if kinds.contains(where: { $0 == .expired || $0 == .revoked }) && parties.count < 2 {
                reader.report(node.mark, path, "an expired or revoked certificate impersonates another party, and this scenario has one",
                              fix: "add a second party, or use `kinds: [unknown-ca, wrong-name]`")
                return nil
            }
            return .badCertificates(target: target, kinds: kinds)
        case "malformed_burst":
            guard let k = partyKeys(&reader, allowed: ["target", "kind", "connections", "bytes"], required: ["target"]),
                  let target = knownParty(k["target"]?.value, path: "\(path).target", parties: parties, what: "target") else { return nil }
            var kind = Scenario.MalformedKind.garbage
            if let kNode = k["kind"]?.value {
                guard let value = reader.choice(kNode, path: "\(path).kind", Scenario.MalformedKind.allCases.map(\.rawValue), what: "`kind`") else { return nil }
                kind = Scenario.MalformedKind(rawValue: value) ?? .garbage
            }
            var connections = 20
            if let c = k["connections"]?.value {
                guard let value = reader.int(c, path: "\(path).connections", in: 1...1_000, what: "`connections`") else { return nil }
                connections = value
            }
            var bytes = 4_096
            if let b = k["bytes"]?.value {
                guard let value = reader.int(b, path: "\(path).bytes", in: 1...(1 << 20), what: "`bytes`") else { return nil }
                bytes = value
            }
            return .malformedBurst(target: target, kind: kind, connections: connections, bytes: bytes)
        case "over_budget":
            guard let k = partyKeys(&reader, allowed: ["party", "lead", "purpose", "name"], required: ["party"]),
                  let party = knownParty(k["party"]?.value, path: "\(path).party", parties: parties, what: "party") else { return nil }
            var lead = partyNames.first { $0 != party }
            if let l = k["lead"]?.value {
                guard let value = knownParty(l, path: "\(path).lead", parties: parties, what: "lead") else { return nil }
                guard value != party else {
                    reader.report(l.mark, "\(path).lead", "the lead of an over-budget probe must be another party than `\(party)`",
                                  fix: "name another party as `lead`")
                    return nil
                }
                lead = value
            }
            guard let lead else {
                reader.report(node.mark, path, "an over-budget probe needs a second party to propose it", fix: "add a second party")
                return nil
            }
            var purpose = Purpose.segmentation
            if let p = k["purpose"]?.value {
                guard let value = reader.choice(p, path: "\(path).purpose", Scenario.purposes, what: "`purpose`") else { return nil }
                purpose = Purpose(rawValue: value) ?? .segmentation
            }
            var probeName = "over-budget-\(party)"
            defer { probeNamesSeen.insert(probeName) }
            if let n = k["name"]?.value {
                guard let value = reader.string(n, path: "\(path).name", what: "`name`") else { return nil }
                guard Self.isValidStudyName(value) else {
                    reader.report(n.mark, "\(path).name", "`\(value)` is not a valid study name", fix: "use 1–64 of A–Z a–z 0–9 . _ -")
                    return nil
                }
                probeName = value
            }
            guard probeNames.insert(probeName).inserted else {
                reader.report(k["name"]?.value.mark ?? node.mark, "\(path).name", "the name `\(probeName)` is already a study or probe of this scenario",
                              fix: "give the probe its own `name:`")
                return nil
            }
            return .overBudget(Scenario.OverBudgetProbe(name: probeName, party: party, lead: lead, purpose: purpose))
        default:
            return nil
        }
    }
}
