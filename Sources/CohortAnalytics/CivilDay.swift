public import CohortCore

extension Analytics {
    /// Conversion between day numbers (days since 1970-01-01, UTC) and proleptic Gregorian
    /// calendar dates. The arithmetic is ``CohortCore/CivilCalendar``'s (Howard Hinnant's
    /// `civil_from_days` / `days_from_civil`); this adds timestamps and `YYYY-MM-DD` text.
    public enum CivilDay {
        /// Seconds per day; transaction timestamps are converted to days by floor division.
        public static let secondsPerDay: Int64 = 86_400

        /// The day number containing the UTC timestamp `seconds` (floor division, so times before
        /// 1970 map to negative days correctly).
        @inlinable
        public static func day(ofTimestamp seconds: Int64) -> Int64 {
            let q = seconds / secondsPerDay
            return (seconds % secondsPerDay < 0) ? q - 1 : q
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date, without range checks
        /// (``CohortCore/CivilCalendar/days(year:month:day:)``). O(1).
        @inlinable
        public static func days(year: Int, month: Int, day: Int) -> Int {
            CivilCalendar.days(year: year, month: month, day: day)
        }

        /// The proleptic Gregorian date of a day number
        /// (``CohortCore/CivilCalendar/civil(ofDay:)``). O(1).
        @inlinable
        public static func civil(ofDay days: Int) -> (year: Int, month: Int, day: Int) {
            CivilCalendar.civil(ofDay: days)
        }

        /// Number of days in `month` (1–12) of `year` (proleptic Gregorian).
        @inlinable
        public static func daysInMonth(year: Int, month: Int) -> Int {
            CivilCalendar.daysInMonth(year: year, month: month)
        }

        /// Year, month (1–12) and day of month (1–31) of day number `day`.
        public static func components(ofDay day: Int64) -> (year: Int64, month: Int, day: Int) {
            let c = civil(ofDay: Int(day))
            return (Int64(c.year), c.month, c.day)
        }

        /// Day number of the given calendar date, or `nil` if month/day are out of range.
        public static func day(year: Int64, month: Int, day: Int) -> Int64? {
            guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: Int(year), month: month) else { return nil }
            return Int64(days(year: Int(year), month: month, day: day))
        }

        /// `YYYY-MM-DD` for day number `day`.
        public static func isoString(ofDay day: Int64) -> String {
            let c = components(ofDay: day)
            func pad(_ v: Int, _ width: Int) -> String {
                let s = String(v)
                return String(repeating: "0", count: max(0, width - s.count)) + s
            }
            let year = c.year >= 0 ? pad(Int(c.year), 4) : "-" + pad(Int(-c.year), 4)
            return "\(year)-\(pad(c.month, 2))-\(pad(c.day, 2))"
        }

        /// Parses `YYYY-MM-DD` into a day number, or `nil` if malformed.
        public static func day(isoString text: String) -> Int64? {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int64(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
            else { return nil }
            return day(year: y, month: m, day: d)
        }
    }
}
