@testable import CohortAudit
import GRDB
import Foundation
import Testing

/// Issue 15: the details schema lives in one place (`Audit.EventSchema`); `docs/audit.md` shows
/// it, `record` enforces it and verification fails entries that do not match it.
@Suite struct EventSchemaTests {
    static var docsPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/audit.md").path
    }

    /// docs/audit.md listed details the entries did not carry (study.proposed, checkpoint.signed,
    /// node.started, key.rotated, …): it must contain the code's table verbatim.
    @Test func docsTableEqualsTheCodeSchema() throws {
        let docs = try String(contentsOfFile: Self.docsPath, encoding: .utf8)
        let table = Audit.EventSchema.markdownTable
        #expect(docs.contains(table + "\n"), "docs/audit.md must contain this table exactly:\n\(table)")
        // And no other row for an event type.
        let rows = docs.split(separator: "\n").filter { line in
            Audit.EventType.allCases.contains { line.hasPrefix("| `\($0.rawValue)` |") }
        }
        #expect(rows.count == Audit.EventType.allCases.count)
    }

    @Test func everyTypeHasARuleAtItsIndex() {
        for (i, type) in Audit.EventType.allCases.enumerated() {
            #expect(Audit.EventSchema.ruleIndex(type) == i)
            #expect(Audit.EventSchema.table[i].schema.type == type)
        }
    }

    @Test(arguments: [
        (Audit.EventType.studyProposed, ["lead": Audit.Value.string("acme")], "spec_sha256"),
        (.dataAccessed, ["rows": .integer(1), "transactions": .integer(0), "as_of": .string(""), "query": .string("x")], "query"),
        (.budgetSpent, ["epsilon": .integer(1), "delta": .string("0"), "rho": .string("0"), "mechanism": .string("m"),
                        "ledger_id": .integer(1), "round": .integer(0)], "epsilon"),
    ])
    func recordRefusesDetailsOutsideTheSchema(_ type: Audit.EventType, _ details: [String: Audit.Value], _ key: String) {
        #expect {
            try Audit.Event(type: type, actor: "x", details: details).validate()
        } throws: { error in
            guard let e = error as? AuditError else { return false }
            return e.code == .invalidEvent && e.message.contains(key)
        }
    }

    /// An entry whose details do not match its type's schema fails verification at its index,
    /// however it got into the log (here: written around `record`, with a valid chain and
    /// checkpoint).
    @Test(arguments: [
        #"{"extra":1,"rows":1,"transactions":0,"as_of":"2026-01-01"}"#,
        #"{"rows":1,"transactions":0}"#,
        #"{"as_of":"2026-01-01","rows":"1","transactions":0}"#,
    ])
    func verificationFailsAnEntryOutsideItsSchema(_ detailsJSON: String) async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path + "/audit.sqlite"
        let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
        try await buildLog(path: path, signer: signer, count: 3)
        let object = try JSONSerialization.jsonObject(with: Data(detailsJSON.utf8)) as! [String: Any]
        var details: [String: Audit.Value] = [:]
        for (k, v) in object { details[k] = (v as? String).map(Audit.Value.string) ?? .integer(Int64(v as! Int)) }
        try withDatabase(path) { db in
            let (_, last) = try WriterHead.databaseTree(db)
            let entry = Audit.Entry(
                seq: 3, timestamp: Audit.Timestamp.format(Date()), node: "acme", type: .dataAccessed, prev: last,
                actor: "op", subject: nil, purpose: "", study: "", details: details)
            let bytes = entry.canonicalBytes()
            try db.execute(sql: "INSERT INTO entries (seq, leaf, data) VALUES (3, ?, ?)",
                           arguments: [Audit.Merkle.leafHash(bytes).withUnsafeBytes { Data($0) }, Data(bytes)])
        }
        guard case .broken(let at, let reason) = try Audit.LogReader.open(path: path).verify(policy: .allowingUnsignedTail) else {
            Issue.record("an entry outside its schema verified")
            return
        }
        #expect(at == 3)
        #expect(reason.contains("schema"))
    }
}
