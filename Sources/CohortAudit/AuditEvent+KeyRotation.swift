extension Audit.Event {
    /// `key.rotated` for the TLS key: the certificate of `identity` changed from `oldSHA256` to
    /// `newSHA256`; the old pair was kept in `backup`.
    public static func tlsKeyRotated(
        actor: String, oldSHA256: String, newSHA256: String, backup: String, identity: String
    ) -> Audit.Event {
        Audit.Event(type: .keyRotated, actor: actor, details: [
            "key": .string("tls"), "old_sha256": .string(oldSHA256), "new_sha256": .string(newSHA256),
            "backup": .string(backup), "identity": .string(identity),
        ])
    }

    /// `key.rotated` for the audit signing key: the public key changed from `oldSHA256` to
    /// `newSHA256` (note verifier keys `oldVerifier`, `newVerifier`).
    public static func auditKeyRotated(
        actor: String, oldSHA256: String, newSHA256: String, oldVerifier: String, newVerifier: String
    ) -> Audit.Event {
        Audit.Event(type: .keyRotated, actor: actor, details: [
            "key": .string("audit"), "old_sha256": .string(oldSHA256), "new_sha256": .string(newSHA256),
            "old_verifier": .string(oldVerifier), "new_verifier": .string(newVerifier),
        ])
    }
}
