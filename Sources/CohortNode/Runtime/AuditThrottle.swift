import Foundation

/// Decides which events of a repetitive stream (refused connections, rejected proposals) are
/// audited one by one and which are only counted, so that the network cannot flood the log.
///
/// Per key (e.g. a source address and refusal code), the first event of a window is recorded in
/// full; later events of the same key within ``window`` seconds are counted and reported as one
/// ``Summary`` when the window has ended (``due(now:)``, or lazily by the key's next event) or at
/// shutdown (``drain()``). At most ``maxKeys`` keys are tracked: events of further keys are only
/// counted, in one overflow summary (`key` nil). Memory O(`maxKeys`); ``admit(_:now:)`` O(1);
/// ``due(now:)`` and ``drain()`` O(tracked keys).
struct AuditThrottle<Key: Hashable & Sendable>: Sendable {
    /// Events that were counted instead of recorded.
    struct Summary: Sendable, Hashable {
        /// The key; nil for the overflow bucket (keys beyond ``AuditThrottle/maxKeys``).
        var key: Key?
        /// Number of counted events (at least 1).
        var count: Int
        /// Time of the first counted event.
        var firstSeen: Date
        /// Time of the last counted event.
        var lastSeen: Date
    }

    /// What to do with one event.
    enum Admission: Sendable, Hashable {
        /// Record it in full.
        case record
        /// Only count it (it will be part of a ``Summary``).
        case count
    }

    private struct Bucket: Sendable {
        var windowStart: Date
        var counted = 0
        var firstSeen: Date?
        var lastSeen: Date?

        mutating func count(_ now: Date) {
            counted += 1
            if firstSeen == nil { firstSeen = now }
            lastSeen = now
        }

        func summary(_ key: Key?) -> Summary? {
            guard counted > 0, let firstSeen, let lastSeen else { return nil }
            return Summary(key: key, count: counted, firstSeen: firstSeen, lastSeen: lastSeen)
        }
    }

    /// Length of a window, seconds.
    let window: TimeInterval
    /// Most keys tracked at once.
    let maxKeys: Int
    private var buckets: [Key: Bucket] = [:]
    private var overflow: Bucket?

    /// Creates a throttle with windows of `window` seconds (at least 0) tracking at most
    /// `maxKeys` keys (at least 1).
    init(window: TimeInterval, maxKeys: Int) {
        self.window = window.isFinite ? max(0, window) : 60
        self.maxKeys = max(1, maxKeys)
    }

    /// Number of keys currently tracked.
    var trackedKeys: Int { buckets.count }

    /// Admits one event of `key` at `now`. `ended` is the summary of `key`'s previous window when
    /// this event starts a new one (to be recorded before the event itself).
    mutating func admit(_ key: Key, now: Date) -> (admission: Admission, ended: Summary?) {
        if var bucket = buckets[key] {
            if now.timeIntervalSince(bucket.windowStart) < window {
                bucket.count(now)
                buckets[key] = bucket
                return (.count, nil)
            }
            buckets[key] = Bucket(windowStart: now)
            return (.record, bucket.summary(key))
        }
        guard buckets.count < maxKeys else {
            var bucket = overflow ?? Bucket(windowStart: now)
            bucket.count(now)
            overflow = bucket
            return (.count, nil)
        }
        buckets[key] = Bucket(windowStart: now)
        return (.record, nil)
    }

    /// Ends every window that is over at `now`: returns their summaries (oldest first) and stops
    /// tracking their keys.
    mutating func due(now: Date) -> [Summary] {
        var summaries: [Summary] = []
        for (key, bucket) in buckets where now.timeIntervalSince(bucket.windowStart) >= window {
            buckets[key] = nil
            if let summary = bucket.summary(key) { summaries.append(summary) }
        }
        if let bucket = overflow, now.timeIntervalSince(bucket.windowStart) >= window {
            overflow = nil
            if let summary = bucket.summary(nil) { summaries.append(summary) }
        }
        return summaries.sorted { $0.firstSeen < $1.firstSeen }
    }

    /// Ends every window (at shutdown): returns all pending summaries, oldest first, and forgets
    /// every key.
    mutating func drain() -> [Summary] {
        var summaries = buckets.compactMap { key, bucket in bucket.summary(key) }
        if let summary = overflow?.summary(nil) { summaries.append(summary) }
        buckets = [:]
        overflow = nil
        return summaries.sorted { $0.firstSeen < $1.firstSeen }
    }
}
