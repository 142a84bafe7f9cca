public import Foundation

extension ScenarioSummary {
    /// `summary.json`: sorted keys, indented, slashes unescaped, a final newline. Throws
    /// ``ScenarioError/Code/invalidArgument`` naming the field if a number is not finite.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(self)
            data.append(0x0A)
            return data
        } catch let EncodingError.invalidValue(value, context) {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            throw ScenarioError(.invalidArgument, "summary\(path): \(value) is not a finite number")
        } catch {
            throw ScenarioError(.invalidArgument, "summary cannot be encoded: \(error)")
        }
    }

    /// Reads a `summary.json`; throws ``ScenarioError/Code/invalidArgument`` naming `source` and the
    /// field when it is malformed or of an unknown schema version.
    public static func decode(json: Data, source: String = "summary.json") throws -> ScenarioSummary {
        let summary: ScenarioSummary
        do {
            summary = try JSONDecoder().decode(ScenarioSummary.self, from: json)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ScenarioError(.invalidArgument, "\(source): \(Self.path(context.codingPath + [key])): missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ScenarioError(.invalidArgument, "\(source): \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw ScenarioError(.invalidArgument, "\(source): \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw ScenarioError(.invalidArgument, "\(source): \(error)")
        }
        guard summary.schemaVersion == 1 else {
            throw ScenarioError(.invalidArgument, "\(source): schema_version \(summary.schemaVersion) is not supported (this build reads 1)")
        }
        return summary
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "(top level)" : String(text.drop { $0 == "." })
    }
}
