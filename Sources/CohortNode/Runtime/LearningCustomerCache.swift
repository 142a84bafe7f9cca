import CohortLearning
import CohortStudy
import Foundation
import Synchronization

/// The customers of each running learning study on this node, read from `node.sqlite` once
/// per study (round 0) and kept in memory until the study ends, with the study's algorithm.
/// Later rounds re-check consent and drop whoever has withdrawn; nobody is ever added. A
/// round re-reads consent only when the store's consent generation moved or a stored
/// future-dated consent event has come into effect since the last check.
///
/// At most ``capacity`` studies are kept; the oldest is dropped first (a round that finds its
/// study gone reads the store again).
final class LearningCustomerCache: Sendable {
    /// One study's entry.
    struct Entry: Sendable {
        /// The study's algorithm, built from its spec.
        var algorithm: Study.LearningAlgorithm
        /// The customers consenting at the last consent check (round 0's, less those who
        /// withdrew since), with their features.
        var customers: Learning.Customers
        /// Transactions read at round 0 (audited with every round's access).
        var transactions: Int
        /// ``CohortStore/NodeStore/consentGeneration()`` read just before the last consent check.
        var consentGeneration: Int64
        /// When a stored consent event dated after the last check takes effect, if any.
        var nextConsentChange: Date?

        /// Whether consent must be read again at `now` (the store changed, or a future-dated
        /// event came into effect).
        func needsConsentCheck(generation: Int64, now: Date) -> Bool {
            if generation != consentGeneration { return true }
            if let next = nextConsentChange, now >= next { return true }
            return false
        }
    }

    /// Studies kept at once.
    static let capacity = 8

    private let state = Mutex<(entries: [String: Entry], order: [String])>(([:], []))

    /// The entry of `study`, if loaded.
    func entry(_ study: String) -> Entry? {
        state.withLock { $0.entries[study] }
    }

    /// Keeps `entry` for `study`, dropping the oldest study beyond ``capacity``.
    func store(_ entry: Entry, for study: String) {
        state.withLock { s in
            if s.entries.updateValue(entry, forKey: study) == nil { s.order.append(study) }
            while s.order.count > Self.capacity {
                s.entries[s.order.removeFirst()] = nil
            }
        }
    }

    /// Forgets `study` (it ended).
    func remove(_ study: String) {
        state.withLock { s in
            s.entries[study] = nil
            s.order.removeAll { $0 == study }
        }
    }
}
