extension Analytics {
    /// Plain-text number formatting and column-aligned tables for terminal reports
    /// (locale-independent, no Foundation).
    enum TextTable {
        /// Column alignment.
        enum Alignment { case left, right }

        /// Renders `rows` under `headers`, padding every column to its widest cell, with a dashed
        /// rule under the header. Columns are separated by two spaces.
        static func render(headers: [String], alignments: [Alignment], rows: [[String]]) -> String {
            var widths = headers.map(\.count)
            for row in rows {
                for (c, cell) in row.enumerated() where c < widths.count { widths[c] = max(widths[c], cell.count) }
            }
            func line(_ cells: [String]) -> String {
                var parts: [String] = []
                for c in 0..<widths.count {
                    let cell = c < cells.count ? cells[c] : ""
                    let pad = String(repeating: " ", count: widths[c] - cell.count)
                    let alignment = c < alignments.count ? alignments[c] : .left
                    parts.append(alignment == .left ? cell + pad : pad + cell)
                }
                var s = parts.joined(separator: "  ")
                while s.hasSuffix(" ") { s.removeLast() }
                return s
            }
            var out = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
            out += rows.map(line)
            return out.joined(separator: "\n")
        }

        /// `value` with exactly `digits` decimals, half away from zero, e.g. `fixed(2.345, 2) = "2.35"`.
        static func fixed(_ value: Double, _ digits: Int) -> String {
            guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
            guard scaled < 9e15 else { return String(value) }
            let integer = Int64(scaled)
            let whole = integer / Int64(scale)
            let frac = integer % Int64(scale)
            let sign = value < 0 && integer != 0 ? "-" : ""
            guard digits > 0 else { return sign + String(whole) }
            let fracText = String(frac)
            return sign + String(whole) + "." + String(repeating: "0", count: digits - fracText.count) + fracText
        }

        /// Cents as major units with 2 decimals, e.g. `12345 → "123.45"`.
        static func money(_ minor: Double) -> String { fixed(minor / 100, 2) }

        /// A percentage with one decimal, e.g. `0.1234 → "12.3 %"`.
        static func percent(_ share: Double) -> String { fixed(share * 100, 1) + " %" }
    }
}
