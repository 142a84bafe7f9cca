import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Every node process a scenario run has started and not yet seen exit, so that nothing is
/// left behind: ``installSignalHandlers()`` makes SIGINT, SIGTERM and SIGHUP kill them all
/// before the runner exits, and ``killAll()`` does the same on any failure path.
///
/// A runner killed with SIGKILL cannot clean up; its nodes then stop at their next SIGTERM.
public enum ScenarioChildren {
    private static let pids = Mutex<Set<Int32>>([])
    private static let installed = Mutex(false)

    /// Records a started child.
    public static func register(_ pid: Int32) {
        pids.withLock { _ = $0.insert(pid) }
    }

    /// Forgets a child that has exited.
    public static func unregister(_ pid: Int32) {
        pids.withLock { _ = $0.remove(pid) }
    }

    /// The children still registered.
    public static var registered: Set<Int32> { pids.withLock { $0 } }

    /// Sends SIGCONT (a paused child) and SIGKILL to every registered child and waits up to
    /// 2 s for each to disappear. O(children).
    public static func killAll() {
        let all = pids.withLock { set in
            defer { set.removeAll() }
            return set
        }
        for pid in all {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        for pid in all {
            for _ in 0..<100 where isAlive(pid) { usleep(20_000) }
        }
    }

    /// Whether process `pid` exists and is not a zombie (a zombie has exited and only waits to
    /// be reaped). Reads `/proc/<pid>/stat`.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Installs (once) handlers for SIGINT, SIGTERM and SIGHUP that kill every registered child,
    /// print a line to standard error and exit with 128 + the signal number.
    public static func installSignalHandlers() {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let count = registered.count
                killAll()
                FileHandle.standardError.write(Data("scenario interrupted by signal \(sig): stopped \(count) node process\(count == 1 ? "" : "es")\n".utf8))
                exit(128 + sig)
            }
            source.resume()
            sources.append(source)  // only under the `installed` flag's first pass
        }
    }

    /// The signal sources, kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}
