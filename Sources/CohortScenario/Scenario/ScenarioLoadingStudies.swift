import CohortStudy
import CohortNode
import Foundation
import Yams

extension Scenario.Parser {
    /// The keys of a study entry.
    static let studyKeys = ["name", "title", "lead", "participants", "spec"]

    mutating func parseStudies(_ node: Node?, parties: [Scenario.Party], asOf: String) -> [Scenario.StudyPlan] {
        guard let items = reader.sequence(node, path: "studies", what: "`studies`") else { return [] }
        if items.isEmpty { reader.report(node?.mark, "studies", "`studies` is empty", fix: "list at least one study") }
        var studies: [Scenario.StudyPlan] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "studies[\(index)]"
            guard let keys = reader.mapping(item, path: path, allowed: Self.studyKeys, required: ["name", "lead", "spec"], what: "a study") else { continue }
            guard let nameNode = keys["name"]?.value, let name = reader.string(nameNode, path: "\(path).name", what: "a study's `name`") else { continue }
            guard Self.isValidStudyName(name) else {
                reader.report(nameNode.mark, "\(path).name", "study name `\(name)` is not valid",
                              fix: "use 1–64 of A–Z a–z 0–9 . _ -, starting with a letter or digit")
                continue
            }
            if let first = seen[name] {
                reader.report(nameNode.mark, "\(path).name", "study `\(name)` is listed twice (first on line \(first))", fix: "give each study its own name")
                continue
            }
            seen[name] = nameNode.mark?.line ?? 0
            studyNamesSeen.insert(name)
            let title = keys["title"].flatMap { reader.string($0.value, path: "\(path).title", what: "`title`") } ?? name
            guard let lead = knownParty(keys["lead"]?.value, path: "\(path).lead", parties: parties, what: "the lead") else { continue }
            var participants = partyNames.filter { $0 != lead }
            if let pNode = keys["participants"]?.value {
                guard let list = reader.sequence(pNode, path: "\(path).participants", what: "`participants`") else { continue }
                var names: [String] = []
                var ok = true
                for (i, entry) in list.enumerated() {
                    guard let p = knownParty(entry, path: "\(path).participants[\(i)]", parties: parties, what: "participant") else { ok = false; continue }
                    if p == lead {
                        reader.report(entry.mark, "\(path).participants[\(i)]", "the lead `\(lead)` is listed as a participant",
                                      fix: "remove it: the lead always takes part with its own data")
                        ok = false
                    } else if names.contains(p) {
                        reader.report(entry.mark, "\(path).participants[\(i)]", "participant `\(p)` is listed twice", fix: "list each party once")
                        ok = false
                    }
                    names.append(p)
                }
                guard ok else { continue }
                if names.isEmpty {
                    reader.report(pNode.mark, "\(path).participants", "`participants` is empty", fix: "list at least one party besides the lead")
                    continue
                }
                participants = names
            }
            if participants.isEmpty {
                reader.report(keys["lead"]?.value.mark, "\(path).lead", "the study has no participant besides its lead",
                              fix: "add a second party to the scenario")
                continue
            }
            guard let specNode = keys["spec"]?.value,
                  let spec = parseSpec(specNode, path: "\(path).spec", participants: participants, asOf: asOf) else { continue }
            studyKinds[name] = spec.kind.rawValue
            studies.append(Scenario.StudyPlan(name: name, title: title, lead: lead, participants: participants, spec: spec))
        }
        return studies
    }

    /// A study spec (the keys of `cohort study validate`, without `participants`, which the
    /// study entry gives; `as_of` defaults to the scenario's and `deadline_seconds` to 120).
    mutating func parseSpec(_ node: Node, path: String, participants: [String], asOf: String) -> Study.Spec? {
        guard let mapping = node.mapping else {
            reader.report(node.mark, path, "a study's `spec` must be a mapping of study spec keys",
                          fix: "write the spec's keys under `spec:` (kind, purpose, dimensions or learning, privacy, …)")
            return nil
        }
        for (key, value) in mapping {
            let name = key.string ?? ""
            if name == "participants" {
                reader.report(key.mark, "\(path).participants", "`participants` belongs to the study, not to its spec",
                              fix: "move it one level up, beside `lead:` (default: every other party)")
                return nil
            }
            if Scenario.reservedSpecKeys.contains(name) {
                reader.report(key.mark, "\(path).\(name)", "`\(name)` is not supported yet by this node",
                              fix: "remove it (README, \"Design notes and known gaps\")")
                return nil
            }
            if name == "kind", let kind = value.string, Scenario.reservedStudyKinds.contains(kind) {
                reader.report(value.mark, "\(path).kind", "study kind `\(kind)` is not supported yet by the scenario runner",
                              fix: "use `histogram`, `mean`, `quantiles`, `kmeans` or `logistic-regression`, or run the `\(kind)` study with `cohort study propose` (the node has it; the runner cannot yet refer to an earlier scenario study's id)")
                return nil
            }
        }
        var pairs: [(Node, Node)] = mapping.map { ($0.key, $0.value) }
        let present = Set(pairs.compactMap { $0.0.string })
        pairs.append((Node("participants"), Node(participants.map { Node($0) })))
        if !present.contains("as_of") { pairs.append((Node("as_of"), Node(asOf))) }
        if !present.contains("deadline_seconds") { pairs.append((Node("deadline_seconds"), Node("120"))) }
        let full = Node.mapping(Node.Mapping(pairs, .implicit, .any, node.mark))
        do {
            return try YAMLDecoder().decode(Study.Spec.self, from: full)
        } catch {
            guard let studyError = Self.studyError(in: error) else {
                reader.report(node.mark, path, "the spec cannot be read: \(error)", fix: "check it with the keys of `cohort study validate` (README)")
                return nil
            }
            reportSpecError(studyError, specNode: node, path: path)
            return nil
        }
    }

    /// Reports a spec's ``StudyError`` at the offending key or value inside the spec node.
    mutating func reportSpecError(_ error: StudyError, specNode: Node, path: String) {
        guard let key = error.key else {
            reader.report(specNode.mark, path, "spec: \(error.message)", fix: "correct the spec (README, study spec keys)")
            return
        }
        let located = Self.locate(key, in: specNode)
        let doc = Study.Spec.keyDoc(key)
        switch error.code {
        case .missingKey:
            reader.report(located.parent?.mark ?? specNode.mark, "\(path).\(key)", "the spec has no `\(key)`",
                          fix: doc.map { "add `\($0.example)` — \($0.allowed)" } ?? "add the key `\(key)`")
        case .unknownKey:
            let name = key.split(separator: ".").last.map(String.init) ?? key
            let near = Scenario.YAMLReader.closest(to: name, among: Study.Spec.keyDocs.map { Scenario.YAMLReader.last($0.key) }).map { "did you mean `\($0)`? " } ?? ""
            reader.report(located.keyMark ?? located.parent?.mark ?? specNode.mark, "\(path).\(key)", "`\(key)` is not a study spec key",
                          fix: "\(near)rename or remove it (unknown keys are never ignored)")
        default:
            reader.report(located.node?.mark ?? located.keyMark ?? specNode.mark, "\(path).\(key)", "`\(key)`: \(error.message)",
                          fix: doc.map { "`\($0.key)` takes \($0.allowed); for example `\($0.example)`" } ?? "correct the value of `\(key)`")
        }
    }

    /// Whether `name` is 1–64 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit (the
    /// rule of study ids, so a study's name can be part of its id).
    static func isValidStudyName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) }
        guard let first = bytes.first, bytes.count <= 64, alnum(first) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    /// The ``StudyError`` inside a decoding error, if any.
    static func studyError(in error: any Error) -> StudyError? {
        if let studyError = error as? StudyError { return studyError }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?, .keyNotFound(_, let c)?, .typeMismatch(_, let c)?, .valueNotFound(_, let c)?:
            return c.underlyingError.flatMap { studyError(in: $0) }
        default:
            return nil
        }
    }

    /// The node at a dotted path (`privacy.epsilon`, `dimensions[2]`), its key's mark and its
    /// parent mapping, as far as they exist.
    static func locate(_ path: String, in root: Node) -> (node: Node?, keyMark: Mark?, parent: Node?) {
        var current: Node? = root
        var parent: Node?
        var keyMark: Mark?
        for component in path.split(separator: ".") {
            var name = Substring(component)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.last == "]",
                  let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            parent = current
            guard let mapping = current?.mapping, let pair = mapping.first(where: { $0.key.string == String(name) }) else {
                return (nil, keyMark, parent)
            }
            keyMark = pair.key.mark
            current = pair.value
            for index in indices {
                guard let sequence = current?.sequence, sequence.indices.contains(index) else { break }
                current = sequence[index]
            }
        }
        return (current, keyMark, parent)
    }
}
