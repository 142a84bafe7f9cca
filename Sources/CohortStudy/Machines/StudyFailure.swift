extension Study {
    /// Why a study failed (terminal outcome of ``LeadMachine``).
    public enum Failure: Sendable, Hashable, Codable, CustomStringConvertible {
        /// A participant refused the proposal.
        case rejected(by: String, reason: String)
        /// A participant (or the lead's own contribution step) failed or became unreachable.
        case peerFailed(String, error: String)
        /// The deadline passed while waiting for the listed nodes.
        case deadlinePassed(seconds: Int, waitingFor: [String])
        /// A node sent a contribution that does not match the study.
        case invalidContribution(from: String, message: String)
        /// The contributions could not be aggregated.
        case aggregationFailed(String)
        /// The study was never started before its deadline event.
        case notStarted
        /// The lead's own policy refuses the study (nothing was proposed).
        case ownPolicyRejected(String)
        /// A party failed or stopped answering during `round` (nothing is released).
        case droppedOut(String, round: Int, error: String)
        /// The study kind could not go on after `round`.
        case roundFailed(round: Int, String)
        /// The node's driver met a directive it does not expect (a defect; reported loudly).
        case driverFault(String)

        /// A sentence for operators, the audit log and participants.
        public var description: String {
            switch self {
            case .rejected(let peer, let reason): return "participant \(peer) rejected the study: \(reason)"
            case .peerFailed(let peer, let error): return "participant \(peer) failed: \(error)"
            case .deadlinePassed(let seconds, let waiting):
                return "deadline of \(seconds) s passed while waiting for \(waiting.joined(separator: ", "))"
            case .invalidContribution(let peer, let message): return "invalid contribution from \(peer): \(message)"
            case .aggregationFailed(let message): return "aggregation failed: \(message)"
            case .notStarted: return "the study was never started"
            case .ownPolicyRejected(let reason): return "this node's own policy refuses the study: \(reason)"
            case .droppedOut(let peer, let round, let error):
                return "\(peer) dropped out in round \(round + 1): \(error)"
            case .roundFailed(let round, let reason): return "round \(round + 1) failed: \(reason)"
            case .driverFault(let description): return "internal error in the study driver: \(description)"
            }
        }
    }
}
