/// A mapping file (`--map <mapping.yaml>`): how a partner's own export maps onto one of
/// Cohort's import schemas (``ImportKind``). The format is documented in `docs/mappings/README.md`;
/// ``ImportMappingParser`` reads and validates it, naming `file:line:column` for every problem.
public struct ImportMapping: Sendable, Equatable {
    /// A position in the mapping file (1-based), for errors.
    public struct Location: Sendable, Hashable {
        /// Line, 1-based.
        public var line: Int
        /// Column, 1-based.
        public var column: Int
    }

    /// Where a value comes from.
    public enum Source: Sendable, Equatable {
        /// A column of the source file, by header name (or by `format.columns` name).
        case column(String, Location)
        /// Several columns joined (`columns: [a, b]`), e.g. a composite order key.
        case columns([(name: String, location: Location)])
        /// A constant (`value:`), for a field the export lacks.
        case constant(String)

        public static func == (a: Source, b: Source) -> Bool {
            switch (a, b) {
            case let (.column(x, l), .column(y, m)): return x == y && l == m
            case let (.columns(x), .columns(y)):
                return x.map(\.name) == y.map(\.name) && x.map(\.location) == y.map(\.location)
            case let (.constant(x), .constant(y)): return x == y
            default: return false
            }
        }
    }

    /// How one target field (or custom attribute) is filled.
    public struct Rule: Sendable, Equatable {
        /// The value's origin.
        public var source: Source
        /// `values:` — recodes source values (`Yes` → `1`); a value not listed is an error.
        public var values: [String: String]?
        /// `format:` — for times and dates (default ``TimestampFormat/iso8601``).
        public var format: TimestampFormat?
        /// Where the rule is written.
        public var location: Location
    }

    /// How a transaction's amount is computed.
    public enum Amount: Sendable, Equatable {
        /// A decimal in major units (`12.50`), scaled by the currency's ISO 4217 exponent.
        case decimal(Rule)
        /// An integer in minor units (cents), as in Cohort's own schema.
        case minorUnits(Rule)
        /// `quantity × unit_price`; the unit price may have up to `unitPriceDigits` decimals
        /// (default: the currency's exponent); a line total finer than the minor unit is rounded
        /// half to even.
        case product(quantity: Rule, unitPrice: Rule, unitPriceDigits: Int?)
    }

    /// How a transaction's sign is decided (``Amount`` magnitude made negative).
    public enum Sign: Sendable, Equatable {
        /// Negative when the column's value starts with the prefix (cancellation invoices `C…`).
        case negativePrefix(Rule, String)
        /// Negative when the column's value is one of the listed values (`refund`).
        case negativeValues(Rule, Set<String>)
    }

    /// A row filter: rows for which any filter fails are skipped (and counted).
    public struct Filter: Sendable, Equatable {
        /// The condition on the column's value.
        public enum Condition: Sendable, Equatable {
            /// Equal to the text.
            case equals(String)
            /// Not equal to the text.
            case notEquals(String)
            /// One of the texts.
            case oneOf(Set<String>)
            /// None of the texts.
            case noneOf(Set<String>)
            /// Not empty.
            case notEmpty
        }
        /// The column tested.
        public var column: String
        /// The test.
        public var condition: Condition
        /// Where the filter is written.
        public var location: Location
    }

    /// How fields are separated in the source file.
    public enum Delimiter: String, Sendable, Equatable {
        /// RFC 4180 CSV.
        case comma
        /// Runs of spaces/tabs (purchase logs).
        case whitespace
    }

    /// The mapping file path (for messages).
    public var file: String
    /// SHA-256 of the mapping file's text, lowercase hex (recorded with the import).
    public var sha256: String
    /// `kind:` — the target schema.
    public var kind: ImportKind
    /// `source:` — names the partner export; keys of incremental loads are kept per source.
    public var source: String
    /// `format.delimiter`.
    public var delimiter: Delimiter
    /// `format.header`: whether the first record names the columns.
    public var header: Bool
    /// `format.columns`: names for the columns of a file without a header.
    public var columns: [String]
    /// `filter:`.
    public var filters: [Filter]
    /// `fields:` — target field name → rule (amount and sign are separate).
    public var fields: [String: Rule]
    /// `fields.amount` (transactions).
    public var amount: Amount?
    /// `fields.sign` (transactions).
    public var sign: Sign?
    /// `attributes:` — custom attribute name → rule (customers).
    public var attributes: [String: Rule]
    /// `derive_customers: true` (transactions): customers not in the store are created, with
    /// the day of their first purchase in the file as signup date.
    public var deriveCustomers: Bool
}
