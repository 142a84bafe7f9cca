extension Audit.Event {
    /// `consent.granted` (`granted`) or `consent.withdrawn` for data subject `pseudonym` (32
    /// lowercase hex digits) and `purpose`, at `at` (UTC timestamp text); `method` and
    /// `policyVersion` when known.
    public static func consent(
        granted: Bool, actor: String, pseudonym: String, purpose: String, at: String, source: Audit.ConsentSource,
        method: String? = nil, policyVersion: String? = nil
    ) -> Audit.Event {
        var details: [String: Audit.Value] = ["at": .string(at)]
        switch source {
        case .cli:
            details["source"] = .string("cli")
        case .import(let id):
            details["source"] = .string("import")
            details["import_id"] = .integer(id)
        }
        if let method { details["method"] = .string(method) }
        if let policyVersion { details["policy_version"] = .string(policyVersion) }
        return Audit.Event(
            type: granted ? .consentGranted : .consentWithdrawn, actor: actor, subject: pseudonym, purpose: purpose,
            details: details)
    }

    /// `subject.erased`: data subject `pseudonym`'s rows were deleted (`transactions` transactions
    /// and `consentEvents` consent events).
    public static func subjectErased(actor: String, pseudonym: String, transactions: Int, consentEvents: Int) -> Audit.Event {
        Audit.Event(type: .subjectErased, actor: actor, subject: pseudonym, details: [
            "transactions": .integer(Int64(transactions)), "consent_events": .integer(Int64(consentEvents)),
        ])
    }
}
