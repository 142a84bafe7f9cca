import CohortCore
import CohortStudy
import CohortAudit
import CohortNode
import CohortStore
public import Foundation
import Yams

extension Scenario {
    /// Largest scenario file accepted, in bytes.
    public static let maxFileBytes = 1 << 20

    /// The top-level keys of a scenario file.
    public static let topLevelKeys = ["name", "description", "consortium", "as_of", "parties", "studies", "events", "expectations"]

    /// The result of checking a scenario: the definition when there is no problem, and every
    /// problem found (each located `file:line:column`).
    public struct Validation: Sendable {
        /// The validated scenario, nil when ``diagnostics`` is not empty.
        public var definition: Definition?
        /// Every problem found, in file order.
        public var diagnostics: [Diagnostic]
    }

    /// Reads and checks the scenario file at `path`; relative data paths are resolved against
    /// its folder. Starts nothing and writes nothing. O(size of the file + data paths checked).
    /// - Throws: ``ScenarioError`` (`io`) when the file cannot be read.
    public static func check(file path: String) throws -> Validation {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maxFileBytes {
                return Validation(definition: nil, diagnostics: [Diagnostic(
                    file: path, line: nil, column: nil, path: nil,
                    message: "the scenario file is larger than \(maxFileBytes) bytes", fix: "shorten it; put data in CSV files it names")])
            }
            data = try Data(contentsOf: url)
        } catch {
            throw ScenarioError(.io, "cannot read the scenario file \(path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return Validation(definition: nil, diagnostics: [Diagnostic(
                file: path, line: nil, column: nil, path: nil, message: "the scenario file is not UTF-8 text", fix: "save it as UTF-8")])
        }
        return check(text: text, file: path, baseDirectory: url.deletingLastPathComponent())
    }

    /// Loads the scenario file at `path`, or throws every problem found.
    /// - Throws: ``ScenarioError`` (`invalidArgument`) listing the diagnostics, or (`io`).
    public static func load(file path: String) throws -> Definition {
        let result = try check(file: path)
        guard let definition = result.definition else {
            throw ScenarioError(.invalidArgument, result.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return definition
    }

    /// Checks the scenario `text` read from `file`.
    public static func check(text: String, file: String, baseDirectory: URL) -> Validation {
        var reader = YAMLReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return Validation(definition: nil, diagnostics: [syntaxDiagnostic(error, file: file)])
        }
        guard let root else {
            return Validation(definition: nil, diagnostics: [Diagnostic(
                file: file, line: 1, column: 1, path: nil, message: "the scenario file is empty",
                fix: "start from a file in scenarios/ (see README, \"Scenarios\")")])
        }
        var parser = Parser(reader: reader, baseDirectory: baseDirectory)
        let definition = parser.parse(root)
        reader = parser.reader
        let diagnostics = reader.diagnostics.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
        return Validation(definition: diagnostics.isEmpty ? definition : nil, diagnostics: diagnostics)
    }

    /// The diagnostic of a YAML syntax error, at the parser's own position.
    static func syntaxDiagnostic(_ error: any Error, file: String) -> Diagnostic {
        let fix = "correct the YAML syntax here (keys are `name: value`; lists are `[a, b]` or `- item`; indent with spaces)"
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?,
             .parser(let context, let problem, let mark, _)?,
             .composer(let context, let problem, let mark, _)?:
            return Diagnostic(file: file, mark: mark, path: nil,
                              message: "not valid YAML: " + (context.map { "\(problem) (\($0.text))" } ?? problem), fix: fix)
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            return Diagnostic(file: file, mark: context.mark, path: nil,
                              message: "key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) is given more than once",
                              fix: "keep one of each key")
        default:
            return Diagnostic(file: file, line: nil, column: nil, path: nil, message: "not valid YAML: \(error)", fix: fix)
        }
    }
}

