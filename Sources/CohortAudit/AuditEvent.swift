/// Namespace for the node's append-only, hash-chained, signed audit log.
public enum Audit {}

extension Audit {
    /// The closed set of audit event types. The raw value is the `type` field stored in each entry.
    public enum EventType: String, Sendable, CaseIterable, Codable, Hashable {
        /// A node directory was created (`cohort node init`).
        case nodeInitialized = "node.initialized"
        /// A node process started serving.
        case nodeStarted = "node.started"
        /// A node process stopped (graceful shutdown).
        case nodeStopped = "node.stopped"
        /// A CSV file's rows are being imported (details: kind, file, sha256, accepted, rejected,
        /// import_id). Written before the rows commit; the outcome is a later `import.committed`
        /// or `import.rolled_back` entry with the same import_id.
        case dataImported = "data.imported"
        /// The import named by details.import_id committed (details: import_id, reconciled).
        case importCommitted = "import.committed"
        /// The import named by details.import_id was rolled back: none of its rows are stored and
        /// its consent entries do not count (details: import_id, reason, reconciled).
        case importRolledBack = "import.rolled_back"
        /// A data subject granted consent for a purpose.
        case consentGranted = "consent.granted"
        /// A data subject withdrew consent for a purpose.
        case consentWithdrawn = "consent.withdrawn"
        /// A data subject's rows and pseudonym mapping were deleted.
        case subjectErased = "subject.erased"
        /// A study was proposed (by this node as lead, or received from a lead).
        case studyProposed = "study.proposed"
        /// This node accepted a study.
        case studyAccepted = "study.accepted"
        /// This node rejected a study (details: reason).
        case studyRejected = "study.rejected"
        /// A study this node led or took part in ended without a result here: failed, aborted
        /// by its lead, or expired (details: lead, outcome, reason).
        case studyEnded = "study.ended"
        /// A study round was securely aggregated: as lead, the unmasked sum was computed; as a
        /// participant, its shares were revealed for the named survivors and dropouts (details:
        /// lead, round, role, parties, survivors, dropouts).
        case studyAggregated = "study.aggregated"
        /// Customer data was read for a study (details: rows used).
        case dataAccessed = "data.accessed"
        /// Privacy budget was charged (details: epsilon, delta, rho, mechanism).
        case budgetSpent = "budget.spent"
        /// A reserved spend was given back because its contribution failed before leaving the
        /// node (details: ledger_id, round, reason).
        case budgetRefunded = "budget.refunded"
        /// A study result was released (details: digest).
        case resultReleased = "result.released"
        /// A peer connected with an accepted certificate.
        case peerConnected = "peer.connected"
        /// A peer connection was refused (details: reason).
        case peerRefused = "peer.refused"
        /// A node key or certificate was rotated.
        case keyRotated = "key.rotated"
        /// The node signed a checkpoint of its own log.
        case checkpointSigned = "checkpoint.signed"
        /// The node cosigned a peer's checkpoint.
        case checkpointCosigned = "checkpoint.cosigned"
        /// The node refused to cosign a peer's checkpoint that is inconsistent with the one it
        /// cosigned last (a fork or a rollback); the evidence is kept.
        case checkpointRefused = "checkpoint.refused"
        /// The log's writer found entries it did not write (the database's size or root differs
        /// from its own tree): it refuses to sign and stops writing.
        case logAlert = "log.alert"
    }

    /// A detail value. Canonical JSON allows integers and strings only.
    public enum Value: Sendable, Hashable {
        /// A UTF-8 string.
        case string(String)
        /// A signed 64-bit integer.
        case integer(Int64)
    }

    /// What a caller asks the log to record. The log adds `v`, `seq`, `ts`, `node` and `prev`.
    public struct Event: Sendable, Hashable {
        /// The event type.
        public var type: EventType
        /// Who did it: an operator name, `system`, or a peer node name.
        public var actor: String
        /// The data subject's pseudonym as lowercase hex, if the event concerns one customer.
        public var subject: String?
        /// The purpose (`segmentation`, `benchmarking`, `model-training`), if any.
        public var purpose: String?
        /// The study identifier, if any.
        public var study: String?
        /// Event-specific details (see the event type's documented schema).
        public var details: [String: Value]

        /// Creates an event.
        public init(
            type: EventType, actor: String, subject: String? = nil, purpose: String? = nil,
            study: String? = nil, details: [String: Value] = [:]
        ) {
            self.type = type
            self.actor = actor
            self.subject = subject
            self.purpose = purpose
            self.study = study
            self.details = details
        }
    }
}

/// Something that records audit events durably. `Audit.Log` is the real one.
///
/// Both methods return only after the entries are durable (fsynced), and return the index
/// (`seq`, 0-based) the log gave them.
public protocol AuditRecording: Sendable {
    /// Appends one event; returns its index once durable.
    func record(_ event: Audit.Event) async throws -> UInt64
    /// Appends events in order; returns the index range once all are durable.
    func record(contentsOf events: [Audit.Event]) async throws -> ClosedRange<UInt64>?
}
