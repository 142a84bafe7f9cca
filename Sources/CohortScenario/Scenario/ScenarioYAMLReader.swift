import Foundation
import Yams

extension Scenario {
    /// Reads a composed YAML tree (which keeps every node's line and column) into typed
    /// values, collecting a located ``Diagnostic`` for every problem instead of stopping at the
    /// first. Used by ``Scenario/check(text:file:baseDirectory:)``.
    struct YAMLReader {
        /// The file name diagnostics carry.
        let file: String
        /// Problems found so far, in the order found.
        private(set) var diagnostics: [Diagnostic] = []

        init(file: String) { self.file = file }

        /// Records a problem at `mark`.
        mutating func report(_ mark: Mark?, _ path: String?, _ message: String, fix: String) {
            diagnostics.append(Diagnostic(file: file, mark: mark, path: path, message: message, fix: fix))
        }

        /// The keys of a mapping node, each with its key node and value node. Reports a node
        /// that is not a mapping, every key not in `allowed` (with the closest allowed key) and
        /// every key of `required` that is missing (at the mapping). O(keys × allowed).
        mutating func mapping(
            _ node: Node?, path: String, allowed: [String], required: [String] = [], what: String
        ) -> [String: (key: Node, value: Node)]? {
            guard let node else { return nil }
            guard let mapping = node.mapping else {
                report(node.mark, path, "\(what) must be a mapping of keys to values",
                       fix: "write it as `key: value` lines (keys: \(allowed.map { "`\($0)`" }.joined(separator: ", ")))")
                return nil
            }
            var result: [String: (key: Node, value: Node)] = [:]
            for (key, value) in mapping {
                let name = key.string ?? ""
                guard allowed.contains(name) else {
                    let fix: String
                    if let near = Self.closest(to: name, among: allowed) {
                        fix = "did you mean `\(near)`? Rename the key, or remove it (unknown keys are never ignored)"
                    } else {
                        fix = "remove it; the keys allowed here are \(allowed.map { "`\($0)`" }.joined(separator: ", "))"
                    }
                    report(key.mark, Self.join(path, name), "`\(name)` is not a key of \(what)", fix: fix)
                    continue
                }
                result[name] = (key, value)
            }
            for name in required where result[name] == nil {
                report(node.mark, Self.join(path, name), "\(what) has no `\(name)`", fix: "add `\(name):` to it")
            }
            return result
        }

        /// A non-empty string scalar.
        mutating func string(_ node: Node?, path: String, what: String) -> String? {
            guard let node else { return nil }
            guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
                report(node.mark, path, "\(what) must be a non-empty text value", fix: "write a single value, e.g. `\(Self.last(path)): alpha`")
                return nil
            }
            return scalar.string
        }

        /// An integer scalar in `range`.
        mutating func int(_ node: Node?, path: String, in range: ClosedRange<Int>, what: String) -> Int? {
            guard let node else { return nil }
            guard case .scalar = node, let value = node.int, range.contains(value) else {
                report(node.mark, path, "\(what) must be a whole number in \(range.lowerBound)…\(range.upperBound), got `\(node.string ?? "a collection")`",
                       fix: "write a whole number in \(range.lowerBound)…\(range.upperBound)")
                return nil
            }
            return value
        }

        /// A finite number in `range` (`open`: the lower bound itself is excluded).
        mutating func double(
            _ node: Node?, path: String, in range: ClosedRange<Double>, lowerOpen: Bool = false, what: String
        ) -> Double? {
            guard let node else { return nil }
            let interval = (lowerOpen ? "(" : "[") + "\(Self.format(range.lowerBound)), \(Self.format(range.upperBound))]"
            guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite,
                  range.contains(value), !(lowerOpen && value == range.lowerBound) else {
                report(node.mark, path, "\(what) must be a number in \(interval), got `\(node.string ?? "a collection")`",
                       fix: "write a number in \(interval)")
                return nil
            }
            return value
        }

        /// A boolean scalar (`true`/`false`).
        mutating func bool(_ node: Node?, path: String, what: String) -> Bool? {
            guard let node else { return nil }
            guard case .scalar = node, let value = node.bool else {
                report(node.mark, path, "\(what) must be `true` or `false`, got `\(node.string ?? "a collection")`", fix: "write `true` or `false`")
                return nil
            }
            return value
        }

        /// One of `choices`.
        mutating func choice(_ node: Node?, path: String, _ choices: [String], what: String) -> String? {
            guard let value = string(node, path: path, what: what) else { return nil }
            guard choices.contains(value) else {
                let near = Self.closest(to: value, among: choices).map { "did you mean `\($0)`? " } ?? ""
                report(node?.mark, path, "\(what) `\(value)` is not one of \(choices.map { "`\($0)`" }.joined(separator: ", "))",
                       fix: "\(near)write one of \(choices.joined(separator: ", "))")
                return nil
            }
            return value
        }

        /// The items of a sequence node (a single scalar counts as a one-item list when
        /// `scalarAsList`).
        mutating func sequence(_ node: Node?, path: String, what: String, scalarAsList: Bool = false) -> [Node]? {
            guard let node else { return nil }
            if let items = node.sequence { return Array(items) }
            if scalarAsList, case .scalar = node { return [node] }
            report(node.mark, path, "\(what) must be a list", fix: "write it as `[a, b]` or as `- item` lines")
            return nil
        }

        static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        static func last(_ path: String) -> String {
            String(path.split(separator: ".").last.map { $0.split(separator: "[").first ?? $0 } ?? Substring(path))
        }

        static func format(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }

        /// The allowed word closest to `name` (at most 3 edits, and at most half its length).
        static func closest(to name: String, among words: [String]) -> String? {
            let a = Array(name.lowercased())
            let scored = words.map { ($0, editDistance(a, Array($0))) }
            guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(3, max(1, name.count / 2)) else { return nil }
            return best.0
        }

        /// Levenshtein distance. O(a × b).
        static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
            if a.isEmpty { return b.count }
            if b.isEmpty { return a.count }
            var previous = Array(0...b.count)
            for i in 1...a.count {
                var row = [i] + [Int](repeating: 0, count: b.count)
                for j in 1...b.count {
                    row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                previous = row
            }
            return previous[b.count]
        }
    }
}
