import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command may write a file of customer rows: an import's rejects file (`--rejects`),
/// and the scores of `cohort study apply` (`--out`).
///
/// Refused, with or without `--force`: the input file itself (when there is one), and any path
/// inside the node directory (it would overwrite `node.sqlite`, the audit log or a key).
/// Refused unless replacing is allowed: any existing file. Paths are compared after resolving
/// symbolic links (the file's folder, and the file itself when it exists), and the input also
/// by device and inode, so a hard link to the input is refused too.
public enum RejectsPathPolicy {
    /// Checks `rejects` before the import starts. O(path length).
    ///
    /// - Throws: ``StoreError`` `.invalidArgument` naming the path and the rule it breaks.
    static func check(_ rejects: String, input: String, node: NodeDirectory, replaceExisting: Bool) throws {
        try check(rejects, option: "--rejects", input: input, node: node, replaceExisting: replaceExisting)
    }

    /// Checks the output file `rejects` (named in messages as `option`) before anything is read.
    /// `input`, if any, is a file the command reads, which the output must not be. O(path length).
    ///
    /// - Throws: ``StoreError`` `.invalidArgument` naming the path and the rule it breaks.
    public static func check(_ rejects: String, option: String, input: String?, node: NodeDirectory, replaceExisting: Bool) throws {
        let folder = (rejects as NSString).deletingLastPathComponent
        let name = (rejects as NSString).lastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else {
            throw StoreError(.invalidArgument, "\(option) '\(rejects)' does not name a file")
        }
        guard let resolvedFolder = realPath(folder.isEmpty ? "." : folder) else {
            throw StoreError(.invalidArgument, "\(option) '\(rejects)': folder '\(folder)' does not exist")
        }
        var existing = stat()
        let exists = lstat(rejects, &existing) == 0
        var resolved = resolvedFolder == "/" ? "/" + name : resolvedFolder + "/" + name
        if exists, let target = realPath(rejects) { resolved = target }

        if let nodeRoot = realPath(node.root), resolved == nodeRoot || resolved.hasPrefix(nodeRoot.hasSuffix("/") ? nodeRoot : nodeRoot + "/") {
            throw StoreError(.invalidArgument, "\(option) '\(rejects)' is inside the node directory \(node.root) (it could overwrite node.sqlite, the audit log or a key); write the file elsewhere")
        }
        var inputInfo = stat()
        let sameInput: Bool
        if let input, stat(input, &inputInfo) == 0 {
            var target = stat()
            let sameInode = stat(rejects, &target) == 0 && target.st_dev == inputInfo.st_dev && target.st_ino == inputInfo.st_ino
            sameInput = sameInode || realPath(input) == resolved
        } else {
            sameInput = false
        }
        if sameInput {
            throw StoreError(.invalidArgument, "\(option) '\(rejects)' is the input file '\(input ?? "")'; write to another file")
        }
        if exists {
            if existing.st_mode & S_IFMT == S_IFDIR {
                throw StoreError(.invalidArgument, "\(option) '\(rejects)' is a directory")
            }
            if !replaceExisting {
                throw StoreError(.invalidArgument, "\(option) '\(rejects)' already exists; choose a new file or use --force to replace it")
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