extension Scenario {
    /// Turns the composed tree into a ``Definition``, reporting every problem to `reader`.
    struct Parser {
        var reader: YAMLReader
        let baseDirectory: URL
        /// Party names seen, with the line of their first mention.
        var partyLines: [String: Int] = [:]
        /// Party names in file order, including parties with other problems (so that one
        /// problem does not cascade into "unknown party" errors elsewhere).
        var partyNames: [String] = []
        /// Study names seen, including studies with other problems.
        var studyNamesSeen: Set<String> = []
        /// Over-budget probe names seen, including probes with other problems.
        var probeNamesSeen: Set<String> = []
        /// The kind (`Study.Kind` raw value) of each valid study, by name.
        var studyKinds: [String: String] = [:]

        init(reader: YAMLReader, baseDirectory: URL) {
            self.reader = reader
            self.baseDirectory = baseDirectory
        }

        mutating func parse(_ root: Node) -> Definition? {
            guard let top = reader.mapping(root, path: "", allowed: Scenario.topLevelKeys, required: ["name", "parties", "studies"], what: "a scenario") else {
                return nil
            }
            var name = "scenario"
            if let value = reader.string(top["name"]?.value, path: "name", what: "`name`") {
                if NodeConfig.isValidName(value) { name = value } else {
                    reader.report(top["name"]?.value.mark, "name", "`name` `\(value)` is not a valid scenario name",
                                  fix: "use lowercase letters, digits and '-', 1–63 characters")
                }
            }
            let description = top["description"].flatMap { reader.string($0.value, path: "description", what: "`description`") } ?? ""
            var consortium = "scenario"
            if let value = top["consortium"].flatMap({ reader.string($0.value, path: "consortium", what: "`consortium`") }) {
                if NodeConfig.isValidName(value) { consortium = value } else {
                    reader.report(top["consortium"]?.value.mark, "consortium", "`consortium` `\(value)` is not a valid consortium name",
                                  fix: "use lowercase letters, digits and '-', 1–63 characters")
                }
            }
            var asOf = "2026-06-30"
            if let node = top["as_of"]?.value, let value = reader.string(node, path: "as_of", what: "`as_of`") {
                if (try? Synthetic.CalendarDay(parsing: value)) != nil { asOf = value } else {
                    reader.report(node.mark, "as_of", "`as_of` `\(value)` is not a date", fix: "write a date `YYYY-MM-DD`, e.g. `as_of: 2026-06-30`")
                }
            }
            let parties = parseParties(top["parties"]?.value)
            let studies = parseStudies(top["studies"]?.value, parties: parties, asOf: asOf)
            let events = parseEvents(top["events"]?.value, parties: parties, studies: studies)
            let studyNames = studies.map(\.name) + events.compactMap {
                if case .overBudget(let probe) = $0.action { return probe.name }
                return nil
            }
            let expectations = parseExpectations(top["expectations"]?.value, parties: parties, studies: studyNames)
            return Definition(
                name: name, description: description, consortium: consortium, asOf: asOf, parties: parties,
                studies: studies, events: events, expectations: expectations, baseDirectory: baseDirectory)
        }

        // MARK: parties

        mutating func parseParties(_ node: Node?) -> [Party] {
            guard let items = reader.sequence(node, path: "parties", what: "`parties`") else { return [] }
            if items.isEmpty {
                reader.report(node?.mark, "parties", "`parties` is empty", fix: "list at least one party")
            }
            var parties: [Party] = []
            for (index, item) in items.enumerated() {
                let path = "parties[\(index)]"
                guard let keys = reader.mapping(item, path: path, allowed: ["name", "data", "policy", "approval"],
                                                required: ["name", "data"], what: "a party") else { continue }
                guard let nameNode = keys["name"]?.value, let name = reader.string(nameNode, path: "\(path).name", what: "a party's `name`") else { continue }
                guard NodeConfig.isValidName(name) else {
                    reader.report(nameNode.mark, "\(path).name", "party name `\(name)` is not a valid node name",
                                  fix: "use lowercase letters, digits and '-', 1–63 characters, starting with a letter or digit")
                    continue
                }
                if let first = partyLines[name] {
                    reader.report(nameNode.mark, "\(path).name", "party `\(name)` is listed twice (first on line \(first))",
                                  fix: "give each party its own name, or remove the second entry")
                    continue
                }
                partyLines[name] = nameNode.mark?.line ?? 0
                partyNames.append(name)
                guard let data = parseData(keys["data"]?.value, path: "\(path).data") else { continue }
                let policy = keys["policy"].map { parsePolicy($0.value, path: "\(path).policy") } ?? .none
                var approval = Approval.auto
                if let node = keys["approval"]?.value,
                   let value = reader.choice(node, path: "\(path).approval", Approval.allCases.map(\.rawValue), what: "`approval`") {
                    approval = Approval(rawValue: value) ?? .auto
                }
                parties.append(Party(name: name, data: data.source, consentRates: data.rates, policy: policy, approval: approval))
            }
            return parties
        }

