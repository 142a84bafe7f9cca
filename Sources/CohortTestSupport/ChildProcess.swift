import Dispatch
public import Foundation

/// Waiting for child processes from async tests without holding a Swift concurrency thread.
///
/// `Process.waitUntilExit()` and `FileHandle.readDataToEndOfFile()` block the calling thread.
/// Swift Testing runs tests in parallel on the cooperative pool, which has one thread per core
/// (two on the CI machine): two tests blocked in those calls starve every other test's tasks —
/// gRPC handlers, actors, timers — until the children exit, and in-process transport tests then
/// time out. These helpers block a Dispatch worker thread instead and resume the caller when done.
public enum ChildProcess {
    /// Waits until `process` (already started) exits and returns its termination status.
    public static func waitForExit(_ process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    /// Reads `handle` to its end (the writer closed it) off the cooperative pool.
    public static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: handle.readDataToEndOfFile())
            }
        }
    }
}
