import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A durable note that an import has (or may have) written audit entries whose outcome is not
/// yet in the log: `<node>/imports-pending/<import id>.json` (0600, JSON).
///
/// The marker is written and fsynced before the import's first audit entry and removed after
/// its outcome entry (`import.committed` / `import.rolled_back`) is durable. It lives outside
/// `node.sqlite` because it must survive the rollback of the import's transaction. A marker
/// found when the node is next opened means the importing process stopped in between; see
/// ``NodeStore/reconcileImports(audit:actor:)``.
struct PendingImportMarker: Codable, Sendable, Equatable {
    /// The import id (also the file name).
    var importID: Int64
    /// The schema imported.
    var kind: ImportKind
    /// The file's last path component.
    var file: String
    /// SHA-256 of the file, lowercase hex.
    var sha256: String
    /// When the import started (unix seconds).
    var startedAt: Int64

    enum CodingKeys: String, CodingKey {
        case importID = "import_id", kind, file, sha256, startedAt = "started_at"
    }

    /// `<pending dir>/<id>.json`.
    static func path(_ directory: NodeDirectory, importID: Int64) -> String {
        directory.pendingImportsPath + "/\(importID).json"
    }

    /// Writes the marker durably: temporary file (0600), fsync, rename, fsync of the folder.
    func write(_ directory: NodeDirectory) throws {
        try NodeFilePermissions.createPrivateDirectory(directory.pendingImportsPath)
        let final = Self.path(directory, importID: importID)
        let temporary = final + ".tmp"
        let bytes: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            bytes = try encoder.encode(self)
        } catch {
            throw StoreError(.io, "cannot encode the pending-import marker: \(error)", file: final)
        }
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, NodeFilePermissions.databaseMode)
        guard fd >= 0 else { throw Self.ioError("cannot create", temporary) }
        var ok = fchmod(fd, NodeFilePermissions.databaseMode) == 0
        ok = ok && bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let failure = ok ? nil : Self.ioError("cannot write", temporary)
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, final) == 0 else { throw Self.ioError("cannot rename to", final) }
        try Self.syncDirectory(directory.pendingImportsPath)
    }

    /// The markers present, by ascending import id. A file that is not a marker is an error.
    static func all(_ directory: NodeDirectory) throws -> [PendingImportMarker] {
        let folder = directory.pendingImportsPath
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch CocoaError.fileReadNoSuchFile {
            return []
        } catch {
            if !FileManager.default.fileExists(atPath: folder) { return [] }
            throw StoreError(.io, "cannot list pending imports: \(error.localizedDescription)", file: folder)
        }
        var markers: [PendingImportMarker] = []
        for name in names where name.hasSuffix(".json") {
            let path = folder + "/" + name
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                let marker = try JSONDecoder().decode(PendingImportMarker.self, from: data)
                guard name == "\(marker.importID).json" else {
                    throw StoreError(.io, "names import \(marker.importID)")
                }
                markers.append(marker)
            } catch {
                throw StoreError(.io, "unreadable pending-import marker (\(error)); it records an import whose outcome was not audited — restore it or ask the maintainers", file: path)
            }
        }
        return markers.sorted { $0.importID < $1.importID }
    }

    /// Removes temporary files of markers that were never renamed into place (the import
    /// stopped before its marker was durable, hence before any of its audit entries).
    static func removeStrayTemporaries(_ directory: NodeDirectory) {
        let folder = directory.pendingImportsPath
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".json.tmp") {
            unlink(folder + "/" + name)
        }
    }

    /// Removes the marker and syncs the folder.
    func remove(_ directory: NodeDirectory) throws {
        let path = Self.path(directory, importID: importID)
        guard unlink(path) == 0 || errno == ENOENT else { throw Self.ioError("cannot remove", path) }
        try Self.syncDirectory(directory.pendingImportsPath)
    }

    private static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ioError("cannot sync", path) }
    }

    private static func ioError(_ what: String, _ path: String) -> StoreError {
        StoreError(.io, "\(what) \(path): \(String(cString: strerror(errno)))", file: path)
    }
}

/// `write(2)` (named so that the marker's `write` method does not shadow it).
private func posixWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
