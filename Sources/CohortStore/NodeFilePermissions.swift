public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// File modes of a node directory: the directory 0700, the SQLite files 0600.
///
/// Modes are set with `chmod`/`fchmod`, so they do not depend on the process umask. SQLite
/// creates a database's `-wal` and `-shm` files with the mode of the database file itself, so
/// a database created 0600 keeps its companions 0600 as well.
public enum NodeFilePermissions {
    /// Mode of the node directory and its private subdirectories.
    public static let directoryMode: mode_t = 0o700
    /// Mode of `node.sqlite`, `audit.sqlite` and their `-wal` / `-shm` files.
    public static let databaseMode: mode_t = 0o600

    /// Removes every permission beyond 0700 from the node directory and beyond 0600 from every
    /// existing SQLite file of the node (see ``NodeDirectory/databaseFiles``). Symbolic links
    /// are not followed (their targets are left alone). O(1).
    ///
    /// - Throws: ``StoreError`` `.io` if a mode cannot be set.
    public static func tighten(_ directory: NodeDirectory) throws {
        try tighten(path: directory.root, to: directoryMode, expectDirectory: true)
        for file in directory.databaseFiles {
            try tighten(path: file, to: databaseMode, expectDirectory: false)
        }
    }

    /// Creates `path` exclusively (`O_EXCL`, mode 0600 whatever the umask) for writing and returns
    /// its descriptor. An existing file is an error, unless `replaceExisting`, which first removes
    /// it (never truncates it in place: another process could hold it open). `what` names the
    /// file in errors (`rejects file`, `output file`).
    ///
    /// - Throws: ``StoreError`` `.io` naming the file and the reason.
    public static func createExclusive(_ path: String, what: String, replaceExisting: Bool) throws -> Int32 {
        if replaceExisting && unlink(path) != 0 && errno != ENOENT {
            throw StoreError(.io, "cannot replace \(what): \(String(cString: strerror(errno)))", file: path)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, databaseMode)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists (use --force to replace it)" : String(cString: strerror(errno))
            throw StoreError(.io, "cannot create \(what): \(reason)", file: path)
        }
        guard fchmod(fd, databaseMode) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(path)
            throw StoreError(.io, "cannot set the \(what)'s mode to 0600: \(reason)", file: path)
        }
        return fd
    }

    /// Creates `path` as an empty 0600 file if nothing exists there (so that SQLite opens it
    /// with that mode instead of creating it 0644). Leaves an existing file alone.
    ///
    /// - Throws: ``StoreError`` `.io` if it cannot be created.
    public static func createPrivateFile(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, databaseMode)
        if fd < 0 {
            if errno == EEXIST { return }
            throw StoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(fd) }
        guard fchmod(fd, databaseMode) == 0, fsync(fd) == 0 else {
            throw StoreError(.io, "cannot set the mode of \(path): \(String(cString: strerror(errno)))", file: path)
        }
    }

    /// Creates `path` (and missing parents) if needed and sets it to 0700.
    ///
    /// - Throws: ``StoreError`` `.io` if it cannot be created or is not a directory.
    public static func createPrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(directoryMode)])
        } catch {
            throw StoreError(.io, "cannot create directory: \(error.localizedDescription)", file: path)
        }
        try tighten(path: path, to: directoryMode, expectDirectory: true)
    }

    private static func tighten(path: String, to mode: mode_t, expectDirectory: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw StoreError(.io, "cannot read the mode of \(path): \(String(cString: strerror(errno)))", file: path)
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { return }
        if expectDirectory && type != S_IFDIR {
            throw StoreError(.io, "'\(path)' is not a directory", file: path)
        }
        let current = info.st_mode & 0o7777
        if current & ~mode == 0 { return }  // already as strict or stricter
        let tightened = current & mode
        guard chmod(path, tightened) == 0 else {
            throw StoreError(.io, "cannot set the mode of \(path) to \(String(tightened, radix: 8)): \(String(cString: strerror(errno)))", file: path)
        }
    }
}
