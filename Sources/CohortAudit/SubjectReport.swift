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
            /// Why it is listed: `subject` or `study used data (consent granted for <purpose>)`.
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
    /// memory O(matching entries).
    public func subjectReport(pseudonym: String) throws -> Audit.SubjectReport {
        guard Audit.Event.isPseudonym(pseudonym) else {
            throw AuditError(.invalidEvent, "pseudonym must be 32 lowercase hex digits")
        }
        let checkpoint = try latestCheckpoint()
        var consent: [String: Bool] = [:]
        var items: [Audit.SubjectReport.Item] = []
        let needle = Array("\"subject\":\"\(pseudonym)\"".utf8)
        let accessed = Array("\"type\":\"data.accessed\"".utf8)
        try forEachEntry { index, bytes, leafRaw in
            let mentions = contains(bytes, needle)
            let isAccess = contains(bytes, accessed)
            guard mentions || isAccess else { return true }
            let array = Array(bytes)
            let entry: Audit.Entry
            do {
                entry = try Audit.Entry.parse(array)
            } catch let e as AuditError {
                throw AuditError(e.code, "entry \(index): \(e.message)")
            }
            var relation: String?
            if entry.subject == pseudonym {
                relation = "subject"
                if entry.type == .consentGranted { consent[entry.purpose] = true }
                if entry.type == .consentWithdrawn { consent[entry.purpose] = false }
                if entry.type == .subjectErased { consent.removeAll() }
            } else if entry.type == .dataAccessed, entry.subject == nil, consent[entry.purpose] == true {
                relation = "study used data (consent granted for \(entry.purpose))"
            }
            if let relation {
                let leaf = Audit.Hash(raw: leafRaw) ?? Audit.Merkle.leafHash(array)
                items.append(.init(index: index, entry: entry, bytes: array, leaf: leaf, relation: relation, proof: nil))
            }
            return true
        }
        if let checkpoint {
            for i in items.indices where items[i].index < checkpoint.checkpoint.size {
                items[i].proof = try inclusionProof(index: items[i].index, size: checkpoint.checkpoint.size)
            }
        }
        return Audit.SubjectReport(pseudonym: pseudonym, items: items, checkpoint: checkpoint)
    }

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
