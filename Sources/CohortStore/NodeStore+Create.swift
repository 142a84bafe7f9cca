import Foundation

extension NodeStore {
    /// Refuses to start a fresh store where one was lost: throws `.storeMissing` when
    /// `node.sqlite` in `directory` is missing or empty but the node's audit log has entries.
    /// Touches nothing. O(1).
    public static func refuseLostStore(_ directory: NodeDirectory) throws {
        let storeBytes = (try? FileManager.default.attributesOfItem(atPath: directory.databasePath)[.size] as? Int) ?? 0
        if storeBytes == 0, let evidence = auditEvidence(directory) {
            throw StoreError(.storeMissing, "\(directory.databasePath) is missing or empty but \(evidence): refusing to start an empty store beside it (restore node.sqlite from a backup)")
        }
    }

    /// Creates `node.sqlite` in the existing directory `directory` (0600, WAL) with every
    /// migration applied, or migrates the one there (it is never replaced), and closes it.
    /// Refuses like ``refuseLostStore(_:)`` first. Used by the node's initialization.
    /// - Returns: the names of the applied migrations, in order.
    /// - Throws: ``StoreError`` `.storeMissing`, `.io`, `.database`.
    public static func create(in directory: NodeDirectory) throws -> [String] {
        try refuseLostStore(directory)
        try NodeFilePermissions.createPrivateFile(directory.databasePath)
        let store = try openDatabase(directory)
        let migrations: [String]
        do {
            migrations = try store.appliedMigrations()
        } catch {
            try? store.close()
            throw error
        }
        try store.close()
        return migrations
    }
}
