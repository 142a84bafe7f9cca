public import CohortStore
import CohortAudit
import Foundation

/// A node's home directory: creating it (`cohort node init`). Its layout is
/// ``CohortStore/NodeDirectory`` with the home paths of `NodeDirectory+Home.swift`.
public enum NodeHome {
    /// Creates a node directory (`cohort node init`):
    ///
    /// - the directory itself — refused if it exists and is not empty, unless `force`; created
    ///   or tightened to 0700 whatever the umask;
    /// - `cohort.yaml`, the commented template (see ``NodeConfigTemplate``);
    /// - `node.sqlite` with all migrations applied (WAL), created 0600 by
    ///   ``CohortStore/NodeStore/create(in:)`` (so are its `-wal`/`-shm` and `audit.sqlite`;
    ///   existing SQLite files are tightened to 0600);
    /// - `keys/` and `tls/` (0700);
    /// - the audit log through `Audit.Log.open(nodeDirectory:node:)`, with a
    ///   `node.initialized` entry (details: consortium, schema).
    ///
    /// `force` allows a non-empty directory and rewrites `cohort.yaml`; it never deletes data:
    /// an existing `node.sqlite` is migrated and kept, an existing audit log is appended to.
    /// It never starts a fresh store beside an audit log that has entries: a missing or empty
    /// `node.sqlite` there is refused (`.storeMissing`), even with `force`.
    ///
    /// - Throws: ``NodeError`` `.invalidArgument` (bad name), `.directoryNotEmpty`, `.io`,
    ///   `.auditFailed`; ``CohortStore/StoreError`` `.storeMissing` and the store's own errors
    ///   from creating `node.sqlite`.
    public static func initialize(
        directory path: String, name: String, consortium: String = "default", force: Bool = false,
        actor: String = "operator"
    ) async throws -> NodeDirectory {
        guard NodeConfig.isValidName(name) else {
            throw NodeError(.invalidArgument, "--name '\(name)' is not a valid node name (lowercase letters, digits and '-', 1–63 characters, starting with a letter or digit)")
        }
        guard NodeConfig.isValidName(consortium) else {
            throw NodeError(.invalidArgument, "--consortium '\(consortium)' is not a valid consortium name (lowercase letters, digits and '-', 1–63 characters)")
        }
        let directory = NodeDirectory(path)
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw NodeError(.io, "'\(path)' exists and is not a directory")
            }
            let contents = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            if !contents.isEmpty && !force {
                let what = directory.isInitialized ? "already holds a node" : "is not empty"
                throw NodeError(.directoryNotEmpty, "'\(path)' \(what); refusing to initialize (use --force to initialize anyway; data is never deleted)")
            }
            try NodeStore.refuseLostStore(directory)
        }
        try NodeFilePermissions.createPrivateDirectory(path)
        do {
            for sub in [directory.keysPath, directory.tlsPath] {
                try fm.createDirectory(atPath: sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: sub)
            }
            let text = NodeConfigTemplate.text(name: name, consortium: consortium)
            _ = try NodeConfig.parse(yaml: text, file: directory.configPath)
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory.configPath), options: .atomic)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(.io, "cannot create node directory: \(error.localizedDescription)", file: path)
        }
        try NodeFilePermissions.tighten(directory)
        let migrations = try NodeStore.create(in: directory)

        try NodeFilePermissions.createPrivateFile(directory.auditDatabasePath)
        let log = try await Audit.Log.open(nodeDirectory: path, node: name)
        do {
            _ = try await log.record(.nodeInitialized(actor: actor, consortium: consortium, schema: migrations.last ?? ""))
        } catch {
            await log.close()
            throw NodeError(.auditFailed, "cannot write node.initialized to the audit log: \(error)")
        }
        await log.close()
        try NodeFilePermissions.tighten(directory)
        return directory
    }
}
