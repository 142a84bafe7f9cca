#if canImport(Glibc)
import Glibc
// On Linux the toolchain attributes `stat` and `mode_t` to these modules (through Foundation's
// re-exports); MemberImportVisibility wants them imported where they are used.
#if canImport(CDispatch)
public import CDispatch
#endif
#if canImport(CoreFoundation)
import CoreFoundation
#endif
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif
import Foundation

/// `write(2)`, named so it is not shadowed by ``PKI/Files/write(_:to:mode:overwrite:)``.
private func posixWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}

extension PKI {
    /// File helpers for PKI material: secrets are created with mode 0600 *before* any byte is
    /// written, directories holding secrets with 0700.
    public enum Files {
        /// Writes `bytes` to `path`, creating the file with `mode` (default 0644).
        ///
        /// The file is created with the final mode before writing (`open(O_CREAT, mode)` followed
        /// by `fchmod`, so an existing file also ends up with `mode`). With `overwrite == false` an
        /// existing file is an error (``NetworkError/Code/fileExists``).
        public static func write(
            _ bytes: [UInt8], to path: String, mode: mode_t = 0o644, overwrite: Bool = true
        ) throws {
            var flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
            if !overwrite { flags |= O_EXCL }
            let fd = open(path, flags, mode)
            guard fd >= 0 else {
                let err = errno
                if err == EEXIST {
                    throw NetworkError(.fileExists, "\(path) already exists (refusing to overwrite)")
                }
                throw NetworkError(.fileUnwritable, "cannot create \(path): \(String(cString: strerror(err)))")
            }
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else {
                throw NetworkError(.fileUnwritable, "cannot set mode of \(path): \(String(cString: strerror(errno)))")
            }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { buffer in
                    posixWrite(fd, buffer.baseAddress!.advanced(by: offset), bytes.count - offset)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw NetworkError(.fileUnwritable, "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
            guard fsync(fd) == 0 else {
                throw NetworkError(.fileUnwritable, "cannot sync \(path): \(String(cString: strerror(errno)))")
            }
        }

        /// Writes a secret (private key) with mode 0600.
        public static func writeSecret(_ bytes: [UInt8], to path: String, overwrite: Bool = true) throws {
            try write(bytes, to: path, mode: 0o600, overwrite: overwrite)
        }

        /// Writes UTF-8 text with mode 0644.
        public static func writeText(_ text: String, to path: String, overwrite: Bool = true) throws {
            try write(Array(text.utf8), to: path, mode: 0o644, overwrite: overwrite)
        }

        /// Creates `path` (and parents) if missing and sets its mode (0700 for directories that
        /// hold private keys).
        public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw NetworkError(.fileUnwritable, "cannot create directory \(path): \(error.localizedDescription)")
            }
            guard chmod(path, mode) == 0 else {
                throw NetworkError(.fileUnwritable, "cannot set mode of directory \(path): \(String(cString: strerror(errno)))")
            }
        }

        /// Reads a whole file as UTF-8 text (at most `limit` bytes, default 4 MiB).
        public static func readText(_ path: String, limit: Int = 4 << 20) throws -> String {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw NetworkError(.fileUnreadable, "cannot open \(path)")
            }
            defer { try? handle.close() }
            let data: Data
            do {
                data = try handle.read(upToCount: limit + 1) ?? Data()
            } catch {
                throw NetworkError(.fileUnreadable, "cannot read \(path): \(error.localizedDescription)")
            }
            guard data.count <= limit else {
                throw NetworkError(.fileUnreadable, "\(path) is larger than \(limit) bytes")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw NetworkError(.malformedMaterial, "\(path) is not UTF-8 text")
            }
            return text
        }

        /// Whether a file or directory exists at `path`.
        public static func exists(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: path)
        }

        /// The permission bits of `path` (e.g. 0o600), or nil if it cannot be stat'ed.
        public static func permissions(of path: String) -> mode_t? {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            return st.st_mode & 0o777
        }

        /// `directory/name`.
        public static func join(_ directory: String, _ name: String) -> String {
            if name.hasPrefix("/") { return name }
            if directory.hasSuffix("/") { return directory + name }
            return directory + "/" + name
        }
    }
}
