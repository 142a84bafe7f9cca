import CohortCore
import CohortStudy
public import CohortAudit
import CohortPrivacy
import Foundation

/// What a node's audit log says happened, for a compliance officer (`cohort audit report`):
/// who accessed which customers' data for which purpose and study, consent changes and
/// erasures, imports, budget spends, study decisions and releases, refused peers, and the log's
/// own verification. Built read-only from a log that verified first (``build(reader:key:from:until:policy:listLimit:)``).
public struct AuditActivity: Sendable, Hashable {
    /// The log's node name.
    public var node: String
    /// The checkpoint origin (`cohort.audit/<node>`).
    public var origin: String
    /// The period reported: first instant, inclusive, ISO 8601 UTC; nil = from the first entry.
    public var from: String?
    /// End of the period, exclusive; nil = up to the last entry.
    public var until: String?
    /// When the report was made, ISO 8601 UTC.
    public var generatedAt: String
    /// The verification of the whole log (always intact in a built report).
    public var verification: Verification
    /// Entries in the period.
    public var entriesInPeriod: Int
    /// Entries in the period by type.
    public var entriesByType: [String: Int]
    /// Reads of customer data (`data.accessed`), in log order (at most `listLimit`).
    public var accesses: [Access]
    /// `data.accessed` entries in the period (may exceed ``accesses``' count).
    public var accessCount: Int
    /// Consent events by purpose, action and source (`import` or `cli`).
    public var consentCounts: [ConsentCount]
    /// Consent changes not made by an import (one by one), in log order (at most `listLimit`).
    public var consentChanges: [ConsentChange]
    /// Consent changes not made by an import in the period (may exceed ``consentChanges``' count).
    public var consentChangeCount: Int
    /// Erasures, in log order.
    public var erasures: [Erasure]
    /// Imports (`data.imported`), in log order.
    public var imports: [Import]
    /// Budget spends (`budget.spent`) and refunds, in log order.
    public var spends: [Spend]
    /// Per purpose: ρ spent in the period (refunds deducted) and ε composed from it.
    public var budgetTotals: [BudgetTotal]
    /// Studies this node took part in during the period.
    public var studies: [StudyActivity]
    /// Refusals by kind: `peer.refused:<code>`, `study.rejected`, `checkpoint.refused`, `log.alert`.
    public var refusals: [String: Int]
    /// Peer connections by peer (actor), counting summarized entries by their `count`.
    public var peerConnections: [String: Int]

    /// The log's verification.
    public struct Verification: Sendable, Hashable {
        /// Entries in the whole log.
        public var size: UInt64
        /// Merkle root of the whole log, hex.
        public var root: String
        /// Signed checkpoints stored.
        public var checkpoints: Int
        /// Size of the latest signed checkpoint.
        public var latestCheckpointSize: UInt64?
        /// Who verified with which key: `the key recorded in the log` or the key given.
        public var key: String
    }

    /// One read of customer data.
    public struct Access: Sendable, Hashable {
        /// Log index.
        public var index: UInt64
        /// Entry time.
        public var timestamp: String
        /// Who (operator, `system`, or the lead that asked).
        public var actor: String
        /// Purpose; empty for a local read of every customer.
        public var purpose: String
        /// Study id; empty for a local analysis.
        public var study: String
        /// Consenting customers read.
        public var rows: Int64
        /// Transactions read.
        public var transactions: Int64
        /// As-of date of the data.
        public var asOf: String
        /// Study round, if any.
        public var round: Int64?
        /// The local command (local analyses).
        public var command: String?
    }

    /// Count of consent events of one kind.
    public struct ConsentCount: Sendable, Hashable {
        /// Purpose.
        public var purpose: String
        /// `granted` or `withdrawn`.
        public var action: String
        /// `import` or `cli` (the entry's `details.source`).
        public var source: String
        /// Entries.
        public var count: Int
    }

    /// One consent change made outside an import.
    public struct ConsentChange: Sendable, Hashable {
        /// Log index.
        public var index: UInt64
        /// Entry time.
        public var timestamp: String
        /// Who recorded it.
        public var actor: String
        /// Pseudonym of the customer (hex).
        public var subject: String
        /// Purpose.
        public var purpose: String
        /// `granted` or `withdrawn`.
        public var action: String
        /// Time of the consent event itself.
        public var at: String
        /// How consent was given or withdrawn, if recorded.
        public var method: String?
    }

    /// One erasure.
    public struct Erasure: Sendable, Hashable {
        /// Log index.
        public var index: UInt64
        /// Entry time.
        public var timestamp: String
        /// Who erased.
        public var actor: String
        /// The pseudonym that no longer links to anyone.
        public var subject: String
        /// Transactions deleted.
        public var transactions: Int64
        /// Consent events deleted.
        public var consentEvents: Int64
    }

    /// One import.
    public struct Import: Sendable, Hashable {
        /// Log index.
        public var index: UInt64
        /// Entry time.
        public var timestamp: String
        /// Who imported.
        public var actor: String
        /// `customers`, `transactions` or `consent`.
        public var kind: String
        /// File name.
        public var file: String
        /// Rows accepted.
        public var accepted: Int64
        /// Rows rejected.
        public var rejected: Int64
        /// SHA-256 of the file.
        public var sha256: String
    }

