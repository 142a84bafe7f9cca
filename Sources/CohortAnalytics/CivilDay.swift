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

        /// Year, month (1–12) and day of month (1–31) of day number `day`.
        public static func components(ofDay day: Int64) -> (year: Int64, month: Int, day: Int) {
            let z = day + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
            let y = yoe + era * 400
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            return (m <= 2 ? y + 1 : y, Int(m), Int(d))
        }

        /// Day number of the given calendar date, or `nil` if month/day are out of range.
        public static func day(year: Int64, month: Int, day: Int) -> Int64? {
            guard (1...12).contains(month), day >= 1 else { return nil }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard day <= lengths[month - 1] else { return nil }
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mm = Int64(month)
            let doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + Int64(day) - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
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
