import Foundation

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
public struct ImportOptions: Sendable, Hashable {
    /// Import the valid rows and write invalid ones to ``rejectsPath`` instead of aborting.
    /// Structural problems that make the rest of the file unreadable (no header, a record over
    /// the size limit, an unterminated quote, read errors) still abort.
    public var skipInvalid: Bool
    /// Where to write rejected rows (CSV `line,column,reason,row`); required with ``skipInvalid``.
    public var rejectsPath: String?
    /// Who runs the import (audit `actor`).
    public var actor: String
    /// Maximum bytes in one CSV record (default 1 MiB).
    public var maxRecordBytes: Int

    /// Creates options.
    public init(skipInvalid: Bool = false, rejectsPath: String? = nil, actor: String = "operator", maxRecordBytes: Int = 1 << 20) {
        self.skipInvalid = skipInvalid
        self.rejectsPath = rejectsPath
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
    /// The `imports.id` of this import.
    public var importID: Int64
    /// The rejects file, if one was written.
    public var rejectsPath: String?
    /// The first (up to 20) rejections, for display.
    public var sampleRejections: [StoreError]
    /// When the import was recorded.
    public var at: Date
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
