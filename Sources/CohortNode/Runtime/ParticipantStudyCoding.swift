import CohortStudy
import Foundation

/// The stored form of a participant study's state (`participant_studies.state` in
/// `node.sqlite`): the machine's entry as JSON with sorted keys and dates in seconds since 1970.
enum ParticipantStudyCoding {
    /// Encodes an entry.
    static func encode(_ entry: Study.ParticipantMachine.Entry) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            return try encoder.encode(entry)
        } catch {
            throw NodeError(.invalidConfiguration, "cannot encode the state of a participant study: \(error)")
        }
    }

    /// Decodes a stored entry; a corrupt one is an error naming the study.
    static func decode(_ data: Data, study: String) throws -> Study.ParticipantMachine.Entry {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(Study.ParticipantMachine.Entry.self, from: data)
        } catch {
            throw NodeError(.invalidConfiguration,
                "the stored state of participant study \(study) in node.sqlite cannot be read: \(error)")
        }
    }
}
