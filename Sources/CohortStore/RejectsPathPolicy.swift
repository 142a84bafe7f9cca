import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an import may write its rejects file (`--rejects`).
///
/// Refused, with or without `--force`: the input file itself, and any path inside the node
/// directory (it would overwrite `node.sqlite`, the audit log or a key). Refused unless
/// replacing is allowed: any existing file. Paths are compared after resolving symbolic links
/// (the file's folder, and the file itself when it exists), and the input also by device and
/// inode, so a hard link to the input is refused too.
enum RejectsPathPolicy {
    /// Checks `rejects` before the import starts. O(path length).
    ///
    /// - Throws: ``StoreError`` `.invalidArgument` naming the path and the rule it breaks.
    static func check(_ rejects: String, input: String, node: NodeDirectory, replaceExisting: Bool) throws {
        let folder = (rejects as NSString).deletingLastPathComponent
        let name = (rejects as NSString).lastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else {
            throw StoreError(.invalidArgument, "--rejects '\(rejects)' does not name a file")
        }
        guard let resolvedFolder = realPath(folder.isEmpty ? "." : folder) else {
            throw StoreError(.invalidArgument, "--rejects '\(rejects)': folder '\(folder)' does not exist")
        }
        var existing = stat()
        let exists = lstat(rejects, &existing) == 0
        var resolved = resolvedFolder == "/" ? "/" + name : resolvedFolder + "/" + name
        if exists, let target = realPath(rejects) { resolved = target }

        if let nodeRoot = realPath(node.root), resolved == nodeRoot || resolved.hasPrefix(nodeRoot.hasSuffix("/") ? nodeRoot : nodeRoot + "/") {
            throw StoreError(.invalidArgument, "--rejects '\(rejects)' is inside the node directory \(node.root) (it could overwrite node.sqlite, the audit log or a key); write rejects elsewhere")
        }
        var inputInfo = stat()
        let sameInput: Bool
        if stat(input, &inputInfo) == 0 {
            var target = stat()
            let sameInode = stat(rejects, &target) == 0 && target.st_dev == inputInfo.st_dev && target.st_ino == inputInfo.st_ino
            sameInput = sameInode || realPath(input) == resolved
        } else {
            sameInput = false
        }
        if sameInput {
            throw StoreError(.invalidArgument, "--rejects '\(rejects)' is the input file '\(input)'; write rejects to another file")
        }
        if exists {
            if existing.st_mode & S_IFMT == S_IFDIR {
                throw StoreError(.invalidArgument, "--rejects '\(rejects)' is a directory")
            }
            if !replaceExisting {
                throw StoreError(.invalidArgument, "--rejects '\(rejects)' already exists; choose a new file or use --force to replace it")
            }
        }
    }

    /// `realpath(3)`, or nil if the path does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
