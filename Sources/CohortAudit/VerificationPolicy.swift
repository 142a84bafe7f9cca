import Foundation

extension Audit {
    /// What verification requires beyond a sound replay.
    public struct VerificationPolicy: Sendable, Hashable {
        /// Require a signed checkpoint covering the whole log, and no checkpoint missing from the
        /// sequence the signing policy implies (see ``maxCheckpointGap``).
        public var requireSignedCoverage: Bool
        /// The longest span of entry time (seconds of `ts`) allowed between the first entry after
        /// a checkpoint and the last entry the next checkpoint covers. The writer signs at most a
        /// second after an append, when it closes the log, and when it reopens a log whose tail
        /// was left unsigned by a crash, so a longer span means checkpoints were deleted.
        public var maxCheckpointGap: Int64
        /// Checkpoints cosigned by witnesses (peers) that the log must match.
        public var witnessed: [WitnessedCheckpoint]
        /// For a log whose writer is running: entries after the latest checkpoint are accepted
        /// when the first of them is at most this many seconds old (its `ts` against
        /// `now`); nil: never. The writer signs within a second, so an older unsigned tail fails
        /// even while it runs.
        public var runningWriterGrace: Int64?
        /// The current time for ``runningWriterGrace`` (seconds since 1970).
        public var now: Int64 = Int64(Date().timeIntervalSince1970)

        /// Creates a policy.
        public init(requireSignedCoverage: Bool = true, maxCheckpointGap: Int64 = VerificationPolicy.defaultMaxCheckpointGap, witnessed: [WitnessedCheckpoint] = []) {
            self.requireSignedCoverage = requireSignedCoverage
            self.maxCheckpointGap = maxCheckpointGap
            self.witnessed = witnessed
            self.runningWriterGrace = nil
        }

        /// 60 s: the writer's 1 s signing interval with room for a slow disk.
        public static let defaultMaxCheckpointGap: Int64 = 60

        /// The default: signed coverage and the signing sequence required.
        public static let strict = VerificationPolicy()

        /// For a copy of a log that is still being written (an online backup): entries after the
        /// latest checkpoint may be unsigned.
        public static let allowingUnsignedTail = VerificationPolicy(requireSignedCoverage: false)
    }

    /// A checkpoint with valid cosignatures by trusted witnesses (the log's own signature is not
    /// needed: the witnesses vouch for what the log showed them).
    public struct WitnessedCheckpoint: Sendable, Hashable {
        /// The checkpoint.
        public var checkpoint: Checkpoint
        /// Names of the witness keys whose cosignatures verified.
        public var witnesses: [String]

        /// Checks the note's cosignatures with `keys` (peers' note verifier keys); keeps the
        /// checkpoint if at least one verifies. Throws `.badSignature` if none does, naming the
        /// signers present.
        public init(note: SignedCheckpoint, keys: [NoteVerifier]) throws {
            let good = keys.filter { $0.name != note.checkpoint.origin && note.note.verify($0) }
            guard !good.isEmpty else {
                let present = note.note.signatures.map(\.name).joined(separator: ", ")
                throw AuditError(.badSignature, "checkpoint of \(note.checkpoint.origin) at size \(note.checkpoint.size) has no valid cosignature by a witness key given (signatures present: \(present))")
            }
            checkpoint = note.checkpoint
            witnesses = good.map(\.name)
        }
    }
}

extension Audit.LogReader {
    /// Whether a writer (a running node, or a command that appends) holds the log open now: its
    /// exclusive lock on `<databasePath>.lock` is held. Never takes the lock.
    public static func isOpenForWriting(databasePath: String) -> Bool {
        let fd = Foundation.open(databasePath + ".lock", O_RDONLY)
        guard fd >= 0 else { return false }
        defer { Foundation.close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