    /// One budget spend or refund.
    public struct Spend: Sendable, Hashable {
        /// Log index.
        public var index: UInt64
        /// Entry time.
        public var timestamp: String
        /// Purpose charged.
        public var purpose: String
        /// Study charged.
        public var study: String
        /// ε charged (nil for a refund).
        public var epsilon: Double?
        /// δ.
        public var delta: Double?
        /// ρ charged (nil for a refund).
        public var rho: Double?
        /// Study round.
        public var round: Int64?
        /// True for a `budget.refunded` entry.
        public var refund: Bool
        /// The ledger row (links a refund to its spend).
        public var ledgerID: Int64?
    }

    /// Budget per purpose over the period.
    public struct BudgetTotal: Sendable, Hashable {
        /// Purpose.
        public var purpose: String
        /// Σρ of the spends not refunded.
        public var rho: Double
        /// ε of that total at ``delta`` (tight zCDP conversion); nil if no δ was recorded.
        public var epsilon: Double?
        /// The largest δ among the spends.
        public var delta: Double?
        /// Spends counted.
        public var spends: Int
    }

    /// A study as the log saw it.
    public struct StudyActivity: Sendable, Hashable {
        /// Study id.
        public var study: String
        /// Purpose.
        public var purpose: String
        /// Lead node.
        public var lead: String
        /// Kind, from the proposal.
        public var kind: String
        /// ε per node, from the proposal.
        public var epsilon: String
        /// Parties, from the proposal.
        public var parties: String
        /// `accepted`, `rejected: <reason>` or `proposed`.
        public var decision: String
        /// SHA-256 of the released result, if released.
        public var released: String?
    }

