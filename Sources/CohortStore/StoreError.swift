/// The one error type of `CohortStore`.
///
/// `description` is the message shown to the operator. Errors about a CSV file name the file,
/// the physical line (1-based), the column (1-based, with its header name when known) and the
/// reason, in the form `file:line:column: reason`.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for programmatic handling.
    public enum Code: String, Sendable, Hashable {
        /// `node init` was asked to use a directory that is not empty.
        case directoryNotEmpty
        /// The directory is not an initialized node (no `node.sqlite` or `cohort.yaml`).
        case notANode
        /// A CSV file has no header row, an unknown/missing/duplicated column, or is empty.
        case invalidHeader
        /// A CSV row is malformed or a value does not validate.
        case invalidRow
        /// A CSV record exceeds the maximum record size.
        case lineTooLong
        /// A CSV file is not valid UTF-8.
        case invalidUTF8
        /// A customer id appears twice (in the file, or already in the store).
        case duplicateCustomer
        /// A row or command references a customer the store does not know.
        case unknownCustomer
        /// A command argument is invalid (purpose, date, ...).
        case invalidArgument
        /// Reading or writing a file failed.
        case io
        /// The database reported an error.
        case database
        /// Auditing failed; the change was rolled back.
        case auditFailed
        /// A file with the same SHA-256 was already imported as the same kind.
        case alreadyImported
        /// A mapping file (`--map`) or rates file (`--rates`) is invalid, or does not fit the
        /// source file (e.g. it names a column the file lacks).
        case invalidMapping
        /// `node.sqlite` is missing or empty although the node's audit log has entries: the
        /// store was lost or overwritten, and opening it would start a fresh, empty one.
        case storeMissing
    }

    /// The error's category.
    public var code: Code
    /// The human-readable message (without location).
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    /// The 1-based physical line in `file`, if any.
    public var line: Int?
    /// The 1-based column number, if any.
    public var column: Int?
    /// The column's header name, if known.
    public var columnName: String?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
        columnName: String? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
    }

    /// `file:line:column: reason` (parts that are unknown are left out).
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            location += ": "
        }
        if let columnName {
            return "\(location)column '\(columnName)': \(message)"
        }
        return location + message
    }
}
