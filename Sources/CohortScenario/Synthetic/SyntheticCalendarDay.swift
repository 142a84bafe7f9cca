extension Synthetic {
    /// A calendar date in UTC, stored as days since 1970-01-01 (proleptic Gregorian).
    ///
    /// Conversions are done by hand (Hinnant's civil-date algorithms), independent of locale,
    /// time zone and `DateFormatter`.
    public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Days since 1970-01-01 (negative before).
        public var daysSinceEpoch: Int32

        /// Creates a day from a count of days since 1970-01-01.
        public init(daysSinceEpoch: Int32) {
            self.daysSinceEpoch = daysSinceEpoch
        }

        /// Creates a day from year, month (1–12) and day of month.
        ///
        /// - Throws: ``ScenarioError`` (`invalidArgument`) when the date does not exist or the
        ///   year is outside 1900–2199.
        public init(year: Int, month: Int, day: Int) throws {
            guard (1900...2199).contains(year) else {
                throw ScenarioError(.invalidArgument, "year \(year) is outside 1900–2199")
            }
            guard (1...12).contains(month) else {
                throw ScenarioError(.invalidArgument, "month \(month) is outside 1–12")
            }
            let length = Self.daysInMonth(year: year, month: month)
            guard (1...length).contains(day) else {
                throw ScenarioError(
                    .invalidArgument, "day \(day) does not exist in \(year)-\(month) (1–\(length))")
            }
            daysSinceEpoch = Int32(Self.daysFromCivil(year: year, month: month, day: day))
        }

        /// Parses a strict `YYYY-MM-DD` date.
        ///
        /// - Throws: ``ScenarioError`` (`invalidArgument`) naming the text when it is not a valid
        ///   date in that form.
        public init(parsing text: String) throws {
            let bytes = Array(text.utf8)
            func digits(_ range: Range<Int>) -> Int? {
                var value = 0
                for i in range {
                    let b = bytes[i]
                    guard b >= 48, b <= 57 else { return nil }
                    value = value * 10 + Int(b - 48)
                }
                return value
            }
            guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45,
                let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10)
            else {
                throw ScenarioError(.invalidArgument, "date '\(text)' is not of the form YYYY-MM-DD")
            }
            do {
                try self.init(year: year, month: month, day: day)
            } catch let error as ScenarioError {
                throw ScenarioError(.invalidArgument, "date '\(text)': \(error.message)")
            }
        }

        /// Year, month (1–12) and day of month.
        public var components: (year: Int, month: Int, day: Int) {
            Self.civil(fromDays: Int(daysSinceEpoch))
        }

        /// Day of the week, 0 = Monday … 6 = Sunday.
        public var weekday: Int {
            let w = (Int(daysSinceEpoch) + 3) % 7
            return w < 0 ? w + 7 : w
        }

        /// The date as `YYYY-MM-DD`.
        public var description: String {
            var buffer = ByteBuffer(capacity: 10)
            buffer.appendDate(days: daysSinceEpoch)
            return buffer.string
        }

        /// The day `n` days later (earlier for negative `n`).
        public func adding(days n: Int32) -> CalendarDay {
            CalendarDay(daysSinceEpoch: daysSinceEpoch + n)
        }

        /// Orders days chronologically.
        public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
            lhs.daysSinceEpoch < rhs.daysSinceEpoch
        }

        static func isLeap(_ year: Int) -> Bool {
            (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        }

        static func daysInMonth(year: Int, month: Int) -> Int {
            switch month {
            case 2: return isLeap(year) ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
        static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mp = (month + 9) % 12
            let doy = (153 * mp + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }

        /// Proleptic Gregorian date of a day count (Hinnant's `civil_from_days`).
        static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
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
    }
}
