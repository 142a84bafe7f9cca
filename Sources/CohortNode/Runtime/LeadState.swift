extension StudyEngine {
    /// The state of a study this node leads, as status shows it: the phase's name and, for a
    /// failure, the reason.
    public struct LeadState: Sendable, Hashable, CustomStringConvertible {
        /// The phase names.
        public enum Name: String, Sendable, Hashable {
            /// Not started.
            case idle
            /// Checking this node's own policy or waiting for the participants' answers.
            case proposing
            /// Computing this node's own contribution.
            case contributing
            /// Waiting for the participants' contributions.
            case collecting
            /// The result was published.
            case completed
            /// The study failed (see ``LeadState/reason``).
            case failed
        }

        /// The phase.
        public var name: Name
        /// Why it failed; nil for other phases.
        public var reason: String?

        /// Creates a state.
        public init(_ name: Name, reason: String? = nil) {
            self.name = name
            self.reason = reason
        }

        /// A failure with `reason`.
        public static func failed(_ reason: String) -> LeadState { LeadState(.failed, reason: reason) }

        /// `name`, or `name: reason` (as study lists show it).
        public var description: String { reason.map { "\(name.rawValue): \($0)" } ?? name.rawValue }
    }
}
