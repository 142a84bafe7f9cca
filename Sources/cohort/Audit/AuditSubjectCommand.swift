import ArgumentParser
import CohortAudit
import Foundation

/// `cohort audit subject`: everything the log holds about one data subject, with proofs.
struct AuditSubjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subject",
        abstract: "Consent history and studies that used one customer's data, with inclusion proofs."
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "The partner's customer ID (looked up in <node-dir>/node.sqlite).")
    var customer: String?

    @Option(help: "The pseudonym directly (32 hex digits), e.g. for an erased customer.")
    var pseudonym: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let pseudonym: String
        if let p = self.pseudonym {
            pseudonym = p.lowercased()
        } else if let customer {
            let store = (location.nodeDir as NSString).appendingPathComponent("node.sqlite")
            pseudonym = try Audit.SubjectLookup.pseudonym(customerID: customer, nodeDatabasePath: store)
        } else {
            throw ValidationError("give --customer <id> or --pseudonym <hex>")
        }
        let reader = try location.openReader()
        let report = try reader.subjectReport(pseudonym: pseudonym)
        if json {
            var items: [[String: Any]] = []
            for item in report.items {
                var o: [String: Any] = [
                    "index": item.index, "relation": item.relation, "leaf_hash": item.leaf.hex,
                    "entry": String(decoding: item.bytes, as: UTF8.self),
                ]
                if let proof = item.proof { o["proof"] = proof.map(\.hex) }
                items.append(o)
            }
            var top: [String: Any] = ["pseudonym": report.pseudonym, "origin": reader.origin, "entries": items]
            if let cp = report.checkpoint {
                top["checkpoint"] = cp.serialized
                top["tree_size"] = cp.checkpoint.size
                top["root"] = cp.checkpoint.root.hex
            }
            let data = try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("Data subject \(customer.map { "\($0) → " } ?? "")pseudonym \(report.pseudonym) in \(reader.origin)")
        if let cp = report.checkpoint {
            print("Proofs are against the signed checkpoint of size \(cp.checkpoint.size), root \(cp.checkpoint.root.hex).")
        } else {
            print("No signed checkpoint yet: entries are listed without proofs.")
        }
        if report.items.isEmpty { print("No entries concern this subject.") }
        for item in report.items {
            let e = item.entry
            let details = e.details.keys.sorted().map { k -> String in
                switch e.details[k] {
                case .string(let s)?: return "\(k)=\(s)"
                case .integer(let i)?: return "\(k)=\(i)"
                case nil: return k
                }
            }.joined(separator: " ")
            print("\n#\(item.index) \(e.timestamp) \(e.type.rawValue) purpose=\(e.purpose.isEmpty ? "-" : e.purpose) study=\(e.study.isEmpty ? "-" : e.study) actor=\(e.actor) \(details)")
            print("  relation: \(item.relation)")
            print("  leaf: \(item.leaf.hex)")
            if let proof = item.proof {
                print("  proof: " + (proof.isEmpty ? "(empty: single-entry tree)" : proof.map(\.hex).joined(separator: " ")))
            } else {
                print("  proof: none yet (newer than the latest checkpoint; run `cohort audit checkpoint`)")
            }
        }
        if let cp = report.checkpoint {
            print("\nCheckpoint:\n" + cp.serialized, terminator: "")
        }
    }
}
