extension Analytics {
    /// Conversion between day numbers (days since 1970-01-01, UTC) and proleptic Gregorian
    /// calendar dates, using Howard Hinnant's `civil_from_days` / `days_from_civil` algorithms.
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

        /// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`),
        /// without range checks: the one implementation every module uses. O(1).
        @inlinable
        public static func days(year: Int, month: Int, day: Int) -> Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mp = (month + 9) % 12
            let doy = (153 * mp + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }

        /// The proleptic Gregorian date of a day number (Hinnant's `civil_from_days`). O(1).
        @inlinable
        public static func civil(ofDay days: Int) -> (year: Int, month: Int, day: Int) {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
        }

        /// Number of days in `month` (1–12) of `year` (proleptic Gregorian).
        @inlinable
        public static func daysInMonth(year: Int, month: Int) -> Int {
            switch month {
            case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
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
