import Foundation
import GRDB

extension Audit {
    /// Everything the log holds about one data subject (a data subject access request): entries
    /// naming the pseudonym (consent history, erasure) and the `data.accessed` entries of studies
    /// that used their data (a purpose's access while the subject's consent for it was granted),
    /// each with an inclusion proof against the latest signed checkpoint that covers it.
    public struct SubjectReport: Sendable {
        /// One relevant entry.
        public struct Item: Sendable {
            /// Index in the log.
            public var index: UInt64
            /// The parsed entry.
            public var entry: Entry
            /// The stored canonical bytes.
            public var bytes: [UInt8]
            /// Its leaf hash.
            public var leaf: Hash
            /// Why it is listed: `subject`, `subject (import <id> was rolled back: …)` or
            /// `study used data (consent granted for <purpose>)`.
            public var relation: String
            /// Inclusion proof in the tree of `checkpoint.size` entries; `nil` if the entry is newer
            /// than the latest checkpoint.
            public var proof: [Hash]?
        }

        /// The pseudonym (32 lowercase hex digits).
        public var pseudonym: String
        /// Relevant entries in log order.
        public var items: [Item]
        /// The latest stored signed checkpoint the proofs refer to.
        public var checkpoint: SignedCheckpoint?
    }

    /// Maps a partner customer ID to its pseudonym through the node store.
    public enum SubjectLookup {
        /// Reads `SELECT pseudonym FROM customers WHERE customer_id = ?` from `node.sqlite`
        /// (read-only) and returns it as lowercase hex. Throws `.unknownSubject` if not found
        /// (never imported, or erased) or the store cannot be read.
        public static func pseudonym(customerID: String, nodeDatabasePath path: String) throws -> String {
            guard FileManager.default.fileExists(atPath: path) else {
                throw AuditError(.unknownSubject, "node store \(path) does not exist")
            }
            let data: Data?
            do {
                var config = Configuration()
                config.readonly = true
                let queue = try DatabaseQueue(path: path, configuration: config)
                data = try queue.read { db in
                    try Data.fetchOne(db, sql: "SELECT pseudonym FROM customers WHERE customer_id = ?", arguments: [customerID])
                }
            } catch {
                throw AuditError(.unknownSubject, "cannot read customers from \(path): \(error)")
            }
            guard let data, data.count == 16 else {
                throw AuditError(.unknownSubject, "customer \(customerID) is not in \(path) (never imported, or erased)")
            }
            return HexDigits.encode(data)
        }
    }
}

extension Audit.LogReader {
    /// Builds the subject report for `pseudonym` by one streaming pass over the log. O(n) time;
    /// memory O(matching entries + `data.accessed` entries).
    ///
    /// Consent entries written by an import (details.import_id) whose import was rolled back
    /// (an `import.rolled_back` entry with that import_id, anywhere in the log) are listed but do
    /// not count as consent: none of that import's rows were stored.
    public func subjectReport(pseudonym: String) throws -> Audit.SubjectReport {
        guard Audit.Event.isPseudonym(pseudonym) else {
            throw AuditError(.invalidEvent, "pseudonym must be 32 lowercase hex digits")
        }
        let checkpoint = try latestCheckpoint()
        var candidates: [Audit.SubjectReport.Item] = []
        var rolledBack: Set<Int64> = []
        let needle = Array("\"subject\":\"\(pseudonym)\"".utf8)
        let accessed = Array("\"type\":\"data.accessed\"".utf8)
        let rollback = Array("\"type\":\"\(Audit.EventType.importRolledBack.rawValue)\"".utf8)
        try forEachEntry { index, bytes, leafRaw in
            let mentions = contains(bytes, needle)
            let isAccess = !mentions && contains(bytes, accessed)
            let isRollback = !mentions && !isAccess && contains(bytes, rollback)
            guard mentions || isAccess || isRollback else { return true }
            let array = Array(bytes)
            let entry: Audit.Entry
            do {
                entry = try Audit.Entry.parse(array)
            } catch let e as AuditError {
                throw AuditError(e.code, "entry \(index): \(e.message)")
            }
            if entry.type == .importRolledBack {
                if case .integer(let id)? = entry.details["import_id"] { rolledBack.insert(id) }
                return true
            }
            let leaf = Audit.Hash(raw: leafRaw) ?? Audit.Merkle.leafHash(array)
            candidates.append(.init(index: index, entry: entry, bytes: array, leaf: leaf, relation: "", proof: nil))
            return true
        }
        // Replay in log order, now that every rolled-back import is known. Consent in force at
        // an access is decided as the store decides it when a study reads: among the subject's
        // consent events for the purpose whose time (`details.at`, else the entry's `ts`) is at or
        // before the access, the latest by time, ties by log order. So a withdrawal dated before
        // the access binds it even if it was recorded out of order, and a grant dated after the
        // access does not count for it.
        var consent: [String: [(at: Substring, granted: Bool)]] = [:]
        var seen = false
        var items: [Audit.SubjectReport.Item] = []
        for var item in candidates {
            let entry = item.entry
            if entry.subject == pseudonym {
                item.relation = "subject"
                seen = true
                let isConsent = entry.type == .consentGranted || entry.type == .consentWithdrawn
                if isConsent, case .integer(let id)? = entry.details["import_id"], rolledBack.contains(id) {
                    item.relation = "subject (import \(id) was rolled back: not in force, not counted as consent)"
                } else if isConsent {
                    let at: Substring
                    if case .string(let text)? = entry.details["at"] { at = Self.secondPrefix(text) } else { at = Self.secondPrefix(entry.timestamp) }
                    consent[entry.purpose, default: []].append((at, entry.type == .consentGranted))
                } else if entry.type == .subjectErased {
                    consent.removeAll()
                    seen = false
                }
            } else if entry.type == .dataAccessed, entry.subject == nil {
                if entry.purpose.isEmpty {
                    // A local read of every customer (no purpose filter), e.g. `cohort analyze`.
                    guard seen else { continue }
                    item.relation = "local access to all customers (no purpose filter)"
                } else {
                    let now = Self.secondPrefix(entry.timestamp)
                    var state: (at: Substring, granted: Bool)?
                    for event in consent[entry.purpose] ?? [] where event.at <= now {
                        if state == nil || event.at >= state!.at { state = event }
                    }
                    guard state?.granted == true else { continue }
                    item.relation = "study used data (consent granted for \(entry.purpose))"
                }
            } else {
                continue
            }
            items.append(item)
        }
        if let checkpoint {
            for i in items.indices where items[i].index < checkpoint.checkpoint.size {
                items[i].proof = try inclusionProof(index: items[i].index, size: checkpoint.checkpoint.size)
            }
        }
        return Audit.SubjectReport(pseudonym: pseudonym, items: items, checkpoint: checkpoint)
    }

    /// `YYYY-MM-DDTHH:MM:SS` of an ISO 8601 UTC time (entries' `ts` and consent `at` share this
    /// prefix), so that times compare as strings.
    private static func secondPrefix(_ text: String) -> Substring { text.prefix(19) }

    private func contains(_ hay: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count, let first = needle.first else { return false }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
