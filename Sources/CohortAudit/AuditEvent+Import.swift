extension Audit.Event {
    /// `data.imported`: the rows of file `file` (a `customers`, `transactions` or `consent` file,
    /// SHA-256 hex `sha256`) are being imported as import `importID`; `duplicateOf` is the earlier
    /// import of the same file when the import was forced.
    public static func dataImported(
        actor: String, kind: String, file: String, sha256: String, accepted: Int, rejected: Int,
        importID: Int64, duplicateOf: Int64? = nil
    ) -> Audit.Event {
        var details: [String: Audit.Value] = [
            "kind": .string(kind), "file": .string(file), "sha256": .string(sha256),
            "accepted": .integer(Int64(accepted)), "rejected": .integer(Int64(rejected)),
            "import_id": .integer(importID),
        ]
        if let duplicateOf { details["duplicate_of"] = .integer(duplicateOf) }
        return Audit.Event(type: .dataImported, actor: actor, details: details)
    }

    /// `import.committed`: import `importID` committed; `reconciled` when this is recorded at the
    /// node's next opening rather than by the import itself.
    public static func importCommitted(actor: String, importID: Int64, reconciled: Bool) -> Audit.Event {
        Audit.Event(type: .importCommitted, actor: actor, details: [
            "import_id": .integer(importID), "reconciled": .integer(reconciled ? 1 : 0),
        ])
    }

    /// `import.rolled_back`: import `importID` was rolled back because of `reason`; `reconciled`
    /// when this is recorded at the node's next opening.
    public static func importRolledBack(actor: String, importID: Int64, reason: String, reconciled: Bool) -> Audit.Event {
        Audit.Event(type: .importRolledBack, actor: actor, details: [
            "import_id": .integer(importID), "reason": .string(reason), "reconciled": .integer(reconciled ? 1 : 0),
        ])
    }
}
