import CohortAudit
import CohortNode
import CohortStore
import Foundation

extension ScenarioRun {
    /// Each party's budget per allowed purpose, read from its stopped node's store, and printed
    /// as `cohort demo` does. O(spends).
    func readBudgets(_ prepared: [String: PreparedParty]) throws -> [ScenarioSummary.Budget] {
        say("\nBudget spent per node (ε at each node's δ):")
        var budgets: [ScenarioSummary.Budget] = []
        for party in definition.parties {
            guard let directory = prepared[party.name]?.directory else { continue }
            let store = try NodeStore.open(directory: directory.path)
            defer { try? store.close() }
            let config = try store.loadConfig()
            let lines = try NodeBudget.report(store: store, config: config, at: Date()).filter(\.allowed)
            for line in lines {
                budgets.append(.init(
                    node: party.name, purpose: line.purpose, spentEpsilon: line.spentEpsilon ?? 0, capEpsilon: line.capEpsilon,
                    delta: line.delta, studies: line.releases ?? 0))
            }
            let text = lines.map {
                "\($0.purpose) \(String(format: "%.3f", $0.spentEpsilon ?? 0))/\(String(format: "%.1f", $0.capEpsilon ?? 0))"
            }.joined(separator: ", ")
            say("  \(party.name): \(text)")
        }
        return budgets
    }

    /// Verifies every party's audit log (chain, tree, every checkpoint signature against its
    /// `audit-verifier.txt`) and counts its entries by type and its refusals by code; prints
    /// one line per node as `cohort demo` does. O(entries).
    /// - Returns: the summaries and, per party, the refusal codes found.
    func verifyAudits(_ prepared: [String: PreparedParty]) -> ([ScenarioSummary.AuditSummary], [String: Set<String>]) {
        say("\nAudit logs:")
        var audits: [ScenarioSummary.AuditSummary] = []
        var codes: [String: Set<String>] = [:]
        for party in definition.parties {
            guard let directory = prepared[party.name]?.directory else { continue }
            var summary = ScenarioSummary.AuditSummary(node: party.name, status: .unreadable, entries: 0, root: nil, checkpoints: 0, detail: "")
            do {
                let reader = try Audit.LogReader.open(path: directory.appendingPathComponent("audit.sqlite").path)
                let key = try Audit.NoteVerifier(parsing: String(
                    contentsOf: directory.appendingPathComponent("audit-verifier.txt"), encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines))
                summary.checkpoints = try reader.storedCheckpoints().count
                switch try reader.verify(key: key) {
                case .intact(let size, let root):
                    summary.status = .intact
                    summary.entries = Int(size)
                    summary.root = root.hex
                    summary.detail = "every checkpoint signature valid"
                    say("  \(party.name): intact: \(size) entries, root \(root.hex.prefix(16))…, every checkpoint signature valid")
                case .broken(let index, let reason):
                    summary.status = .broken
                    summary.entries = Int(try reader.size())
                    summary.detail = "broken at entry \(index): \(reason)"
                    say("  \(party.name): BROKEN at entry \(index): \(reason)")
                }
                var byType: [String: Int] = [:]
                var refusals: [String: Int] = [:]
                var found: Set<String> = []
                try reader.forEachEntry { _, bytes, _ in
                    let text = String(decoding: bytes, as: UTF8.self)
                    guard let type = Self.field("type", in: text) else { return true }
                    byType[type, default: 0] += 1
                    if type == "peer.refused" {
                        let code = Self.field("code", in: text) ?? "unknown"
                        let count = Self.field("count", in: text).flatMap(Int.init) ?? 1
                        refusals["peer.refused:\(code)", default: 0] += count
                        found.insert(code)
                    } else if type == "study.rejected" {
                        refusals["study.rejected", default: 0] += 1
                    }
                    return true
                }
                summary.entriesByType = byType
                summary.refusals = refusals
                codes[party.name] = found
            } catch {
                summary.detail = "cannot verify: \(error)"
                say("  \(party.name): cannot verify: \(error)")
            }
            audits.append(summary)
        }
        return (audits, codes)
    }

    /// The string value of `"name":"…"` (or a bare number) in canonical JSON `text`, first occurrence.
    static func field(_ name: String, in text: String) -> String? {
        guard let range = text.range(of: "\"\(name)\":") else { return nil }
        var rest = text[range.upperBound...]
        if rest.first == "\"" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<end])
        }
        let digits = rest.prefix { $0.isNumber }
        return digits.isEmpty ? nil : String(digits)
    }
}
