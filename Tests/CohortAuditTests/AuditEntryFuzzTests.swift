@testable import CohortAudit
import Foundation
import CohortTestSupport
import Testing

/// Fuzzes the strict audit entry parser with mutated canonical entries: it must return or throw
/// ``AuditError`` (never trap), accept only canonical bytes (what it accepts re-encodes to the
/// same bytes), and the verification fast path must accept exactly what the full parse accepts.
@Suite struct AuditEntryFuzzTests {
    static let seeds: [[UInt8]] = [
        CanonicalEntryTests.sample().canonicalBytes(),
        CanonicalEntryTests.sample(subject: nil).canonicalBytes(),
        Audit.Entry(
            seq: 9_007_199_254_740_991, timestamp: "9999-12-31T23:59:59.999Z", node: "n\u{7F}é\u{1F600}",
            type: .studyAccepted, prev: .zero, actor: "", subject: nil, purpose: "", study: "s-1",
            details: ["": .integer(-9_007_199_254_740_991), "\u{E000}": .string("\u{0}"), "\u{1F600}": .integer(0)]
        ).canonicalBytes(),
    ]

    static let dictionary = [
        "\"", "\\", "\\u0000", "\\u001f", "\\ud800", "{", "}", ",", ":", "-", "0", "9007199254740992",
        "9223372036854775808", "-9007199254740992", "1e3", "null", "true", "\"seq\":", "\"v\":", "\"details\":{}",
        "\"subject\":\"00112233445566778899aabbccddeeff\",", "0000-00-00T00:00:00.000Z", "9999-99-99T99:99:99.999Z",
        "\u{FFFD}", "\u{7F}",
    ]

    @Test("mutated canonical entries: parse or AuditError, accepted bytes are canonical, both paths agree")
    func mutatedEntriesNeverTrap() throws {
        try FuzzCampaign("audit entry parser", seed: 0xA0D1_7E47_0001, iterations: 20_000).run { c in
            let seed = c.random.element(of: Self.seeds)
            let bytes = c.random.oneIn(50)
                ? c.random.bytes(c.random.int(in: 0...300))
                : FuzzMutation.mutate(seed, using: &c.random, dictionary: Self.dictionary.map { Array($0.utf8) })
            c.input(bytes)
            var full: Audit.Entry?
            do {
                full = try Audit.Entry.parse(bytes)
            } catch is AuditError {}
            var fast: Audit.Entry?
            do {
                fast = try bytes.withUnsafeBytes { try Audit.Entry.parse($0, materialize: false) }
            } catch is AuditError {}
            try c.require((full == nil) == (fast == nil), "full parse \(full == nil ? "refused" : "accepted") but the fast path did not")
            if let full {
                try c.require(full.canonicalBytes() == bytes, "accepted bytes that are not the canonical encoding of what they parse to")
                try c.require(full.seq == fast?.seq && full.prev == fast?.prev && full.type == fast?.type, "fast path read other seq/prev/type")
            }
        }
    }

    @Test("mutated signed checkpoints and verifier keys: parse or AuditError, never trap")
    func mutatedCheckpointsNeverTrap() throws {
        let log = try Audit.NoteSigner(parsing: SignedNoteTests.peterSigner)
        let checkpoint = Audit.Checkpoint(origin: "PeterNeumann", size: 8, root: Audit.Merkle.emptyRoot, extensions: ["ext line"])
        let seeds = [
            try Audit.SignedCheckpoint(signing: checkpoint, with: log).serialized,
            SignedNoteTests.text + "\n" + SignedNoteTests.peterSig + SignedNoteTests.enochSig,
        ]
        let words = ["\n", "\n\n", "\u{2014} ", " ", "+", "=", "18446744073709551615", "18446744073709551616", "-1", "0"]
        var parsed = 0
        let campaign = FuzzCampaign("signed checkpoints", seed: 0xA0D1_7E47_0002, iterations: 5_000)
        try campaign.run { c in
            let bytes = FuzzMutation.mutate(text: c.random.element(of: seeds), using: &c.random, dictionary: words)
            c.input(bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let signed = try Audit.SignedCheckpoint(parsing: text)
                _ = try? signed.verify(logKey: log.verifier)
                try c.require(String(signed.checkpoint.size) == text.split(separator: "\n", omittingEmptySubsequences: false)[1], "size not canonical")
                parsed += 1
            } catch is AuditError {}
            do {
                _ = try Audit.NoteVerifier(parsing: String(decoding: FuzzMutation.mutate(text: SignedNoteTests.peterVerifier, using: &c.random, dictionary: words), as: UTF8.self))
            } catch is AuditError {}
        }
        #expect(!campaign.coversAllCases || parsed > 0)
    }

    /// Regression corpus: inputs at the integer and length edges of the parser.
    static let canonical = String(decoding: CanonicalEntryTests.sample().canonicalBytes(), as: UTF8.self)

    @Test("edge inputs are refused with AuditError", arguments: [
        canonical.replacingOccurrences(of: "\"seq\":7", with: "\"seq\":9223372036854775808"),
        canonical.replacingOccurrences(of: "\"seq\":7", with: "\"seq\":18446744073709551616"),
        canonical.replacingOccurrences(of: "\"seq\":7", with: "\"seq\":-1"),
        canonical.replacingOccurrences(of: "\"seq\":7", with: "\"seq\":9007199254740992"),
        canonical.replacingOccurrences(of: "\"B\":0", with: "\"B\":-9007199254740992"),
        canonical.replacingOccurrences(of: "\"v\":1", with: "\"v\":99999999999999999999"),
        String(canonical.prefix(1)), String(canonical.dropLast()), "\"", "{\"actor\":\"",
    ])
    func edgeInputsRefused(_ text: String) {
        #expect(throws: AuditError.self) { try Audit.Entry.parse(Array(text.utf8)) }
    }
}
