import CohortAudit
import CohortNode
import Foundation
import Synchronization

/// An audit sink that keeps events in memory, optionally failing every append.
actor MemoryAudit: AuditRecording {
    private(set) var events: [Audit.Event] = []
    private var failing = false

    struct Refused: Error, CustomStringConvertible {
        var description: String { "the test audit log refuses appends" }
    }

    func setFailing(_ value: Bool) { failing = value }

    func record(_ event: Audit.Event) async throws -> UInt64 {
        guard let range = try await record(contentsOf: [event]) else { return 0 }
        return range.lowerBound
    }

    func record(contentsOf events: [Audit.Event]) async throws -> ClosedRange<UInt64>? {
        if failing { throw Refused() }
        guard !events.isEmpty else { return nil }
        let first = UInt64(self.events.count)
        self.events.append(contentsOf: events)
        return first...UInt64(self.events.count - 1)
    }

    func events(of type: Audit.EventType) -> [Audit.Event] { events.filter { $0.type == type } }
}

/// A clock that tests move by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_780_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock as a closure for ``StudyEngine`` and ``PeerEventAuditor``.
    var closure: @Sendable () -> Date { { self.now } }
}

extension Audit.Event {
    /// The integer detail `key`, if present.
    func integer(_ key: String) -> Int64? {
        if case .integer(let value)? = details[key] { return value }
        return nil
    }

    /// The string detail `key`, if present.
    func string(_ key: String) -> String? {
        if case .string(let value)? = details[key] { return value }
        return nil
    }
}
