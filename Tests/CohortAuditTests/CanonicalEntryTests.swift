@testable import CohortAudit
import Foundation
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
        // The verification scan is the same parser and refuses the same bytes.
        #expect(throws: AuditError.self) {
            try Array(text.utf8).withUnsafeBytes { bytes in
                try Array("acme".utf8).withUnsafeBytes { try Audit.Entry.scanForVerification(bytes, nodeJSON: $0) }
            }
        }
    }

    /// More refusals aimed at the fast paths: the SWAR hex decoder behind `prev` and
    /// `subject`, the word-at-a-time string scanner, and the joined separator-and-key checks.
    @Test(arguments: [
        canonical.replacingOccurrences(of: "\"prev\":\"00", with: "\"prev\":\"0A"),         // uppercase hex
        canonical.replacingOccurrences(of: "\"prev\":\"00", with: "\"prev\":\"0g"),         // not hex
        canonical.replacingOccurrences(of: "\"prev\":\"00", with: "\"prev\":\"0:"),         // just after '9'
        canonical.replacingOccurrences(of: "\"prev\":\"00", with: "\"prev\":\"0`"),         // just before 'a'
        canonical.replacingOccurrences(of: "000000\",\"purpose", with: "00000\",\"purpose"),  // 63 digits
        canonical.replacingOccurrences(of: "00112233445566778899aabbccddeeff", with: "00112233445566778899aabbccddeefF"),
        canonical.replacingOccurrences(of: "00112233445566778899aabbccddeeff", with: "00112233445566778899aabbccddeef"),
        canonical.replacingOccurrences(of: "segmentation", with: "segment\u{7}ation"),        // raw control byte
        canonical.replacingOccurrences(of: "segmentation", with: "segmentation\\"),          // escape eats the quote
        canonical.replacingOccurrences(of: ",\"purpose\":", with: ",\"purpose\" :"),           // space before ':'
        canonical.replacingOccurrences(of: ",\"study\":", with: ",\"studx\":"),                // wrong key
        String(canonical.dropLast(2)),                                                       // cut inside "v"
    ])
    func fastPathsRejectToo(_ text: String) {
        strictParserRejects(text)
    }

    /// Invalid UTF-8 inside a string (bytes, so it cannot be written as a Swift string).
    @Test(arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func invalidUTF8Rejected(_ sequence: [UInt8]) {
        var bytes = Array(Self.canonical.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "i"))!  // inside "import"
        bytes.insert(contentsOf: sequence, at: at)
        #expect(throws: AuditError.self) { try Audit.Entry.parse(bytes) }
    }

    /// The SWAR hex decoder against the plain one: random digests decode to their bytes, and
    /// every position refuses every byte that is not a lowercase hex digit.
    @Test func hexDecoderMatchesReference() {
        var state: UInt64 = 0x243F_6A88_85A3_08D3
        for _ in 0..<500 {
            let bytes = (0..<32).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 40)
            }
            let hex = Array(HexDigits.encode(bytes).utf8)
            let decoded = hex.withUnsafeBytes { HexDigits.decodeLower64($0.baseAddress!) }
            #expect(decoded.map { Audit.Hash(storage: $0).bytes } == bytes)
        }
        let valid = Set(Array("0123456789abcdef".utf8))
        let base = Array(String(repeating: "0123456789abcdef", count: 4).utf8)
        for position in [0, 7, 8, 15, 31, 40, 63] {
            for byte in 0...255 where !valid.contains(UInt8(byte)) {
                var digits = base
                digits[position] = UInt8(byte)
                #expect(digits.withUnsafeBytes { HexDigits.decodeLower64($0.baseAddress!) } == nil, "byte \(byte) at \(position)")
            }
        }
    }

    /// The word-at-a-time timestamp check against a plain one: every byte value at every
    /// position of a valid timestamp, and the range edges of each field.
    @Test func timestampCheckMatchesReference() {
        func reference(_ t: [UInt8]) -> Bool {
            let shape = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
            for (c, s) in zip(t, shape) {
                if s == UInt8(ascii: "d") {
                    guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return false }
                } else if c != s {
                    return false
                }
            }
            func two(_ k: Int) -> Int { Int(t[k] - 48) * 10 + Int(t[k + 1] - 48) }
            return (1...12).contains(two(5)) && (1...31).contains(two(8)) && two(11) < 24 && two(14) < 60 && two(17) < 60
        }
        func check(_ t: [UInt8]) -> Bool { t.withUnsafeBytes { EntryFieldChecks.isTimestamp($0.baseAddress!) } }
        let valid = Array("2026-03-01T12:00:00.250Z".utf8)
        #expect(check(valid))
        for position in 0..<24 {
            for byte in 0...255 {
                var t = valid
                t[position] = UInt8(byte)
                #expect(check(t) == reference(t), "byte \(byte) at \(position)")
            }
        }
        for text in ["2026-00-01T00:00:00.000Z", "2026-12-31T23:59:59.999Z", "2026-13-01T00:00:00.000Z",
                     "2026-01-00T00:00:00.000Z", "2026-01-32T00:00:00.000Z", "2026-01-01T24:00:00.000Z",
                     "2026-01-01T00:60:00.000Z", "2026-01-01T00:00:60.000Z", "0000-01-01T00:00:00.000Z"] {
            let t = Array(text.utf8)
            #expect(check(t) == reference(t), "\(text)")
        }
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