        mutating func parseData(_ node: Node?, path: String) -> (source: DataSource, rates: [Purpose: Double])? {
            guard let keys = reader.mapping(node, path: path, allowed: ["synthetic", "csv", "consent_rates"], what: "a party's `data`") else { return nil }
            var rates: [Purpose: Double] = [:]
            if let ratesNode = keys["consent_rates"]?.value,
               let rateKeys = reader.mapping(ratesNode, path: "\(path).consent_rates", allowed: Scenario.purposes, what: "`consent_rates`") {
                for (purposeName, pair) in rateKeys {
                    if let purpose = Purpose(rawValue: purposeName),
                       let rate = reader.double(pair.value, path: "\(path).consent_rates.\(purposeName)", in: 0...1, what: "the consent rate of `\(purposeName)`") {
                        rates[purpose] = rate
                    }
                }
            }
            switch (keys["synthetic"], keys["csv"]) {
            case (let synthetic?, nil):
                let p = "\(path).synthetic"
                guard let s = reader.mapping(synthetic.value, path: p, allowed: ["profile", "customers", "seed"],
                                             required: ["profile", "customers"], what: "`synthetic`") else { return nil }
                let profile = s["profile"].flatMap { reader.choice($0.value, path: "\(p).profile", Synthetic.Profile.allCases.map(\.rawValue), what: "`profile`") }
                let customers = s["customers"].flatMap { reader.int($0.value, path: "\(p).customers", in: 1...2_000_000, what: "`customers`") }
                var seed: UInt64 = 1
                if let node = s["seed"]?.value {
                    if let value = reader.int(node, path: "\(p).seed", in: 0...Int.max, what: "`seed`") { seed = UInt64(value) } else { return nil }
                }
                guard let profile = profile.flatMap(Synthetic.Profile.init(rawValue:)), let customers else { return nil }
                return (.synthetic(profile: profile, customers: customers, seed: seed), rates)
            case (nil, let csv?):
                let p = "\(path).csv"
                guard let c = reader.mapping(csv.value, path: p, allowed: ["customers", "transactions", "consent"],
                                             required: ["customers", "transactions"], what: "`csv`") else { return nil }
                let customers = c["customers"].flatMap { existingFile($0.value, path: "\(p).customers") }
                let transactions = c["transactions"].flatMap { existingFile($0.value, path: "\(p).transactions") }
                var consent: URL?
                if let node = c["consent"]?.value {
                    guard let url = existingFile(node, path: "\(p).consent") else { return nil }
                    consent = url
                }
                guard let customers, let transactions else { return nil }
                if let r = keys["consent_rates"] {
                    reader.report(r.key.mark, "\(path).consent_rates", "`consent_rates` applies to synthetic data only",
                                  fix: "remove it and give the party's consent events as `csv: { consent: … }`")
                    return nil
                }
                return (.csv(customers: customers, transactions: transactions, consent: consent), rates)
            case (nil, nil):
                reader.report(node?.mark, path, "a party's `data` names no source", fix: "add `synthetic: { profile: retail, customers: 5000, seed: 1 }` or `csv: { customers: …, transactions: … }`")
                return nil
            case (_?, _?):
                reader.report(keys["csv"]?.key.mark, "\(path).csv", "a party's `data` has both `synthetic` and `csv`", fix: "keep one of them")
                return nil
            }
        }

