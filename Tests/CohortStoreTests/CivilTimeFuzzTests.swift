import CohortCore
import CohortAudit
import CohortTestSupport
import Foundation
import Testing
@testable import CohortStore

/// Date and time conversions of outside data never trap: timestamps beyond the supported range
/// are refused with a ``StoreError`` naming the value, the formatters accept any Int64, and the
/// parsers only produce times inside ``CivilTime/supportedSeconds``.
@Suite struct CivilTimeFuzzTests {
    /// Regression corpus: `RecordConsent` with `at = Int64.max` trapped in `CivilTime.unixSeconds`
    /// (`Int64(9.223372036854775807e18)` is out of range); these are its neighbours.
    static let outOfRangeSeconds: [Int64] = [
        .max, .min, .max - 1, .min + 1, 1 << 62, -(1 << 62), 9_007_199_254_740_993,
        CivilTime.supportedSeconds.upperBound + 1, CivilTime.supportedSeconds.lowerBound - 1,
    ]

    @Test("consent time outside 0001–9999 is refused by recordConsent and nothing is stored",
          arguments: outOfRangeSeconds)
    func recordConsentRefusesOutOfRangeTime(_ seconds: Int64) async throws {
        let node = try await TestNode.make()
        defer { node.cleanup() }
        let before = try node.snapshot().content
        let auditedBefore = await node.audit.events.count
        let error = await #expect(throws: StoreError.self) {
            try await node.store.recordConsent(
                customerID: "c1", purpose: .segmentation, action: .grant,
                at: Date(timeIntervalSince1970: TimeInterval(seconds)), audit: node.audit)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("consent time (at)") == true)
        #expect(try node.snapshot().content == before)
        #expect(await node.audit.events.count == auditedBefore)
    }

    @Test("checkedDate refuses unix seconds outside 0001–9999", arguments: outOfRangeSeconds)
    func checkedDateRefusesOutOfRange(_ seconds: Int64) {
        let error = #expect(throws: StoreError.self) { try CivilTime.checkedDate(unixSeconds: seconds, what: "RecordConsent.at") }
        #expect(error?.message.contains("RecordConsent.at: \(seconds) unix seconds") == true)
    }

    @Test("the ends of the supported range are accepted and formatted with four-digit years")
    func supportedRangeEnds() throws {
        let low = CivilTime.supportedSeconds.lowerBound, high = CivilTime.supportedSeconds.upperBound
        #expect(CivilTime.iso8601(unixSeconds: low) == "0001-01-01T00:00:00Z")
        #expect(CivilTime.iso8601(unixSeconds: high) == "9999-12-31T23:59:59Z")
        #expect(CivilTime.parseTimestamp("0001-01-01T00:00:00Z") == low)
        #expect(CivilTime.parseTimestamp("9999-12-31T23:59:59Z") == high)
        #expect(try CivilTime.checkedUnixSeconds(CivilTime.checkedDate(unixSeconds: high, what: "t"), what: "t") == high)
    }

    @Test("formatting and saturating conversions never trap on any Int64 or Double")
    func conversionsNeverTrap() throws {
        try FuzzCampaign("civil time conversions", seed: 0xC1_7111, iterations: 20_000).run { c in
            let seconds = c.random.edgeInt64()
            let text = CivilTime.iso8601(unixSeconds: seconds)
            if CivilTime.supportedSeconds.contains(seconds) {
                try c.require(CivilTime.parseTimestamp(text) == seconds, "iso8601(\(seconds)) = \(text) does not parse back")
            }
            let interval = c.random.oneIn(2) ? c.random.edgeDouble() : Double(seconds)
            let date = Date(timeIntervalSince1970: interval)
            let clamped = CivilTime.unixSeconds(date)
            try c.require(CivilTime.supportedSeconds.contains(clamped), "unixSeconds(\(interval)) = \(clamped) is outside the supported range")
            do {
                let checked = try CivilTime.checkedUnixSeconds(date, what: "t")
                try c.require(checked == clamped, "checked and saturating conversions differ for \(interval)")
            } catch let error as StoreError {
                try c.require(error.code == .invalidArgument, "unexpected error \(error)")
            }
            _ = CivilTime.isoDate(days: Int(truncatingIfNeeded: seconds) / 86_400)
        }
    }

    /// Regression corpus: a UTC offset moved the first and last hours of 0001–9999 outside the
    /// supported range, and `TimestampFormat.iso8601` returned those times instead of refusing them.
    @Test("mapped ISO 8601 times whose UTC instant leaves 0001–9999 are refused", arguments: [
        "0001-01-01T00:00:00+18:00", "0001-01-01T17:59:59+18:00", "0001-01-01 00:00+01:00",
        "9999-12-31T23:59:59-18:00", "9999-12-31T23:00:00-01:00", "9999-12-31T06:00:00-18",
    ])
    func mappedTimesOutsideRangeRefused(_ text: String) {
        #expect(throws: TimestampFormat.Problem.self) { try TimestampFormat.iso8601.parse(text) }
    }

    @Test("the ends of 0001–9999 with offsets that keep them inside are accepted")
    func mappedTimesAtRangeEndsAccepted() throws {
        #expect(try TimestampFormat.iso8601.parse("0001-01-01T18:00:00+18:00") == CivilTime.supportedSeconds.lowerBound)
        #expect(try TimestampFormat.iso8601.parse("9999-12-31T05:59:59-18:00") == CivilTime.supportedSeconds.upperBound)
    }

    @Test("random and mutated mapped timestamps parse to a supported time or a Problem, never trap")
    func mappedTimestampParsersNeverTrap() throws {
        let seeds: [(TimestampFormat, String)] = [
            (.iso8601, "2011-12-09T12:50:00.123Z"), (.iso8601, "0001-01-01 00:00+01:00"), (.iso8601, "9999-12-31T23:59:59-18:00"),
            (.dayFirst, "09/12/2011 12:50"), (.monthFirst, "12/9/2011 12:50:59"), (.yyyymmdd, "19970101"),
        ]
        let words = Self.dateWords + ["/", ".", ",", "+18:00", "-18", "+1900", "99", "9", "000"]
        try FuzzCampaign("mapped timestamp formats", seed: 0x7F_0001, iterations: 20_000).run { c in
            let (seedFormat, seed) = c.random.element(of: seeds)
            let format = c.random.oneIn(4) ? c.random.element(of: TimestampFormat.allCases) : seedFormat
            let bytes = FuzzMutation.mutate(text: seed, using: &c.random, dictionary: words)
            c.input(bytes)
            do {
                let seconds = try bytes.withUnsafeBufferPointer { (p) throws(TimestampFormat.Problem) -> Int64 in try format.parse(p) }
                try c.require(CivilTime.supportedSeconds.contains(seconds), "\(format.rawValue) parsed \(seconds), outside the supported range")
            } catch let problem as TimestampFormat.Problem {
                _ = format.explain(String(decoding: bytes, as: UTF8.self), problem)
            }
        }
    }

    static let dateWords = ["-", ":", "T", "Z", " ", "0000", "9999", "99", "00", "29", "02", "\u{FF10}", "+01:00", ".5"]

    @Test("random and mutated date text parses to a supported time or nil, never traps")
    func parsersNeverTrap() throws {
        let seeds = ["2024-02-29T23:59:59Z", "0001-01-01 00:00:00", "9999-12-31", "1969-12-31T23:59:59Z"]
        try FuzzCampaign("civil time parsers", seed: 0xDA7E_5EED, iterations: 20_000).run { c in
            let bytes = c.random.oneIn(10) ? c.random.bytes(c.random.int(in: 0...24))
                : FuzzMutation.mutate(text: c.random.element(of: seeds), using: &c.random, dictionary: Self.dateWords)
            c.input(bytes)
            let timestamp = bytes.withUnsafeBufferPointer { CivilTime.parseTimestamp($0) }
            if let timestamp {
                try c.require(CivilTime.supportedSeconds.contains(timestamp), "parsed \(timestamp), outside the supported range")
            }
            if let days = bytes.withUnsafeBufferPointer({ CivilTime.parseDate($0) }) {
                try c.require(CivilTime.supportedSeconds.contains(Int64(days) * 86_400), "parsed day \(days), outside the supported range")
            }
            _ = CivilTime.dateProblem(String(decoding: bytes, as: UTF8.self), timestamp: c.random.oneIn(2))
            do {
                _ = try CivilTime.parseArgument(String(decoding: bytes, as: UTF8.self), option: "--at", endOfDay: c.random.oneIn(2))
            } catch let error as StoreError {
                try c.require(error.code == .invalidArgument, "unexpected error \(error)")
            }
        }
    }
}
