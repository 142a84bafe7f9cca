import CohortNet
import CohortAudit
import CohortNode
import Foundation
import Yams

extension Scenario.Parser {
    /// Keys an expectation may use.
    static let expectationKeys = [
        "study", "outcome", "reason", "metric", "at_most", "at_least", "within_se",
        "inertia_ratio_at_most", "ari_at_least", "auc_within", "accuracy_within",
        "budget_within_cap", "party", "audited", "audit_intact", "no_process_left",
    ]

    mutating func parseExpectations(_ node: Node?, parties: [Scenario.Party], studies: [String]) -> [Scenario.Expectation] {
        guard let node, let items = reader.sequence(node, path: "expectations", what: "`expectations`") else { return [] }
        var result: [Scenario.Expectation] = []
        for (index, item) in items.enumerated() {
            let path = "expectations[\(index)]"
            guard let keys = reader.mapping(item, path: path, allowed: Self.expectationKeys, what: "an expectation") else { continue }
            let place = "\(reader.file):\(item.mark?.line ?? 0):\(item.mark?.column ?? 0)"
            if let check = parseCheck(keys, item: item, path: path, parties: parties, studies: studies) {
                result.append(Scenario.Expectation(check: check, place: place))
            }
        }
        return result
    }

    mutating func parseCheck(
        _ keys: [String: (key: Node, value: Node)], item: Node, path: String, parties: [Scenario.Party], studies: [String]
    ) -> Scenario.Check? {
        func only(_ allowed: Set<String>, _ reader: inout Scenario.YAMLReader) -> Bool {
            let extra = keys.keys.filter { !allowed.contains($0) }.sorted()
            guard extra.isEmpty else {
                for name in extra {
                    reader.report(keys[name]?.key.mark, "\(path).\(name)", "`\(name)` does not go with `\(allowed.sorted().joined(separator: "`, `"))` in one expectation",
                                  fix: "write it as a separate expectation")
                }
                return false
            }
            return true
        }
        func flag(_ name: String, _ reader: inout Scenario.YAMLReader) -> Bool {
            guard let value = reader.bool(keys[name]?.value, path: "\(path).\(name)", what: "`\(name)`") else { return false }
            guard value else {
                reader.report(keys[name]?.value.mark, "\(path).\(name)", "`\(name): false` checks nothing", fix: "remove the line, or write `true`")
                return false
            }
            return true
        }
        if let studyNode = keys["study"]?.value {
            guard let study = reader.string(studyNode, path: "\(path).study", what: "`study`") else { return nil }
            guard studies.contains(study) else {
                guard !studyNamesSeen.contains(study) && !probeNamesSeen.contains(study) else { return nil }
                let near = Scenario.YAMLReader.closest(to: study, among: studies).map { "did you mean `\($0)`? " } ?? ""
                reader.report(studyNode.mark, "\(path).study", "the expectation names study `\(study)`, which the scenario does not have",
                              fix: "\(near)name one of: \(studies.joined(separator: ", "))")
                return nil
            }
            let shorthands = Scenario.metricShorthands.keys.sorted()
            let forms = (["outcome", "metric", "within_se"] + shorthands).filter { keys[$0] != nil }
            guard forms.count == 1, let form = forms.first else {
                reader.report(item.mark, path, "an expectation on a study checks one thing: `outcome`, `metric`, `within_se` or one of `\(shorthands.joined(separator: "`, `"))`",
                              fix: "write e.g. `outcome: published`, or `metric: mean_absolute_error` with `at_most: 25`, or `within_se: 5`, or `ari_at_least: 0.9`")
                return nil
            }
            // Whether `metric` is defined for the study's kind; reports it at `mark` if not.
            let studyKind = studyKinds[study]
            func fits(_ metric: Scenario.Metric, at mark: Mark?, key: String, _ reader: inout Scenario.YAMLReader) -> Bool {
                guard let kind = studyKind, !metric.kinds.contains(kind) else { return true }
                let what = key == "metric" ? "metric `\(metric.rawValue)`" : "`\(key)`"
                reader.report(mark, "\(path).\(key)", "\(what) does not apply to study `\(study)`, a \(kind) study",
                              fix: "it applies to \(metric.kinds.sorted().joined(separator: ", ")) studies; for a \(kind) study use one of: "
                                  + Scenario.Metric.allCases.filter { $0.kinds.contains(kind) }.map(\.rawValue).joined(separator: ", "))
                return false
            }
            if let shorthand = Scenario.metricShorthands[form] {
                guard only(["study", form], &reader), let pair = keys[form],
                      fits(shorthand.metric, at: pair.key.mark, key: form, &reader),
                      let bound = reader.double(pair.value, path: "\(path).\(form)", in: 0...1e6, what: "`\(form)`") else { return nil }
                return .metric(study: study, metric: shorthand.metric, atMost: shorthand.atMost ? bound : nil, atLeast: shorthand.atMost ? nil : bound)
            }
            switch form {
            case "outcome":
                guard only(["study", "outcome", "reason"], &reader),
                      let outcome = reader.choice(keys["outcome"]?.value, path: "\(path).outcome", ["published", "failed"], what: "`outcome`") else { return nil }
                let reason = keys["reason"].flatMap { reader.string($0.value, path: "\(path).reason", what: "`reason`") }
                if outcome == "published" {
                    if let r = keys["reason"] {
                        reader.report(r.key.mark, "\(path).reason", "`reason` goes with `outcome: failed` only", fix: "remove it")
                        return nil
                    }
                    return .published(study: study)
                }
                return .failed(study: study, reason: reason)
            case "metric":
                guard only(["study", "metric", "at_most", "at_least"], &reader),
                      let metricNode = keys["metric"]?.value,
                      let metricName = reader.string(metricNode, path: "\(path).metric", what: "`metric`") else { return nil }
                if Scenario.reservedMetrics.contains(metricName) {
                    reader.report(metricNode.mark, "\(path).metric", "metric `\(metricName)` is not supported yet by this node (its study kind is being built)",
                                  fix: "use one of: \(Scenario.Metric.allCases.map(\.rawValue).joined(separator: ", "))")
                    return nil
                }
                guard let metric = Scenario.Metric(rawValue: metricName) else {
                    let names = Scenario.Metric.allCases.map(\.rawValue)
                    let near = Scenario.YAMLReader.closest(to: metricName, among: names).map { "did you mean `\($0)`? " } ?? ""
                    reader.report(metricNode.mark, "\(path).metric", "unknown metric `\(metricName)`",
                                  fix: "\(near)use one of: \(names.joined(separator: ", "))")
                    return nil
                }
                guard fits(metric, at: metricNode.mark, key: "metric", &reader) else { return nil }
                let atMost = keys["at_most"].flatMap { reader.double($0.value, path: "\(path).at_most", in: -1e12...1e12, what: "`at_most`") }
                let atLeast = keys["at_least"].flatMap { reader.double($0.value, path: "\(path).at_least", in: -1e12...1e12, what: "`at_least`") }
                guard atMost != nil || atLeast != nil else {
                    if keys["at_most"] == nil && keys["at_least"] == nil {
                        reader.report(item.mark, path, "a metric expectation needs a bound", fix: "add `at_most: <number>` and/or `at_least: <number>`")
                    }
                    return nil
                }
                return .metric(study: study, metric: metric, atMost: atMost, atLeast: atLeast)
            default:
                if let kind = studyKind, !["histogram", "mean", "quantiles"].contains(kind) {
                    reader.report(keys["within_se"]?.key.mark, "\(path).within_se", "`within_se` does not apply to study `\(study)`, a \(kind) study (it has no cells)",
                                  fix: kind == "kmeans" ? "use `inertia_ratio_at_most` or `ari_at_least`" : "use `auc_within` or `accuracy_within`")
                    return nil
                }
                guard only(["study", "within_se"], &reader),
                      let z = reader.double(keys["within_se"]?.value, path: "\(path).within_se", in: 0...100, lowerOpen: true, what: "`within_se`") else { return nil }
                return .withinStandardErrors(study: study, z: z)
            }
        }
        if keys["budget_within_cap"] != nil {
            guard only(["budget_within_cap", "party"], &reader), flag("budget_within_cap", &reader) else { return nil }
            var party: String?
            if let p = keys["party"]?.value {
                guard let name = knownParty(p, path: "\(path).party", parties: parties, what: "party") else { return nil }
                party = name
            }
            return .budgetWithinCap(party: party)
        }
        if let auditedNode = keys["audited"]?.value {
            guard only(["audited"], &reader),
                  let k = reader.mapping(auditedNode, path: "\(path).audited", allowed: ["party", "refusals", "types"], required: ["party"], what: "`audited`"),
                  let party = knownParty(k["party"]?.value, path: "\(path).audited.party", parties: parties, what: "party") else { return nil }
            let codes = PeerRefusal.Code.allCases.map(\.rawValue)
            let types = Audit.EventType.allCases.map(\.rawValue)
            var refusals: [String] = []
            var entryTypes: [String] = []
            if let r = k["refusals"]?.value, let list = reader.sequence(r, path: "\(path).audited.refusals", what: "`refusals`", scalarAsList: true) {
                for (i, entry) in list.enumerated() {
                    if let code = reader.choice(entry, path: "\(path).audited.refusals[\(i)]", codes, what: "refusal code") { refusals.append(code) }
                }
            }
            if let t = k["types"]?.value, let list = reader.sequence(t, path: "\(path).audited.types", what: "`types`", scalarAsList: true) {
                for (i, entry) in list.enumerated() {
                    if let type = reader.choice(entry, path: "\(path).audited.types[\(i)]", types, what: "audit entry type") { entryTypes.append(type) }
                }
            }
            guard !refusals.isEmpty || !entryTypes.isEmpty else {
                if k["refusals"] == nil && k["types"] == nil {
                    reader.report(auditedNode.mark, "\(path).audited", "`audited` lists nothing to look for",
                                  fix: "add `refusals: [expired, revoked]` (peer.refused codes) and/or `types: [consent.withdrawn]`")
                }
                return nil
            }
            return .audited(party: party, refusals: refusals, types: entryTypes)
        }
        if keys["audit_intact"] != nil {
            guard only(["audit_intact"], &reader), flag("audit_intact", &reader) else { return nil }
            return .auditIntact
        }
        if keys["no_process_left"] != nil {
            guard only(["no_process_left"], &reader), flag("no_process_left", &reader) else { return nil }
            return .noProcessLeft
        }
        reader.report(item.mark, path, "the expectation checks nothing",
                      fix: "start it with `study:`, `budget_within_cap:`, `audited:`, `audit_intact:` or `no_process_left:`")
        return nil
    }
}
