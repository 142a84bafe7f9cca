import CohortAnalytics
extension Study {
    /// A proleptic Gregorian calendar date written `YYYY-MM-DD` (UTC, no time of day).
    public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Year, 1–9999.
        public var year: Int
        /// Month, 1–12.
        public var month: Int
        /// Day of month, 1–31 (valid for the month).
        public var day: Int

        /// Parses `YYYY-MM-DD`; returns nil if malformed or not a real date.
        public init?(_ text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            self.init(year: y, month: m, day: d)
        }

        /// Creates a date from its parts; returns nil if it is not a real date.
        public init?(year: Int, month: Int, day: Int) {
            guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return nil }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard day <= lengths[month - 1] else { return nil }
            self.year = year
            self.month = month
            self.day = day
        }

        /// Days since 1970-01-01 (negative before), by Howard Hinnant's `days_from_civil`.
        public var daysSinceEpoch: Int {
            Analytics.CivilDay.days(year: year, month: month, day: day)
        }

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
}

extension Study.CalendarDate: Codable {
    /// Decodes from a `YYYY-MM-DD` string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = Study.CalendarDate(text) else {
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
