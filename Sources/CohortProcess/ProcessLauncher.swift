public import Foundation

/// Starts child processes safely on Linux.
///
/// `Foundation.Process.run()` in the Swift 6.3 toolchain lists `/proc/self/fd` to find the
/// highest open descriptor and copies each entry's whole 256-byte name field, reading past the
/// end of glibc's 32 KiB directory buffer. Once a process holds roughly 1,350 descriptors, the
/// last entry can sit at the end of that buffer and `run()` crashes with a segmentation fault
/// (swift-corelibs-foundation pull request 5472, fixed upstream after 6.3.1). The node CLI never
/// comes near that many, but the parallel test suite does. ``launch(_:)`` and ``run(_:)``
/// therefore first wait (bounded) until fewer than ``descriptorLimit`` descriptors are open. They
/// take no lock: a waiting launch never holds up another task.
public enum ProcessLauncher {
    /// Launch only while fewer descriptors than this are open (well below the ~1,350 at which the
    /// over-read can fault).
    public static let descriptorLimit = 900

    /// Starts `process` (configured, not yet running) from async code: sleeps (without blocking
    /// a thread) while ``descriptorLimit`` or more descriptors are open, at most 30 s, then
    /// launches.
    public static func launch(_ process: Process) async throws {
        for _ in 0..<1_500 where openDescriptors() >= descriptorLimit {
            try await Task.sleep(for: .milliseconds(20))
        }
        try process.run()
    }

    /// Starts `process` from synchronous code: waits at most 2 s (polling every 20 ms) for the
    /// descriptor count to fall below ``descriptorLimit``, then launches.
    public static func run(_ process: Process) throws {
        for _ in 0..<100 where openDescriptors() >= descriptorLimit {
            usleep(20_000)
        }
        try process.run()
    }

    /// Number of open descriptors of this process (entries of `/proc/self/fd`); 0 where that
    /// directory does not exist. O(descriptors).
    public static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
