/// An HTML table whose numeric cells carry their exact value and metric name in data attributes
/// (`data-metric`, `data-value`), so a program can read the numbers back from the page.
public struct HTMLTable: Sendable, Hashable {
    /// One cell.
    public struct Cell: Sendable, Hashable {
        /// Text shown (escaped when rendered).
        public var text: String
        /// Right-aligned number.
        public var numeric: Bool
        /// Metric name for `data-metric` (see ``ScenarioSummary/metricValues()``); nil for none.
        public var metric: String?
        /// Exact value for `data-value`; nil for none.
        public var value: Double?
        /// Extra CSS class (`pass`, `fail`, `muted`).
        public var style: String?

        /// A text cell.
        public static func text(_ text: String, style: String? = nil) -> Cell {
            Cell(text: text, numeric: false, metric: nil, value: nil, style: style)
        }

        /// A number shown with `digits` decimals; `metric` names it for readers of the page.
        public static func number(_ value: Double?, _ digits: Int, metric: String? = nil) -> Cell {
            Cell(text: HTMLText.number(value, digits), numeric: true, metric: value == nil ? nil : metric, value: value, style: nil)
        }

        /// An integer.
        public static func integer(_ value: Int, metric: String? = nil) -> Cell {
            Cell(text: HTMLText.number(Double(value), 0), numeric: true, metric: metric, value: Double(value), style: nil)
        }
    }

    /// Column headings.
    public var headers: [String]
    /// Which headings are numeric columns (right-aligned).
    public var numericColumns: Set<Int>
    /// Rows of cells.
    public var rows: [[Cell]]
    /// A class for the `<table>`.
    public var style: String

    /// Creates a table.
    public init(headers: [String], numericColumns: Set<Int> = [], rows: [[Cell]] = [], style: String = "") {
        self.headers = headers
        self.numericColumns = numericColumns
        self.rows = rows
        self.style = style
    }

    /// The `<table>` element. O(cells).
    public func html() -> String {
        var out = style.isEmpty ? "<table>" : "<table class=\"\(HTMLText.escape(style))\">"
        out += "<thead><tr>"
        for (i, h) in headers.enumerated() {
            out += numericColumns.contains(i) ? "<th class=\"n\">" : "<th>"
            out += HTMLText.escape(h) + "</th>"
        }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for cell in row {
                var classes: [String] = []
                if cell.numeric { classes.append("n") }
                if let s = cell.style { classes.append(s) }
                out += "<td"
                if !classes.isEmpty { out += " class=\"\(HTMLText.escape(classes.joined(separator: " ")))\"" }
                if let metric = cell.metric { out += " data-metric=\"\(HTMLText.escape(metric))\"" }
                if let value = cell.value, value.isFinite { out += " data-value=\"\(HTMLText.exact(value))\"" }
                out += ">" + HTMLText.escape(cell.text) + "</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }
}
