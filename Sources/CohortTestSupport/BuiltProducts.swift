public import Foundation

/// Locates executables built by SwiftPM next to the running test bundle.
public enum BuiltProducts {
    /// The directory holding the test bundle and the package's executables
    /// (`.build/<triple>/debug` on Linux).
    public static var directory: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // On Linux the test binary is `<products>/CohortPackageTests.xctest`; on macOS it sits
        // inside a bundle, `<products>/X.xctest/Contents/MacOS/X`.
        while dir.path != "/" && dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS"
            || dir.lastPathComponent == "Contents" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    /// The `cohort` executable built with the tests.
    /// - Throws: when it is missing, with the directory searched.
    public static func cohortExecutable() throws -> URL {
        try executable("cohort")
    }

    /// The `cohort-bench` executable (benchmarks, `stress-append`) built with the tests.
    /// - Throws: when it is missing, with the directory searched.
    public static func benchExecutable() throws -> URL {
        try executable("cohort-bench")
    }

    private static func executable(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BuiltProductsError(message: "the \(name) executable was not found at \(url.path); build it with `swift build` first")
        }
        return url
    }
}

/// Raised when a built product the tests need is missing.
public struct BuiltProductsError: Error, CustomStringConvertible {
    /// What is missing and where it was looked for.
    public var message: String
    /// The message.
    public var description: String { message }
}
