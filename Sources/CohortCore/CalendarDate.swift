/// A proleptic Gregorian calendar date written `YYYY-MM-DD` (UTC, no time of day), years 1–9999.
///
/// The one date type of specs, consent and the store's day arithmetic.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year, 1–9999.
    public let year: Int
    /// Month, 1–12.
    public let month: Int
    /// Day of month, 1–31 (valid for the month).
    public let day: Int

    /// Parses `YYYY-MM-DD`; returns nil if malformed or not a real date.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses `YYYY-MM-DD`.
    /// - Throws: ``CoreError/Code/invalidDate`` naming `what` and the text.
    public init(parsing text: String, what: String) throws {
        guard let date = CalendarDate(text) else {
            throw CoreError(.invalidDate, "\(what): '\(text)' is not a date YYYY-MM-DD between 0001-01-01 and 9999-12-31")
        }
        self = date
    }

    /// Creates a date from its parts; returns nil if it is not a real date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= CivilCalendar.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (negative before); nil outside years 1–9999.
    public init?(daysSinceEpoch days: Int) {
        guard days >= Self.minDays, days <= Self.maxDays else { return nil }
        let c = CivilCalendar.civil(ofDay: days)
        self.init(year: c.year, month: c.month, day: c.day)
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int { CivilCalendar.days(year: year, month: month, day: day) }

    /// 0001-01-01 in days since the epoch.
    public static let minDays = -719_162
    /// 9999-12-31 in days since the epoch.
    public static let maxDays = 2_932_896

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Chronological order.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension CalendarDate: Codable {
    /// Decodes from a `YYYY-MM-DD` string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a date YYYY-MM-DD, got '\(text)'")
        }
        self = date
    }

    /// Encodes as a `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
