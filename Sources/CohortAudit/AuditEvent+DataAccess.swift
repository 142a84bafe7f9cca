extension Audit.Event {
    /// `data.accessed` for a study contribution: round `round` of study `study` read `rows`
    /// consenting customers and `transactions` transactions as of `asOf`, and used `used`
    /// customers. Actor `study:<study>`.
    public static func studyDataAccessed(
        study: String, purpose: String, rows: Int, transactions: Int, used: Int, asOf: String, round: Int
    ) -> Audit.Event {
        Audit.Event(type: .dataAccessed, actor: "study:\(study)", purpose: purpose, study: study, details: [
            "rows": .integer(Int64(rows)), "transactions": .integer(Int64(transactions)),
            "used": .integer(Int64(used)), "as_of": .string(asOf), "round": .integer(Int64(round)),
        ])
    }

    /// `data.accessed` for a local analysis (`scope` `local`): local command `command` read
    /// `rows` customers and `transactions` transactions as of `asOf`, for `purpose` (nil: every
    /// customer) and, when named, `study`.
    public static func localDataAccessed(
        actor: String, purpose: String?, study: String? = nil, command: String, rows: Int, transactions: Int,
        asOf: String
    ) -> Audit.Event {
        Audit.Event(type: .dataAccessed, actor: actor, purpose: purpose, study: study, details: [
            "command": .string(command), "rows": .integer(Int64(rows)), "transactions": .integer(Int64(transactions)),
            "as_of": .string(asOf), "scope": .string("local"),
        ])
    }
}
