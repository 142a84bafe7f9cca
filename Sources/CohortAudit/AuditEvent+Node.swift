extension Audit.Event {
    /// `node.initialized`: a node directory was created for `consortium`, its store migrated up
    /// to `schema` (the last migration applied).
    public static func nodeInitialized(actor: String, consortium: String, schema: String) -> Audit.Event {
        Audit.Event(type: .nodeInitialized, actor: actor, details: [
            "consortium": .string(consortium), "schema": .string(schema),
        ])
    }

    /// `node.started`: the node serves on `peerPort` as process `pid`, in `mode` (`production`
    /// or `simulation`). Actor `system`.
    public static func nodeStarted(peerPort: Int, pid: Int, mode: String) -> Audit.Event {
        Audit.Event(type: .nodeStarted, actor: "system", details: [
            "peer_port": .integer(Int64(peerPort)), "pid": .integer(Int64(pid)), "mode": .string(mode),
        ])
    }

    /// `node.stopped`: the node stopped serving (`shutdown` or `error: …`). Actor `system`.
    public static func nodeStopped(reason: String) -> Audit.Event {
        Audit.Event(type: .nodeStopped, actor: "system", details: ["reason": .string(reason)])
    }
}
