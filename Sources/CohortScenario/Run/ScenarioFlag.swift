import Synchronization

/// A flag set once by one task and read by others (e.g. "the study has ended").
final class ScenarioFlag: Sendable {
    private let value = Mutex(false)

    /// Sets the flag.
    func set() { value.withLock { $0 = true } }

    /// Whether the flag is set.
    var isSet: Bool { value.withLock { $0 } }
}
