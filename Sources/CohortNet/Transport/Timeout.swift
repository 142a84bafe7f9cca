/// An operation run by ``withTimeout(_:_:)`` did not finish within its limit (it was cancelled).
public struct TimeoutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The limit that passed.
    public var limit: Duration

    /// Creates the error.
    public init(limit: Duration) {
        self.limit = limit
    }

    /// `no answer within <limit>`.
    public var description: String { "no answer within \(limit)" }
}

/// Runs `operation` and returns its result, or throws ``TimeoutError`` once `limit` has passed
/// without one; either way the loser is cancelled before this returns. An error of `operation`
/// is rethrown as it is. The one timeout race of peer calls (server-side call bounds, the
/// participant asking its lead, the lead telling participants of an abort).
public func withTimeout<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimeoutError(limit: limit) }
        return value
    }
}
