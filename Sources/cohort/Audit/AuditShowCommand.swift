import CohortStudy
import CohortCore
import ArgumentParser
import CohortAudit
import Foundation

/// `cohort audit show`: lists entries, filtered, as a table or JSON lines.
struct AuditShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List entries filtered by type, time range, study, purpose or subject."
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(name: .customLong("type"), help: "Event type (repeatable), e.g. consent.granted.")
    var types: [String] = []

    @Option(help: "Earliest time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC, inclusive).")
    var since: String?

    @Option(help: "Latest time (exclusive).")
    var until: String?

    @Option(help: "Study identifier.")
    var study: String?

    @Option(help: "Purpose (segmentation, benchmarking, model-training).")
    var purpose: String?

    @Option(help: "Subject pseudonym (32 hex digits).")
    var subject: String?

    @Option(help: "Show the last N matching entries (default: \(Self.defaultLimit)).")
    var limit: Int?

    @Flag(help: "Show every matching entry (no limit).")
    var all = false

    /// How many entries `audit show` prints without `--limit` or `--all`.
    static let defaultLimit = 50

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit \(limit) must be at least 1") }
        if all && limit != nil { throw ValidationError("choose one of --all and --limit") }
    }

    @Flag(help: "One JSON object per line: the stored entry bytes.")
    var json = false

    func run() throws {
        var wanted: Set<Audit.EventType> = []
        for t in types {
            guard let type = Audit.EventType(rawValue: t) else {
                throw ValidationError("unknown event type \(t); known: \(Audit.EventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            wanted.insert(type)
        }
        let sinceMs = try since.map { s -> Int64 in
            guard let v = Audit.Timestamp.parse(s) else { throw ValidationError("--since \(s) is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") }
            return v
        }
        let untilMs = try until.map { s -> Int64 in
            guard let v = Audit.Timestamp.parse(s) else { throw ValidationError("--until \(s) is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") }
            return v
        }
        let subjectFilter = subject?.lowercased()
        let reader = try location.openReader()
        // The last `keep` matching entries (a bounded ring), or all of them with --all.
        let keep = all ? Int.max : (limit ?? Self.defaultLimit)
        var kept: [(index: UInt64, bytes: [UInt8], entry: Audit.Entry)] = []
        var matched = 0
        try reader.forEachEntry { index, bytes, _ in
            let entry: Audit.Entry
            do {
                entry = try Audit.Entry.parse(Array(bytes))
            } catch let e as AuditError {
                throw AuditError(e.code, "entry \(index): \(e.message)")
            }
            if !wanted.isEmpty && !wanted.contains(entry.type) { return true }
            if let study, entry.study != study { return true }
            if let purpose, entry.purpose != purpose { return true }
            if let subjectFilter, entry.subject != subjectFilter { return true }
            if sinceMs != nil || untilMs != nil {
                let t = Audit.Timestamp.parse(entry.timestamp) ?? 0
                if let sinceMs, t < sinceMs { return true }
                if let untilMs, t >= untilMs { return true }
            }
            matched += 1
            kept.append((index, Array(bytes), entry))
            if kept.count > keep { kept.removeFirst(kept.count - keep) }
            return true
        }
        if !json {
            print(pad("INDEX", 7) + pad("TIME", 25) + pad("TYPE", 20) + pad("ACTOR", 12) + pad("SUBJECT", 10) + pad("PURPOSE", 15) + "STUDY / DETAILS")
        }
        for (index, bytes, entry) in kept {
            if json {
                print(String(decoding: bytes, as: UTF8.self))
                continue
            }
            let details = entry.details.keys.sorted().map { k -> String in
                switch entry.details[k] {
                case .string(let s)?: return "\(k)=\(s)"
                case .integer(let i)?: return "\(k)=\(i)"
                case nil: return k
                }
            }.joined(separator: " ")
            // The study id is printed in full (ids are long; nothing after it is aligned).
            let study = entry.study.isEmpty ? "" : "study=\(entry.study) "
            print(pad(String(index), 7) + pad(entry.timestamp, 25) + pad(entry.type.rawValue, 20) + pad(entry.actor, 12)
                  + pad(entry.subject.map { String($0.prefix(8)) } ?? "-", 10) + pad(entry.purpose.isEmpty ? "-" : entry.purpose, 15)
                  + study + details)
        }
        if !json && matched > kept.count {
            FileHandle.standardError.write(Data("showing the last \(kept.count) of \(matched) matching entries; use --limit N or --all\n".utf8))
        }
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count > width - 1 ? String(s.prefix(width - 2)) + "… " : s + String(repeating: " ", count: width - s.count)
    }
}
