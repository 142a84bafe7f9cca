/// Text for Markdown (CommonMark/GFM) reports: escaping and pipe tables.
public enum MarkdownText {
    /// `text` safe inside a paragraph or a table cell: Markdown punctuation (`\ ` * _ [ ] < > | # ~ !`)
    /// is backslash-escaped, `&` becomes `&amp;` and line breaks become spaces, so no name can
    /// open a link, an image, raw HTML, emphasis or a new table cell. O(n).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "~", "!", "{", "}", "(", ")":
                out.append("\\")
                out.append(ch)
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n", "\t": out.append(" ")
            default:
                if ch.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    out += "\u{FFFD}"
                } else {
                    out.append(ch)
                }
            }
        }
        return out
    }

    /// A GFM pipe table; `numeric` columns are right-aligned. Cells are escaped here. O(cells).
    public static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        var out = "| " + headers.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + headers.indices.map { numeric.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in rows {
            out += "| " + row.map(escape).joined(separator: " | ") + " |\n"
        }
        return out + "\n"
    }
}
