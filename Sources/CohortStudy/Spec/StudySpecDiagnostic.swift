import Foundation
import Yams

extension Study {
    /// A study spec problem in plain words, located in its file (`file:line:column`), with the
    /// fix: what `cohort study validate` and `cohort study propose` print.
    public struct SpecDiagnostic: Error, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The spec file as given on the command line.
        public var file: String
        /// 1-based line of the offending key or value (nil when the problem has no place, e.g.
        /// an oversized file).
        public var line: Int?
        /// 1-based column (in Unicode scalars).
        public var column: Int?
        /// The dotted key concerned (`privacy.epsilon`), if any.
        public var key: String?
        /// The underlying ``StudyError/Code`` (`missingKey`, `unknownKey`, `invalidValue`,
        /// `malformedSpec`).
        public var code: String
        /// What is wrong, in plain words.
        public var message: String
        /// How to fix it.
        public var fix: String

        /// Creates a diagnostic.
        public init(
            file: String, line: Int?, column: Int?, key: String?, code: String, message: String, fix: String
        ) {
            self.file = file
            self.line = line
            self.column = column
            self.key = key
            self.code = code
            self.message = message
            self.fix = fix
        }

        /// `file:line:column: message` and an indented `fix:` line.
        public var description: String {
            var place = file
            if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
            return "\(place): \(message)\n  fix: \(fix)"
        }

        enum CodingKeys: String, CodingKey {
            case file, line, column, key, code, message, fix
        }
    }
}

extension Study.Spec {
    /// Loads and validates the YAML (or JSON) spec `text` read from `file`; on a problem throws
    /// a ``Study/SpecDiagnostic`` that names the place (`file:line:column`, from the YAML
    /// parser's marks), says what is wrong in plain words and how to fix it. Reads nothing
    /// else: it needs no node. O(size of the document).
    public static func check(yaml text: String, file: String) throws -> Study.Spec {
        // Syntax first, to get the parser's own position of a syntax error.
        let root: Node?
        if text.utf8.count <= maxDocumentBytes {
            do {
                root = try Yams.compose(yaml: text)
            } catch {
                throw syntaxDiagnostic(error, file: file)
            }
        } else {
            root = nil
        }
        do {
            return try load(yaml: text)
        } catch let error as StudyError {
            throw diagnostic(for: error, root: root, file: file)
        }
    }

    /// The diagnostic of a YAML syntax error.
    static func syntaxDiagnostic(_ error: any Error, file: String) -> Study.SpecDiagnostic {
        let fix = "correct the YAML syntax at this place (keys are `name: value`; lists are `[a, b]`; indent with spaces)"
        func diagnostic(_ problem: String, _ mark: Mark?) -> Study.SpecDiagnostic {
            Study.SpecDiagnostic(
                file: file, line: mark?.line, column: mark?.column, key: nil, code: StudyError.Code.malformedSpec.rawValue,
                message: "the spec is not valid YAML: \(problem)", fix: fix)
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?,
             .parser(let context, let problem, let mark, _)?,
             .composer(let context, let problem, let mark, _)?:
            return diagnostic(context.map { "\(problem) (\($0.text))" } ?? problem, mark)
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            var result = diagnostic(
                "key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) is given more than once", context.mark)
            result.fix = "keep one of each key"
            return result
        case .reader(let problem, _, _, _)?:
            return diagnostic(problem, nil)
        default:
            return diagnostic("\(error)", nil)
        }
    }

    /// The diagnostic of a ``StudyError`` raised while decoding or validating, located through
    /// the composed YAML tree `root`.
    static func diagnostic(for error: StudyError, root: Node?, file: String) -> Study.SpecDiagnostic {
        let code = error.code.rawValue
        guard let key = error.key else {
            let oversized = error.message.contains("larger than")
            let fix = oversized
                ? "shorten the spec to at most \(maxDocumentBytes) bytes"
                : "write the spec as a mapping of keys to values, e.g. `kind: histogram` on its own line"
            // A document that is not a mapping is wrong from its first character.
            let line = oversized ? nil : (root?.mark?.line ?? 1)
            let column = oversized ? nil : (root?.mark?.column ?? 1)
            return Study.SpecDiagnostic(
                file: file, line: line, column: column, key: nil, code: code,
                message: error.message, fix: fix)
        }
        let doc = keyDoc(key)
        let located = locate(key, in: root)
        switch error.code {
        case .missingKey:
            let parent = located.parent ?? root
            let mark = parent?.mark
            let name = key.split(separator: ".").last.map(String.init) ?? key
            var message = "the required key `\(key)` is missing"
            if error.message != "required key is missing" { message += ": \(error.message)" }
            let fix = doc.map { "add `\($0.example)` — \($0.allowed)" }
                ?? "add the key `\(name)`"
            return Study.SpecDiagnostic(
                file: file, line: mark?.line, column: mark?.column, key: key, code: code, message: message, fix: fix)
        case .unknownKey:
            let mark = located.keyMark ?? located.parent?.mark
            let name = key.split(separator: ".").last.map(String.init) ?? key
            let prefix = key.contains(".") ? String(key[..<key.lastIndex(of: ".")!]) + "." : ""
            let candidates = (prefix.isEmpty ? topLevelKeys : privacyKeys)
            let fix: String
            if let near = closest(to: name, among: candidates) {
                fix = "did you mean `\(near)`? Rename the key, or remove it (unknown keys are never ignored)"
            } else {
                fix = "remove it; the keys allowed here are \(candidates.map { "`\($0)`" }.joined(separator: ", "))"
            }
            return Study.SpecDiagnostic(
                file: file, line: mark?.line, column: mark?.column, key: key, code: code,
                message: "`\(prefix)\(name)` is not a spec key", fix: fix)
        default:
            let mark = located.node?.mark ?? located.keyMark ?? located.parent?.mark
            let fix = doc.map { "`\($0.key)` takes \($0.allowed); for example `\($0.example)`" }
                ?? "correct the value of `\(key)`"
            return Study.SpecDiagnostic(
                file: file, line: mark?.line, column: mark?.column, key: key, code: code,
                message: "`\(key)`: \(error.message)", fix: fix)
        }
    }

    /// The node at a dotted path (`privacy.epsilon`, `dimensions[2]`), its key's mark and its
    /// parent mapping, as far as they exist in `root`.
    static func locate(_ path: String, in root: Node?) -> (node: Node?, keyMark: Mark?, parent: Node?) {
        var current = root
        var parent: Node?
        var keyMark: Mark?
        for component in path.split(separator: ".") {
            var name = Substring(component)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.last == "]",
                  let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            parent = current
            guard let mapping = current?.mapping else { return (nil, keyMark, parent) }
            guard let pair = mapping.first(where: { $0.key.string == String(name) }) else {
                return (nil, nil, parent)
            }
            keyMark = pair.key.mark
            current = pair.value
            for index in indices {
                guard let sequence = current?.sequence, sequence.indices.contains(index) else { break }
                current = sequence[index]
            }
        }
        return (current, keyMark, parent)
    }

    /// The allowed key closest to `name` by edit distance (at most 3 edits), or nil.
    static func closest(to name: String, among keys: [String]) -> String? {
        let scored = keys.map { ($0, editDistance(Array(name.lowercased()), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(3, max(1, name.count / 2)) else { return nil }
        return best.0
    }

    /// Levenshtein distance. O(a × b).
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                row[j] = Swift.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}
