extension Audit {
    /// The counts a flood-control summary entry adds (`count`, `first_seen`, `last_seen`,
    /// `window_seconds`): how many events of one kind it stands for and over which window.
    public struct EventCount: Sendable, Hashable {
        /// Events the summary stands for.
        public var count: Int
        /// The first counted event, UTC timestamp text.
        public var firstSeen: String
        /// The last counted event, UTC timestamp text.
        public var lastSeen: String
        /// The length of the counting window, whole seconds.
        public var windowSeconds: Int

        /// Creates the counts.
        public init(count: Int, firstSeen: String, lastSeen: String, windowSeconds: Int) {
            self.count = count
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.windowSeconds = windowSeconds
        }

        /// The details members.
        var details: [String: Audit.Value] {
            [
                "count": .integer(Int64(count)), "first_seen": .string(firstSeen), "last_seen": .string(lastSeen),
                "window_seconds": .integer(Int64(windowSeconds)),
            ]
        }
    }
}
