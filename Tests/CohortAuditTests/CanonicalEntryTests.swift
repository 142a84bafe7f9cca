import CohortAudit
import Testing

@Suite struct CanonicalEntryTests {
    static func sample(subject: String? = "00112233445566778899aabbccddeeff") -> Audit.Entry {
        Audit.Entry(
            seq: 7, timestamp: "2026-03-01T12:00:00.250Z", node: "acme", type: .consentGranted, prev: .zero, actor: "import",
            subject: subject, purpose: "segmentation", study: "",
            details: ["method": .string("web \"form\"\n\u{01}é"), "policy_version": .integer(-3), "B": .integer(0)])
    }

    @Test func exactBytes() {
        let bytes = String(decoding: Self.sample().canonicalBytes(), as: UTF8.self)
        let expected = #"{"actor":"import","details":{"B":0,"method":"web \"form\"\n\u0001é","policy_version":-3},"node":"acme","prev":"0000000000000000000000000000000000000000000000000000000000000000","purpose":"segmentation","seq":7,"study":"","subject":"00112233445566778899aabbccddeeff","ts":"2026-03-01T12:00:00.250Z","type":"consent.granted","v":1}"#
        #expect(bytes == expected)
    }

    @Test(arguments: [nil, "00112233445566778899aabbccddeeff"])
    func roundTrip(subject: String?) throws {
        let e = Self.sample(subject: subject)
        let parsed = try Audit.Entry.parse(e.canonicalBytes())
        #expect(parsed == e)
        let fast = try e.canonicalBytes().withUnsafeBytes { try Audit.Entry.parse($0, materialize: false) }
        #expect(fast.seq == 7 && fast.prev == .zero && fast.type == .consentGranted)
    }

    @Test func utf16KeyOrder() {
        // RFC 8785 sorts by UTF-16 code units: U+E000 sorts after U+1F600 (a surrogate pair).
        #expect(Audit.CanonicalJSONWriter.sortedKeys(["\u{E000}", "\u{1F600}", "a"]) == ["a", "\u{1F600}", "\u{E000}"])
    }

    static let canonical = String(decoding: sample().canonicalBytes(), as: UTF8.self)

    @Test(arguments: [
        canonical.replacingOccurrences(of: ",\"node\"", with: ", \"node\""),           // whitespace
        canonical.replacingOccurrences(of: "\"seq\":7", with: "\"seq\":07"),            // leading zero
        canonical.replacingOccurrences(of: "\"v\":1", with: "\"v\":1.0"),               // not an integer
        canonical.replacingOccurrences(of: "\\u0001", with: "\\u0001".uppercased()),    // non-canonical escape
        canonical.replacingOccurrences(of: "\\n", with: "\\u000a"),                     // escape with short form
        canonical.replacingOccurrences(of: "\"B\":0,", with: "\"z\":0,"),               // unsorted details
        canonical.replacingOccurrences(of: "consent.granted", with: "consent.maybe"),  // unknown type
        canonical.replacingOccurrences(of: "00112233445566778899aabbccddeeff", with: "alice"), // not a pseudonym
        canonical + " ",
        "not json",
        "",
    ])
    func strictParserRejects(_ text: String) {
        #expect(throws: AuditError.self) { try Audit.Entry.parse(Array(text.utf8)) }
    }

    @Test func timestamps() {
        #expect(Audit.Timestamp.format(millisecondsSinceEpoch: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Audit.Timestamp.format(millisecondsSinceEpoch: 1_772_366_400_250) == "2026-03-01T12:00:00.250Z")
        #expect(Audit.Timestamp.parse("2026-03-01T12:00:00.250Z") == 1_772_366_400_250)
        #expect(Audit.Timestamp.parse("2026-03-01") == 1_772_323_200_000)
        #expect(Audit.Timestamp.parse("2026-13-01") == nil)
    }

    @Test func eventValidation() {
        #expect(throws: AuditError.self) { try Audit.Event(type: .consentGranted, actor: "x", subject: "CUST-1").validate() }
        #expect(throws: AuditError.self) { try Audit.Event(type: .budgetSpent, actor: "x", details: ["n": .integer(Int64.max)]).validate() }
        #expect(throws: AuditError.self) { try Audit.Event(type: .budgetSpent, actor: "").validate() }
    }
}
