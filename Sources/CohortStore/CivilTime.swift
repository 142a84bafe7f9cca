import CohortAnalytics
import Foundation

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
            if timestamp && bytes.count >= 19 {
                return "'\(text)' is not a valid UTC time (\(expected); hours 00–23, minutes and seconds 00–59)"
            }
        }
        return "'\(text)' is not a valid \(timestamp ? "timestamp" : "date") (\(expected))"
    }

    /// Converts unix seconds to a `Date`.
    public static func date(unixSeconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(unixSeconds))
    }

    /// Converts a `Date` to whole unix seconds (rounded down).
    public static func unixSeconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Formats unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func iso8601(unixSeconds: Int64) -> String {
        let days = Int(unixSeconds >= 0 ? unixSeconds / 86400 : (unixSeconds - 86399) / 86400)
        let secs = Int(unixSeconds - Int64(days) * 86400)
        let (y, m, d) = civilFromDays(days)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, secs / 3600, (secs / 60) % 60, secs % 60)
    }

    /// Formats a day number as `YYYY-MM-DD`.
    public static func isoDate(days: Int) -> String {
        let (y, m, d) = civilFromDays(days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
