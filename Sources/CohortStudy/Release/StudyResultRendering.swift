import CohortCore
import Foundation

extension Study.Result {
    /// A fixed-width text table for terminals: a header with the study, kind, purpose, as-of
    /// date, ε/δ per node and participants, then one row per cell. Suppressed cells show
    /// `suppressed`. Numbers: histogram counts as integers, mean-study counts with 1 decimal, means with 4 decimals.
    public func textTable() -> String {
        if let learning { return learningText(learning) }
        let kind = spec.kind
        var header = spec.dimensions.map(\.rawValue) + ["count", "count_se"]
        if kind == .mean { header += ["mean", "mean_se"] }
        var rows: [[String]] = [header]
        for cell in cells {
            var row = cell.labels
            if cell.suppressed {
                row += ["suppressed", ""]
                if kind == .mean { row += ["", ""] }
            } else {
                // Histogram counts are integers (sums of integer noised counts): no decimal point.
                row += [Self.format(cell.count, decimals: kind == .histogram ? 0 : 1), Self.format(cell.countStandardError, decimals: 1)]
                if kind == .mean {
                    row += [Self.format(cell.mean, decimals: 4), Self.format(cell.meanStandardError, decimals: 4)]
                }
            }
            rows.append(row)
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        var title = "Study \(study) — \(kind.rawValue)"
        if let mean = spec.mean {
            title += " of \(mean.measure.rawValue) [\(mean.lower), \(mean.upper)] (\(mean.currency.map { "minor units of \($0)" } ?? mean.measure.unit))"
        }
        lines.append(title)
        lines.append(
            "purpose \(spec.purpose.rawValue), as of \(spec.asOf), ε \(spec.privacy.epsilon) and δ \(spec.privacy.delta) per node, min_count \(spec.privacy.minCount)")
        lines.append(
            "lead \(lead); participants: " + participants.map(\.node).joined(separator: ", "))
        lines.append(
            "customers in the study (released, noised): \(Self.format(releasedCustomers, decimals: 0)) ± \(Self.format(releasedCustomersStandardError, decimals: 1))")
        if simulatedNoise { lines.append("SIMULATED NOISE — no privacy guarantee") }
        lines.append("standard errors include the privacy noise only")
        lines.append("")
        for (index, row) in rows.enumerated() {
            let padded = row.enumerated().map { column, text in
                column < spec.dimensions.count
                    ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }
            lines.append(padded.joined(separator: "  "))
            if index == 0 {
                lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV: header `<dimension…>,count,count_se[,mean,mean_se],suppressed`, one row per
    /// cell, full-precision numbers (histogram counts as integers), empty fields for suppressed values, CRLF line ends.
    public func csv() -> String {
        if let learning { return learning.csv() }
        let kind = spec.kind
        var header = spec.dimensions.map(\.rawValue) + ["count", "count_se"]
        if kind == .mean { header += ["mean", "mean_se"] }
        header.append("suppressed")
        var lines = [header.map(Self.csvField).joined(separator: ",")]
        for cell in cells {
            var row = cell.labels.map(Self.csvField)
            row += [kind == .histogram ? Self.integer(cell.count) : Self.plain(cell.count), Self.plain(cell.countStandardError)]
            if kind == .mean { row += [Self.plain(cell.mean), Self.plain(cell.meanStandardError)] }
            row.append(cell.suppressed ? "true" : "false")
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The header lines every result has, then the learning release's own lines.
    private func learningText(_ learning: Study.LearningRelease) -> String {
        var lines = ["Study \(study) — \(spec.kind.rawValue)"]
        lines.append("purpose \(spec.purpose.rawValue), as of \(spec.asOf), ε \(spec.privacy.epsilon) and δ \(spec.privacy.delta) per node for the whole study")
        lines.append("lead \(lead); ε spent per node: " + participants.map { "\($0.node) \(Self.format($0.epsilon, decimals: 4))" }.joined(separator: ", "))
        if simulatedNoise { lines.append("SIMULATED NOISE — no privacy guarantee") }
        lines.append("standard errors include the privacy noise only")
        lines.append("")
        lines += learning.textLines()
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double?, decimals: Int) -> String {
        guard let value else { return "" }
        return String(format: "%.\(decimals)f", value)
    }

    /// An integer-valued count without a decimal point (`8836`, not `8836.0`).
    private static func integer(_ value: Double?) -> String {
        guard let value else { return "" }
        guard value == value.rounded(), abs(value) < 1e15 else { return "\(value)" }
        return String(Int64(value))
    }

    private static func plain(_ value: Double?) -> String {
        guard let value else { return "" }
        return "\(value)"
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
