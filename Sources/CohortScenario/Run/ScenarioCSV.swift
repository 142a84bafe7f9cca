import Foundation

/// The few CSV reads a scenario run needs (customer ids and signup dates, consent events),
/// RFC 4180 quoting, header matched by name. Gzip input is not read here.
enum ScenarioCSV {
    /// Splits one CSV record into fields (quotes removed, `""` unescaped). O(line).
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character?
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else if c != "\r" {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }

    /// The named columns of every record of `url`, in file order.
    /// - Throws: ``ScenarioError`` (`io`) when the file cannot be read or lacks a column.
    static func columns(_ names: [String], of url: URL) throws -> [[String]] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ScenarioError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next() else { return [] }
        let headerFields = fields(header)
        let indices = try names.map { name in
            guard let i = headerFields.firstIndex(of: name) else {
                throw ScenarioError(.io, "\(url.path): no column `\(name)` in the header")
            }
            return i
        }
        var rows: [[String]] = []
        var number = 1
        while let line = lines.next() {
            number += 1
            let f = fields(line)
            guard indices.allSatisfy({ $0 < f.count }) else {
                throw ScenarioError(.io, "\(url.path):\(number): the record has \(f.count) fields, fewer than the header")
            }
            rows.append(indices.map { f[$0] })
        }
        return rows
    }
}
