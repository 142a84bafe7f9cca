import CohortAnalytics
public import Foundation

/// Calendar arithmetic and hand-written ISO 8601 parsing for the import hot path
/// (no `DateFormatter`, no allocation). Proleptic Gregorian calendar, UTC.
public enum CivilTime {
    /// Days from 1970-01-01 to `year-month-day` (``Analytics/CivilDay/days(year:month:day:)``). O(1).
    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        Analytics.CivilDay.days(year: year, month: month, day: day)
    }

    /// `(year, month, day)` of a day number (inverse of ``daysFromCivil(year:month:day:)``).
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        Analytics.CivilDay.civil(ofDay: days)
    }

    /// Number of days in `month` of `year`.
    @inline(__always)
    public static func daysInMonth(year: Int, month: Int) -> Int {
        Analytics.CivilDay.daysInMonth(year: year, month: month)
    }

    @inline(__always)
    private static func digits(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int {
        var value = 0
        for i in from..<(from + count) {
            let d = Int(p[i]) &- 0x30
            if d < 0 || d > 9 { return -1 }
            value = value * 10 + d
        }
        return value
    }

    /// Parses `YYYY-MM-DD` (year 0001–9999) into days since 1970-01-01, or nil if the text
    /// is not in that form or names an impossible date (e.g. `2024-02-30`).
    @inline(__always)
    public static func parseDate(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        guard p.count == 10 else { return nil }
        return parseDatePrefix(p)
    }

    @inline(__always)
    private static func parseDatePrefix(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        guard p[4] == 0x2D, p[7] == 0x2D else { return nil }
        let year = digits(p, 0, 4), month = digits(p, 5, 2), day = digits(p, 8, 2)
        guard year >= 1, month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else {
            return nil
        }
        return daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses a UTC timestamp into unix seconds. Accepted forms: `YYYY-MM-DDTHH:MM:SSZ`,
    /// `YYYY-MM-DD HH:MM:SS` (UTC) and `YYYY-MM-DD` (midnight UTC). Returns nil for any
    /// other text or an impossible date/time.
    @inline(__always)
    public static func parseTimestamp(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = p.count
        if n == 10 {
            guard let days = parseDatePrefix(p) else { return nil }
            return Int64(days) * 86400
        }
        guard n == 20 || n == 19 else { return nil }
        if n == 20 {
            guard p[10] == 0x54, p[19] == 0x5A else { return nil }
        } else {
            guard p[10] == 0x20 || p[10] == 0x54 else { return nil }
            if p[10] == 0x54 { return nil } // 'T' form requires the 'Z' (UTC) suffix
        }
        guard p[13] == 0x3A, p[16] == 0x3A, let days = parseDatePrefix(p) else { return nil }
        let h = digits(p, 11, 2), m = digits(p, 14, 2), s = digits(p, 17, 2)
        guard h >= 0, h <= 23, m >= 0, m <= 59, s >= 0, s <= 59 else { return nil }
        return Int64(days) * 86400 + Int64(h * 3600 + m * 60 + s)
    }

    /// Parses a string with ``parseTimestamp(_:)``.
    public static func parseTimestamp(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parseTimestamp($0) }
    }

    /// Parses a string with ``parseDate(_:)``.
    public static func parseDate(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { parseDate($0) }
    }

    /// Explains why `text` is not an accepted date or timestamp (slow path, for messages).
    static func dateProblem(_ text: String, timestamp: Bool) -> String {
        let expected = timestamp
            ? "expected YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DD HH:MM:SS or YYYY-MM-DD (UTC)"
            : "expected YYYY-MM-DD"
        let bytes = Array(text.utf8)
        if bytes.count >= 10,
           bytes[4] == 0x2D, bytes[7] == 0x2D,
           let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)),
           let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
           let day = Int(String(decoding: bytes[8..<10], as: UTF8.self)),
           bytes[0..<4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            if month < 1 || month > 12 {
                return "'\(text)' is an impossible date: month \(month) does not exist"
            }
            if day < 1 || day > daysInMonth(year: year, month: month) {
                return "'\(text)' is an impossible date: \(String(format: "%04d-%02d", year, month)) has \(daysInMonth(year: year, month: month)) days"
            }
            if year < 1 { return "'\(text)' is an impossible date: year 0000" }
            if timestamp && bytes.count > 20 && (bytes[19] == 0x2E || bytes[19] == 0x2B || bytes[19] == 0x2D),
               (try? TimestampFormat.iso8601.parse(text)) != nil {
                return "'\(text)' has fractional seconds or a UTC offset, which Cohort's own schema does not take (\(expected)); import the file with --map and a ts format of iso8601, which converts such times to UTC"
            }
            if timestamp && bytes.count >= 19 {
                return "'\(text)' is not a valid UTC time (\(expected); hours 00–23, minutes and seconds 00–59)"
            }
        }
        return "'\(text)' is not a valid \(timestamp ? "timestamp" : "date") (\(expected))"
    }

    /// The unix seconds every stored or accepted time must lie in:
    /// `0001-01-01T00:00:00Z` … `9999-12-31T23:59:59Z`, the range ``parseTimestamp(_:)`` can
    /// produce and ``iso8601(unixSeconds:)`` writes with a four-digit year.
    public static let supportedSeconds: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// The supported range as text, for error messages.
    static let supportedRangeText = "0001-01-01T00:00:00Z…9999-12-31T23:59:59Z"

    /// Converts unix seconds to a `Date` (exact for every Int64; no range check).
    public static func date(unixSeconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(unixSeconds))
    }

    /// Converts unix seconds from outside (a request field, a file) to a `Date`.
    /// - Parameter what: names the value and where it came from, for the message.
    /// - Throws: ``StoreError`` `.invalidArgument` when `unixSeconds` is outside ``supportedSeconds``.
    public static func checkedDate(unixSeconds: Int64, what: String) throws -> Date {
        guard supportedSeconds.contains(unixSeconds) else {
            throw StoreError(.invalidArgument, "\(what): \(unixSeconds) unix seconds is outside the supported times \(supportedRangeText)")
        }
        return date(unixSeconds: unixSeconds)
    }

    /// Converts a `Date` from outside to whole unix seconds (rounded down).
    /// - Parameter what: names the value and where it came from, for the message.
    /// - Throws: ``StoreError`` `.invalidArgument` when the date is not finite or lies outside
    ///   ``supportedSeconds``.
    public static func checkedUnixSeconds(_ date: Date, what: String) throws -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite,
              seconds >= Double(supportedSeconds.lowerBound), seconds <= Double(supportedSeconds.upperBound) else {
            throw StoreError(.invalidArgument, "\(what): \(date.timeIntervalSince1970) unix seconds is outside the supported times \(supportedRangeText)")
        }
        return Int64(seconds)
    }

    /// Converts a `Date` to whole unix seconds (rounded down), saturating: a date outside
    /// ``supportedSeconds`` (or not finite) is clamped to the nearest end of it, so this never
    /// traps. Use ``checkedUnixSeconds(_:what:)`` for values that will be stored. O(1).
    public static func unixSeconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        if seconds.isNaN || seconds < Double(supportedSeconds.lowerBound) { return supportedSeconds.lowerBound }
        if seconds > Double(supportedSeconds.upperBound) { return supportedSeconds.upperBound }
        return Int64(seconds)
    }

    /// Formats unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (any Int64: years beyond 9999 or before
    /// 0001 are written with more digits or a sign; never traps).
    public static func iso8601(unixSeconds: Int64) -> String {
        let (quotient, remainder) = unixSeconds.quotientAndRemainder(dividingBy: 86400)
        let days = Int(remainder < 0 ? quotient - 1 : quotient)
        let secs = Int(remainder < 0 ? remainder + 86400 : remainder)
        let (y, m, d) = civilFromDays(days)
        return String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ldZ", y, m, d, secs / 3600, (secs / 60) % 60, secs % 60)
    }

    /// Formats a day number as `YYYY-MM-DD`.
    public static func isoDate(days: Int) -> String {
        let (y, m, d) = civilFromDays(days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
