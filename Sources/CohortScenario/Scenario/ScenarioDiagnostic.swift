import Foundation
import Yams

extension Scenario {
    /// One problem of a scenario file, located in it (`file:line:column`), in plain words, with
    /// the fix: what `cohort scenario validate` prints. Found before any process starts.
    public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The scenario file as given.
        public var file: String
        /// 1-based line of the offending key or value (nil when the problem has no place).
        public var line: Int?
        /// 1-based column (in Unicode scalars, as libyaml counts).
        public var column: Int?
        /// The dotted path of the key concerned (`parties[1].name`), if any.
        public var path: String?
        /// What is wrong, in plain words.
        public var message: String
        /// How to fix it.
        public var fix: String

        /// Creates a diagnostic.
        public init(file: String, line: Int?, column: Int?, path: String?, message: String, fix: String) {
            self.file = file
            self.line = line
            self.column = column
            self.path = path
            self.message = message
            self.fix = fix
        }

        /// Creates a diagnostic at a YAML mark.
        init(file: String, mark: Mark?, path: String?, message: String, fix: String) {
            self.init(file: file, line: mark?.line, column: mark?.column, path: path, message: message, fix: fix)
        }

        /// `file:line:column: message` and an indented `fix:` line.
        public var description: String {
            var place = file
            if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
            return "\(place): \(message)\n  fix: \(fix)"
        }
    }
}
