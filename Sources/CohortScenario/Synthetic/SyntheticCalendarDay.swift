import CohortAnalytics
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

        static func daysInMonth(year: Int, month: Int) -> Int {
            Analytics.CivilDay.daysInMonth(year: year, month: month)
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date.
        static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
            Analytics.CivilDay.days(year: year, month: month, day: day)
        }

        /// Proleptic Gregorian date of a day count.
        static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
            Analytics.CivilDay.civil(ofDay: days)
        }
    }
}
