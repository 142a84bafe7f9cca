import CohortAudit
public import Foundation

extension ScenarioSummary.AuditSummary {
    /// Verifies the audit log of the node in `directory` (`audit.sqlite`, against the key in
    /// `audit-verifier.txt`, strictly) and summarizes it: entries, root, checkpoints, refusals
    /// by kind, entries by type. Never throws: a broken log is `broken` with the first bad index,
    /// a missing or unreadable one `unreadable` with the reason. O(n) in the log.
    public static func of(node: String, directory: URL) -> ScenarioSummary.AuditSummary {
        do {
            let reader = try Audit.LogReader.open(path: directory.appendingPathComponent("audit.sqlite").path)
            let keyText = try String(contentsOf: directory.appendingPathComponent("audit-verifier.txt"), encoding: .utf8)
            let key = try Audit.NoteVerifier(parsing: keyText.trimmingCharacters(in: .whitespacesAndNewlines))
            do {
                let activity = try AuditActivity.build(reader: reader, key: key, listLimit: 0)
                return .init(
                    node: node, status: .intact, entries: Int(activity.verification.size), root: activity.verification.root,
                    checkpoints: activity.verification.checkpoints, detail: "every checkpoint signature valid",
                    refusals: activity.refusals, entriesByType: activity.entriesByType)
            } catch let error as AuditError where error.code == .proofMismatch {
                let size = (try? reader.size()).map { Int($0) } ?? 0
                let checkpoints = (try? reader.storedCheckpoints().count) ?? 0
                return .init(node: node, status: .broken, entries: size, root: nil, checkpoints: checkpoints, detail: error.message)
            }
        } catch {
            return .init(node: node, status: .unreadable, entries: 0, root: nil, checkpoints: 0, detail: "\(error)")
        }
    }
}
