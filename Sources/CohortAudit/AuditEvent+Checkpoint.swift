extension Audit.Event {
    /// `checkpoint.signed`: the node published its checkpoint of `size` entries (root `root`) to
    /// `witnesses` peers. Actor `system`.
    public static func checkpointSigned(size: UInt64, root: Audit.Hash, witnesses: Int) -> Audit.Event {
        Audit.Event(type: .checkpointSigned, actor: "system", details: [
            "size": .integer(Int64(size)), "root": .string(root.hex), "witnesses": .integer(Int64(witnesses)),
        ])
    }

    /// `checkpoint.cosigned`: this node witnessed peer log `origin`'s checkpoint of `size`
    /// entries with root `root`.
    public static func checkpointCosigned(actor: String, origin: String, size: UInt64, root: Audit.Hash) -> Audit.Event {
        Audit.Event(type: .checkpointCosigned, actor: actor, details: [
            "origin": .string(origin), "size": .integer(Int64(size)), "root": .string(root.hex),
        ])
    }

    /// `checkpoint.refused`: this node refused to cosign peer log `origin`'s checkpoint (`size`,
    /// `root`) because of `reason`; it cosigned `witnessedSize`/`witnessedRoot` last.
    public static func checkpointRefused(
        actor: String, origin: String, size: UInt64, root: Audit.Hash, reason: String, witnessedSize: UInt64,
        witnessedRoot: Audit.Hash
    ) -> Audit.Event {
        Audit.Event(type: .checkpointRefused, actor: actor, details: [
            "origin": .string(origin), "size": .integer(Int64(size)), "root": .string(root.hex),
            "reason": .string(reason), "witnessed_size": .integer(Int64(witnessedSize)),
            "witnessed_root": .string(witnessedRoot.hex),
        ])
    }

    /// `log.alert`: the database holds `size` entries with root `root` where this writer wrote
    /// `expectedSize` with root `expectedRoot` (`reason` says what differs). Actor `system`.
    public static func logAlert(
        reason: String, size: UInt64, root: Audit.Hash, expectedSize: UInt64, expectedRoot: Audit.Hash
    ) -> Audit.Event {
        Audit.Event(type: .logAlert, actor: "system", details: [
            "reason": .string(reason), "size": .integer(Int64(size)), "root": .string(root.hex),
            "expected_size": .integer(Int64(expectedSize)), "expected_root": .string(expectedRoot.hex),
        ])
    }
}