    /// Builds the report: verifies the whole log first (by `key`, else the key recorded in the
    /// log, with `policy`), then reads the entries whose time is in `[from, until)` (ms since
    /// the epoch; nil = open). Lists keep at most `listLimit` items (counts stay exact).
    /// O(n) time over the log, memory O(listed items).
    ///
    /// Throws `AuditError(.proofMismatch)` naming the first bad index when the log does not
    /// verify — a tampered log gives no report — and the reader's errors otherwise.
    public static func build(
        reader: Audit.LogReader, key: Audit.NoteVerifier? = nil, from: Int64? = nil, until: Int64? = nil,
        policy: Audit.VerificationPolicy = .strict, listLimit: Int = 2_000
    ) throws -> AuditActivity {
        let size: UInt64, root: Audit.Hash
        switch try reader.verify(key: key, policy: policy) {
        case .intact(let s, let r):
            size = s
            root = r
        case .broken(let index, let reason):
            throw AuditError(.proofMismatch, "the audit log \(reader.path) does not verify (entry \(index): \(reason)); no report was made — run `cohort audit verify` and keep the file as evidence")
        }
        let checkpoints = try reader.storedCheckpoints()
        var a = AuditActivity(
            node: reader.node, origin: reader.origin, from: from.map { Audit.Timestamp.format(millisecondsSinceEpoch: $0) },
            until: until.map { Audit.Timestamp.format(millisecondsSinceEpoch: $0) }, generatedAt: Audit.Timestamp.format(Date()),
            verification: Verification(size: size, root: root.hex, checkpoints: checkpoints.count, latestCheckpointSize: checkpoints.last?.size,
                                       key: key == nil ? "the key recorded in the log" : "the key given"),
            entriesInPeriod: 0, entriesByType: [:], accesses: [], accessCount: 0, consentCounts: [], consentChanges: [],
            consentChangeCount: 0, erasures: [], imports: [], spends: [], budgetTotals: [], studies: [], refusals: [:], peerConnections: [:])
        var consent: [ConsentCount] = []
        var studyIndex: [String: Int] = [:]
        var refundedLedgers: Set<Int64> = []
        func study(_ e: Audit.Entry) -> Int {
            if let i = studyIndex[e.study] { return i }
            a.studies.append(StudyActivity(study: e.study, purpose: e.purpose, lead: "", kind: "", epsilon: "", parties: "", decision: "proposed", released: nil))
            studyIndex[e.study] = a.studies.count - 1
            return a.studies.count - 1
        }
        try reader.forEachEntry { index, bytes, _ in
            let e: Audit.Entry
            do {
                e = try Audit.Entry.parse(Array(bytes))
            } catch let error as AuditError {
                throw AuditError(error.code, "entry \(index): \(error.message)")
            }
            if from != nil || until != nil {
                let t = Audit.Timestamp.parse(e.timestamp) ?? 0
                if let from, t < from { return true }
                if let until, t >= until { return true }
            }
            a.entriesInPeriod += 1
            a.entriesByType[e.type.rawValue, default: 0] += 1
            let d = e.details
            switch e.type {
            case .dataAccessed:
                a.accessCount += 1
                if a.accesses.count < listLimit {
                    a.accesses.append(Access(
                        index: index, timestamp: e.timestamp, actor: e.actor, purpose: e.purpose, study: e.study,
                        rows: d.int("rows") ?? 0, transactions: d.int("transactions") ?? 0, asOf: d.string("as_of") ?? "",
                        round: d.int("round"), command: d.string("command")))
                }
            case .consentGranted, .consentWithdrawn:
                let action = e.type == .consentGranted ? "granted" : "withdrawn"
                let source = d.string("source") ?? "?"
                if let i = consent.firstIndex(where: { $0.purpose == e.purpose && $0.action == action && $0.source == source }) {
                    consent[i].count += 1
                } else {
                    consent.append(ConsentCount(purpose: e.purpose, action: action, source: source, count: 1))
                }
                if source != "import" {
                    a.consentChangeCount += 1
                    if a.consentChanges.count < listLimit {
                        a.consentChanges.append(ConsentChange(
                            index: index, timestamp: e.timestamp, actor: e.actor, subject: e.subject ?? "", purpose: e.purpose,
                            action: action, at: d.string("at") ?? "", method: d.string("method")))
                    }
                }
            case .subjectErased:
                a.erasures.append(Erasure(index: index, timestamp: e.timestamp, actor: e.actor, subject: e.subject ?? "",
                                          transactions: d.int("transactions") ?? 0, consentEvents: d.int("consent_events") ?? 0))
            case .dataImported:
                a.imports.append(Import(index: index, timestamp: e.timestamp, actor: e.actor, kind: d.string("kind") ?? "",
                                        file: d.string("file") ?? "", accepted: d.int("accepted") ?? 0, rejected: d.int("rejected") ?? 0,
                                        sha256: d.string("sha256") ?? ""))
            case .budgetSpent:
                a.spends.append(Spend(index: index, timestamp: e.timestamp, purpose: e.purpose, study: e.study,
                                      epsilon: d.string("epsilon").flatMap(Double.init), delta: d.string("delta").flatMap(Double.init),
                                      rho: d.string("rho").flatMap(Double.init), round: d.int("round"), refund: false, ledgerID: d.int("ledger_id")))
            case .budgetRefunded:
                if let id = d.int("ledger_id") { refundedLedgers.insert(id) }
                a.spends.append(Spend(index: index, timestamp: e.timestamp, purpose: e.purpose, study: e.study, epsilon: nil, delta: nil,
                                      rho: nil, round: d.int("round"), refund: true, ledgerID: d.int("ledger_id")))
            case .studyProposed:
                let i = study(e)
                a.studies[i].lead = d.string("lead") ?? ""
                a.studies[i].kind = d.string("kind") ?? ""
                a.studies[i].epsilon = d.string("epsilon") ?? ""
                a.studies[i].parties = d.string("parties") ?? ""
            case .studyAccepted:
                let i = study(e)
                a.studies[i].decision = "accepted"
                if a.studies[i].lead.isEmpty { a.studies[i].lead = d.string("lead") ?? "" }
            case .studyRejected:
                a.refusals["study.rejected", default: 0] += Int(d.int("count") ?? 1)
                if !e.study.isEmpty {
                    let i = study(e)
                    a.studies[i].decision = "rejected: \(d.string("reason") ?? "")"
                    if a.studies[i].lead.isEmpty { a.studies[i].lead = d.string("lead") ?? "" }
                }
            case .resultReleased:
                let i = study(e)
                a.studies[i].released = d.string("sha256")
            case .peerRefused:
                a.refusals["peer.refused:\(d.string("code") ?? "?")", default: 0] += Int(d.int("count") ?? 1)
            case .peerConnected:
                a.peerConnections[e.actor, default: 0] += Int(d.int("count") ?? 1)
            case .checkpointRefused:
                a.refusals["checkpoint.refused", default: 0] += 1
            case .logAlert:
                a.refusals["log.alert", default: 0] += 1
            default:
                break
            }
            return true
        }
        a.consentCounts = consent.sorted { ($0.purpose, $0.action, $0.source) < ($1.purpose, $1.action, $1.source) }
        var totals: [String: BudgetTotal] = [:]
        for spend in a.spends where !spend.refund {
            if let id = spend.ledgerID, refundedLedgers.contains(id) { continue }
            var t = totals[spend.purpose] ?? BudgetTotal(purpose: spend.purpose, rho: 0, epsilon: nil, delta: nil, spends: 0)
            t.rho += spend.rho ?? 0
            if let d = spend.delta { t.delta = max(t.delta ?? 0, d) }
            t.spends += 1
            totals[spend.purpose] = t
        }
        a.budgetTotals = totals.values.sorted { $0.purpose < $1.purpose }.map { total in
            var t = total
            if let delta = t.delta, delta > 0, delta < 1 { t.epsilon = try? Privacy.ZCDP.epsilon(rho: t.rho, delta: delta) }
            return t
        }
        return a
    }
}

extension [String: Audit.Value] {
    fileprivate func int(_ key: String) -> Int64? {
        if case .integer(let v)? = self[key] { return v }
        return nil
    }

    fileprivate func string(_ key: String) -> String? {
        if case .string(let v)? = self[key] { return v }
        return nil
    }
}