        /// A data file path (relative to the scenario's folder) that must exist.
        mutating func existingFile(_ node: Node, path: String) -> URL? {
            guard let value = reader.string(node, path: path, what: "a data path") else { return nil }
            let url = value.hasPrefix("/") ? URL(fileURLWithPath: value) : baseDirectory.appendingPathComponent(value)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                reader.report(node.mark, path, "the data file `\(value)` does not exist (looked for \(url.standardizedFileURL.path))",
                              fix: "give a path relative to the scenario file's folder, of a CSV file in Cohort's schemas")
                return nil
            }
            return url.standardizedFileURL
        }

        mutating func parsePolicy(_ node: Node, path: String) -> PolicyOverride {
            var policy = PolicyOverride.none
            guard let keys = reader.mapping(node, path: path, allowed: ["delta", "min_customers", "purposes"], what: "a party's `policy`") else { return policy }
            policy.delta = keys["delta"].flatMap { reader.double($0.value, path: "\(path).delta", in: 0...0.1, lowerOpen: true, what: "`delta`") }
            policy.minCustomers = keys["min_customers"].flatMap { reader.int($0.value, path: "\(path).min_customers", in: 1...100_000_000, what: "`min_customers`") }
            guard let purposesNode = keys["purposes"]?.value,
                  let purposes = reader.mapping(purposesNode, path: "\(path).purposes", allowed: Scenario.purposes, what: "`purposes`") else { return policy }
            for (name, pair) in purposes {
                let p = "\(path).purposes.\(name)"
                guard let purpose = Purpose(rawValue: name) else { continue }
                if case .scalar = pair.value {
                    if pair.value.string == "refused" { policy.refused.insert(purpose) } else {
                        reader.report(pair.value.mark, p, "a purpose's policy is a mapping or `refused`",
                                      fix: "write `{ epsilon_per_period: 4, period_days: 30, epsilon_per_study: 1 }` or `refused`")
                    }
                    continue
                }
                guard let k = reader.mapping(pair.value, path: p, allowed: ["epsilon_per_period", "period_days", "epsilon_per_study"],
                                             required: ["epsilon_per_period", "period_days", "epsilon_per_study"], what: "a purpose's policy") else { continue }
                let period = k["epsilon_per_period"].flatMap { reader.double($0.value, path: "\(p).epsilon_per_period", in: 0...1000, lowerOpen: true, what: "`epsilon_per_period`") }
                let days = k["period_days"].flatMap { reader.int($0.value, path: "\(p).period_days", in: 1...3660, what: "`period_days`") }
                let perStudy = k["epsilon_per_study"].flatMap { reader.double($0.value, path: "\(p).epsilon_per_study", in: 0...10, lowerOpen: true, what: "`epsilon_per_study`") }
                guard let period, let days, let perStudy else { continue }
                if perStudy > period {
                    reader.report(k["epsilon_per_study"]?.value.mark, "\(p).epsilon_per_study",
                                  "`epsilon_per_study` (\(perStudy)) is above `epsilon_per_period` (\(period))",
                                  fix: "make the per-study cap at most the period's")
                    continue
                }
                policy.purposes[purpose] = NodeConfig.PurposePolicy(epsilonPerPeriod: period, periodDays: days, epsilonPerStudy: perStudy)
            }
            return policy
        }

        /// Reports `name` at `node` when it is not a party.
        mutating func knownParty(_ node: Node?, path: String, parties: [Party], what: String) -> String? {
            guard let name = reader.string(node, path: path, what: what) else { return nil }
            guard parties.contains(where: { $0.name == name }) || partyLines[name] != nil else {
                let near = YAMLReader.closest(to: name, among: partyNames).map { "did you mean `\($0)`? " } ?? ""
                reader.report(node?.mark, path, "\(what) `\(name)` is not a party of this scenario",
                              fix: "\(near)name one of the parties: \(partyNames.joined(separator: ", "))")
                return nil
            }
            return name
        }
    }
}
