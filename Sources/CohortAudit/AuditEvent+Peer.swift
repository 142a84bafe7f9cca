extension Audit.Event {
    /// `peer.connected`: peer `peer` (the actor) connected from or to `address` in `direction`
    /// (`inbound`, `outbound`) with certificate SHA-256 `fingerprint`; `summary` for a
    /// flood-control summary of counted connections.
    public static func peerConnected(
        peer: String, address: String, direction: String, fingerprint: String, summary: Audit.EventCount? = nil
    ) -> Audit.Event {
        var details = summary?.details ?? [:]
        details["address"] = .string(address)
        details["direction"] = .string(direction)
        details["fingerprint"] = .string(fingerprint)
        return Audit.Event(type: .peerConnected, actor: peer, details: details)
    }

    /// `peer.refused`: a connection from or to `address` (host, no port) in `direction` was
    /// refused with `code` because of `reason`; `claimedName` and `fingerprint` are empty when
    /// unknown; `summary` for a flood-control summary of counted refusals. Actor `system`.
    public static func peerRefused(
        address: String, claimedName: String, code: String, reason: String, direction: String, fingerprint: String,
        summary: Audit.EventCount? = nil
    ) -> Audit.Event {
        var details = summary?.details ?? [:]
        details["address"] = .string(address)
        details["claimed_name"] = .string(claimedName)
        details["code"] = .string(code)
        details["reason"] = .string(reason)
        details["direction"] = .string(direction)
        details["fingerprint"] = .string(fingerprint)
        return Audit.Event(type: .peerRefused, actor: "system", details: details)
    }
}
