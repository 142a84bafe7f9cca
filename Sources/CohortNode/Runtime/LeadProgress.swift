public import Foundation

/// The lead's view of a study it runs, as it answers a participant's `StudyProgress`: the
/// study's state, the round, and every party's stage. Stages and retry counts only — nothing
/// that depends on any node's data.
public struct LeadProgress: Sendable, Codable, Hashable {
    /// The lead's state of the study (`proposing`, `collecting`, `completed`, `failed`, …).
    public var state: String
    /// The round being run (from 1), when one has started.
    public var round: Int?
    /// Every party's stage, the lead first.
    public var parties: [PartyProgress]

    /// Creates a report.
    public init(state: String, round: Int?, parties: [PartyProgress]) {
        self.state = state
        self.round = round
        self.parties = parties
    }

    /// Largest report accepted from a lead, bytes (64 KiB).
    public static let maxBytes = 64 << 10

    /// The JSON sent in `StudyProgressResponse.progress_json` (sorted keys).
    public static func encode(_ progress: LeadProgress) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(progress)
    }

    /// Decodes a lead's report; refuses one over ``maxBytes`` or with more than 1,024 parties.
    public static func decode(_ data: Data) throws -> LeadProgress {
        guard data.count <= maxBytes else {
            throw NodeError(.invalidMessage, "a progress report of \(data.count) bytes exceeds \(maxBytes)")
        }
        let progress = try JSONDecoder().decode(LeadProgress.self, from: data)
        guard progress.parties.count <= 1_024 else {
            throw NodeError(.invalidMessage, "a progress report lists \(progress.parties.count) parties")
        }
        return progress
    }
}
