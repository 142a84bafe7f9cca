public import Foundation

/// Which CSV schema a file follows.
public enum ImportKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// `customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date`
    case customers
    /// `customer_id,ts,amount_minor,currency,channel,category`
    case transactions
    /// `customer_id,purpose,action,at,method,policy_version`
    case consent
}

/// How to import a file.
public struct ImportOptions: Sendable, Equatable {
    /// Import the valid rows and write invalid ones to ``rejectsPath`` instead of aborting.
    /// Structural problems that make the rest of the file unreadable (no header, a record over
    /// the size limit, an unterminated quote, read errors) still abort.
    public var skipInvalid: Bool
    /// Where to write rejected rows (CSV `line,column,reason,row`); required with ``skipInvalid``.
    /// Never the input file or a path inside the node directory; an existing file only with
    /// ``replaceRejects``. Created exclusively, mode 0600.
    public var rejectsPath: String?
    /// Import a file even if a file with the same SHA-256 was already imported as the same kind
    /// (CLI `--force`). Without it such an import is refused with `.alreadyImported`.
    public var allowDuplicate: Bool
    /// Replace an existing ``rejectsPath`` file (CLI `--force`).
    public var replaceRejects: Bool
    /// Who runs the import (audit `actor`).
    public var actor: String
    /// Maximum bytes in one CSV record (default 1 MiB).
    public var maxRecordBytes: Int
    /// A mapping from the partner's own export to the schema (`--map`); nil: the file follows
    /// Cohort's own schema, imported as before.
    public var mapping: ImportMapping?
    /// Rates for converting other currencies into the reporting currency (`--rates`).
    public var rates: CurrencyRates?
    /// The node's reporting currency and declared custom attributes (its config's `data:`
    /// section), for mapped imports.
    public var declarations = DataDeclarations()
    /// A later export of the same source (`--incremental`, mapped imports only): orders already
    /// imported are skipped, customers already stored are updated (key: customer id); a file
    /// already imported (same SHA-256) changes nothing and the report says so.
    public var incremental: Bool = false

    /// Creates options.
    public init(
        skipInvalid: Bool = false, rejectsPath: String? = nil, actor: String = "operator", maxRecordBytes: Int = 1 << 20,
        allowDuplicate: Bool = false, replaceRejects: Bool = false
    ) {
        self.skipInvalid = skipInvalid
        self.rejectsPath = rejectsPath
        self.allowDuplicate = allowDuplicate
        self.replaceRejects = replaceRejects
        self.actor = actor
        self.maxRecordBytes = maxRecordBytes
    }
}

/// The outcome of a successful import (committed and audited).
public struct ImportReport: Sendable, Equatable {
    /// The schema imported.
    public var kind: ImportKind
    /// The file path as given.
    public var file: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public var sha256: String
    /// Rows stored.
    public var rowsAccepted: Int
    /// Rows written to the rejects file (0 unless ``ImportOptions/skipInvalid``).
    public var rowsRejected: Int
    /// The import id: `imports.id`, also `import_id` in its audit entries. Never reused, not
    /// even for an import that was rolled back (see ``NodeStore/importCSV(_:from:options:audit:)``).
    public var importID: Int64
    /// The earlier import of the same file (same kind and SHA-256), when it was imported again
    /// with ``ImportOptions/allowDuplicate``.
    public var duplicateOf: Int64?
    /// The rejects file, if one was written.
    public var rejectsPath: String?
    /// The first (up to 20) rejections, for display.
    public var sampleRejections: [StoreError]
    /// When the import was recorded.
    public var at: Date
    /// What a mapped import derived, converted, merged, skipped or updated, one sentence each
    /// (printed, stored in `imports.notes` and in the audit entry).
    public var notes: [String] = []
    /// Set when an incremental import found this very file (same SHA-256) already imported:
    /// the earlier import's id; nothing was changed and nothing recorded.
    public var nothingNewSince: Int64?
}

/// One row of the `imports` table.
public struct ImportRecord: Sendable, Equatable {
    /// `imports.id`.
    public var id: Int64
    /// The schema imported.
    public var kind: ImportKind
    /// The file's last path component.
    public var fileName: String
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
    /// Rows stored.
    public var rowsAccepted: Int
    /// Rows rejected.
    public var rowsRejected: Int
    /// When the import was committed (whole seconds).
    public var at: Date
}
