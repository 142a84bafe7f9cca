public import Foundation
import Yams

extension Study.Spec {
    /// Largest spec document accepted, in bytes.
    public static let maxDocumentBytes = 64 * 1024

    /// Parses and validates a YAML spec document (YAML 1.1 via Yams; JSON is valid YAML too).
    /// Throws ``StudyError`` with the offending key.
    public static func load(yaml: String) throws -> Study.Spec {
        guard yaml.utf8.count <= maxDocumentBytes else {
            throw StudyError(.malformedSpec, "the spec is larger than \(maxDocumentBytes) bytes")
        }
        do {
            return try YAMLDecoder().decode(Study.Spec.self, from: yaml)
        } catch {
            if let studyError = studyError(in: error) { throw studyError }
            throw StudyError(.malformedSpec, "not a valid YAML spec: \(error)")
        }
    }

    /// Parses and validates a JSON spec document (UTF-8). Throws ``StudyError`` with the key.
    public static func load(json: Data) throws -> Study.Spec {
        guard json.count <= maxDocumentBytes else {
            throw StudyError(.malformedSpec, "the spec is larger than \(maxDocumentBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(Study.Spec.self, from: json)
        } catch {
            if let studyError = studyError(in: error) { throw studyError }
            throw StudyError(.malformedSpec, "not a valid JSON spec: \(error)")
        }
    }

    /// The ``StudyError`` thrown by the spec's decoder, possibly wrapped by the YAML/JSON decoder
    /// as a `DecodingError`'s underlying error.
    private static func studyError(in error: any Error) -> StudyError? {
        if let studyError = error as? StudyError { return studyError }
        let context: DecodingError.Context?
        switch error as? DecodingError {
        case .dataCorrupted(let c)?, .keyNotFound(_, let c)?, .typeMismatch(_, let c)?, .valueNotFound(_, let c)?:
            context = c
        default:
            context = nil
        }
        guard let underlying = context?.underlyingError else { return nil }
        return studyError(in: underlying)
    }

    /// Canonical JSON (sorted keys, no whitespace), e.g. for `ProposeStudyRequest.spec_json`.
    public func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw StudyError(.encoding, "cannot encode spec: \(error)")
        }
    }

    /// YAML rendering (the same keys as the input format).
    public func yaml() throws -> String {
        do {
            return try YAMLEncoder().encode(self)
        } catch {
            throw StudyError(.encoding, "cannot encode spec: \(error)")
        }
    }
}
