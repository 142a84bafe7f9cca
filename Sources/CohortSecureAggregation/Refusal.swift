extension SecureAggregation {
    /// Why a state machine refused a message. Refusals are expected outcomes (returned, not
    /// thrown) and leave the state machine unchanged.
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        /// The kind of refusal.
        public enum Reason: String, Sendable, Hashable, Codable {
            /// The message names another study.
            case wrongStudy
            /// The message names another round.
            case wrongRound
            /// The message belongs to a stage that is not the current one.
            case outOfStage
            /// The same message (or another one of the same stage from the same sender) was already processed.
            case replayed
            /// The sender is not a party of this aggregation (or not of the current set U1/U2/U3).
            case unknownSender
            /// The message's sender field differs from the authenticated transport identity.
            case senderMismatch
            /// A key advertisement's signature does not verify, or the party's own keys were substituted.
            case badSignature
            /// An encrypted share failed AEAD authentication or decoded wrongly.
            case decryptionFailed
            /// The message's structure is wrong (lengths, duplicates, missing or extra entries).
            case malformed
            /// The lead asked for both the self-mask and the masking-key share of one party.
            case bothShareKinds
            /// The lead asked to proceed with fewer than t parties.
            case survivorsBelowThreshold
            /// The request contradicts what this party knows (it is listed as dropped, or the sets do not match U2).
            case inconsistentRequest
        }

        /// The kind of refusal.
        public let reason: Reason
        /// What exactly was wrong, naming the party or field.
        public let detail: String

        /// Creates a refusal.
        public init(_ reason: Reason, _ detail: String) {
            self.reason = reason
            self.detail = detail
        }

        /// `"<reason>: <detail>"`.
        public var description: String { "\(reason.rawValue): \(detail)" }
    }
}
