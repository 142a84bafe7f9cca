import Foundation

/// Text for HTML and inline SVG: escaping and number formatting. Every piece of text that comes
/// from data (names, labels, reasons) passes through ``escape(_:)`` before it is written.
public enum HTMLText {
    /// `text` with `& < > " '` replaced by entities, safe in element content and in quoted
    /// attribute values. Control characters other than tab and newline become U+FFFD. O(n).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A number for a `data-value` attribute: Swift's shortest round-trip form (`Double(text)`
    /// gives back exactly `value`), or the empty string when nil or not finite.
    public static func exact(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }

    /// A number for people: `digits` decimals, thousands separated by a thin space; `–` when nil.
    public static func number(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "–" }
        let text = String(format: "%.\(max(0, digits))f", value)
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", maxSplits: 1)
        var integer = String(parts[0])
        if integer.count > 4 {
            var grouped = ""
            for (i, ch) in integer.reversed().enumerated() {
                if i > 0 && i % 3 == 0 { grouped.append("\u{2009}") }
                grouped.append(ch)
            }
            integer = String(grouped.reversed())
        }
        return (negative ? "−" : "") + integer + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// Decimals that show a value of typical magnitude `scale` to about 3 significant digits.
    public static func digits(forScale scale: Double) -> Int {
        let m = abs(scale)
        guard m.isFinite, m > 0 else { return 2 }
        if m >= 100 { return 0 }
        if m >= 10 { return 1 }
        if m >= 1 { return 2 }
        return min(6, 2 + Int((-m.log10()).rounded(.down)) + 1)
    }
}

extension Double {
    fileprivate func log10() -> Double { Foundation.log10(self) }
}
