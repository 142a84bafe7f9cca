/// The named date/time formats a mapping file can give for a timestamp or date column
/// (`format:`). Every format yields UTC unix seconds; times with a UTC offset are converted to
/// UTC, times without one are taken as UTC. Hand-written byte parsers: no `DateFormatter`, no
/// allocation on the import path.
public enum TimestampFormat: String, Sendable, Hashable, CaseIterable {
    /// ISO 8601 / RFC 3339: `YYYY-MM-DD`, optionally followed by `T` or a space and
    /// `HH:MM[:SS[.fraction]]`, optionally followed by `Z`, `±HH:MM`, `±HHMM` or `±HH`.
    /// Fractional seconds are dropped (rounded down). Examples: `2011-12-09T12:50:00.123Z`,
    /// `2011-12-09 12:50:00+01:00` (= 11:50 UTC), `2011-12-09 12:50`.
    case iso8601
    /// Day first: `D/M/YYYY` (1 or 2 digits for day and month; separator `/`, `.` or `-`),
    /// optionally followed by a space or `T` and `H:MM[:SS]`. Example: `09/12/2011 12:50`.
    case dayFirst = "day-first"
    /// Month first (US): `M/D/YYYY` with the same rules. Example: `12/9/2011 12:50`.
    case monthFirst = "month-first"
    /// `YYYYMMDD` (8 digits, midnight UTC), as in the CDNOW purchase log. Example: `19970101`.
    case yyyymmdd

    /// Why a text does not parse.
    public enum Problem: Error, Equatable, Sendable {
        /// The text is not in the format.
        case malformed
        /// The text is in the format but names a date or time that does not exist (the reason).
        case impossible(String)
    }

    /// An example and pattern, for messages.
    public var pattern: String {
        switch self {
        case .iso8601: return "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]"
        case .dayFirst: return "D/M/YYYY[ H:MM[:SS]]"
        case .monthFirst: return "M/D/YYYY[ H:MM[:SS]]"
        case .yyyymmdd: return "YYYYMMDD"
        }
    }

    /// Parses `p` into UTC unix seconds. O(length).
    public func parse(_ p: UnsafeBufferPointer<UInt8>) throws(Problem) -> Int64 {
        switch self {
        case .iso8601: return try Self.parseISO(p)
        case .dayFirst: return try Self.parseSlashed(p, dayFirst: true)
        case .monthFirst: return try Self.parseSlashed(p, dayFirst: false)
        case .yyyymmdd:
            guard p.count == 8 else { throw .malformed }
            let y = Self.digits(p, 0, 4), m = Self.digits(p, 4, 2), d = Self.digits(p, 6, 2)
            guard y >= 0, m >= 0, d >= 0 else { throw .malformed }
            return try Self.seconds(year: y, month: m, day: d, hour: 0, minute: 0, second: 0)
        }
    }

    /// Parses a string with ``parse(_:)``.
    public func parse(_ text: String) throws(Problem) -> Int64 {
        var copy = text
        let result: Result<Int64, Problem> = copy.withUTF8 { bytes in
            do throws(Problem) { return .success(try parse(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The reason a text fails, for an import error.
    public func explain(_ text: String, _ problem: Problem) -> String {
        switch problem {
        case .malformed: return "'\(text)' is not a time in format \(rawValue) (\(pattern))"
        case .impossible(let why): return "'\(text)' is an impossible date or time in format \(rawValue): \(why)"
        }
    }

    @inline(__always)
    private static func digits(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int {
        guard from + count <= p.count else { return -1 }
        var value = 0
        for i in from..<(from + count) {
            let d = Int(p[i]) &- 0x30
            if d < 0 || d > 9 { return -1 }
            value = value * 10 + d
        }
        return value
    }

    /// Reads 1–`maxCount` digits at `i`; returns the value and the index after them.
    @inline(__always)
    private static func number(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, maxCount: Int) -> (Int, Int)? {
        var j = i
        var value = 0
        while j < p.count, j - i < maxCount, p[j] >= 0x30, p[j] <= 0x39 {
            value = value * 10 + Int(p[j] - 0x30)
            j += 1
        }
        return j > i ? (value, j) : nil
    }

    private static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) throws(Problem) -> Int64 {
        guard year >= 1, year <= 9999 else { throw .impossible("year \(year) is outside 0001–9999") }
        guard month >= 1, month <= 12 else { throw .impossible("month \(month) does not exist") }
        let monthDays = CivilTime.daysInMonth(year: year, month: month)
        guard day >= 1, day <= monthDays else {
            throw .impossible("\(year)-\(month < 10 ? "0" : "")\(month) has \(monthDays) days")
        }
        guard hour <= 23 else { throw .impossible("hour \(hour) does not exist (00–23)") }
        guard minute <= 59 else { throw .impossible("minute \(minute) does not exist (00–59)") }
        guard second <= 59 else { throw .impossible("second \(second) does not exist (00–59)") }
        return Int64(CivilTime.daysFromCivil(year: year, month: month, day: day)) * 86400
            + Int64(hour * 3600 + minute * 60 + second)
    }

    /// `H:MM[:SS]` or `HH:MM[:SS[.fff]]` at `i`; returns the seconds of the day's parts and the next index.
    private static func time(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, fraction: Bool) throws(Problem) -> (Int, Int, Int, Int) {
        guard let (hour, a) = number(p, i, maxCount: 2), a < p.count, p[a] == 0x3A else { throw .malformed }
        let minute = digits(p, a + 1, 2)
        guard minute >= 0 else { throw .malformed }
        var j = a + 3
        var second = 0
        if j < p.count, p[j] == 0x3A {
            second = digits(p, j + 1, 2)
            guard second >= 0 else { throw .malformed }
            j += 3
            if fraction, j < p.count, p[j] == 0x2E || p[j] == 0x2C {
                j += 1
                let start = j
                while j < p.count, p[j] >= 0x30, p[j] <= 0x39 { j += 1 }
                guard j > start else { throw .malformed }
            }
        }
        return (hour, minute, second, j)
    }

    private static func parseISO(_ p: UnsafeBufferPointer<UInt8>) throws(Problem) -> Int64 {
        guard p.count >= 10, p[4] == 0x2D, p[7] == 0x2D else { throw .malformed }
        let year = digits(p, 0, 4), month = digits(p, 5, 2), day = digits(p, 8, 2)
        guard year >= 0, month >= 0, day >= 0 else { throw .malformed }
        var hour = 0, minute = 0, second = 0
        var i = 10
        if i < p.count {
            guard p[i] == 0x54 || p[i] == 0x20 else { throw .malformed }
            guard i + 1 < p.count, p[i + 1] >= 0x30, p[i + 1] <= 0x39, i + 3 < p.count, p[i + 3] == 0x3A else { throw .malformed }
            (hour, minute, second, i) = try time(p, i + 1, fraction: true)
        }
        var offset = 0
        if i < p.count {
            if p[i] == 0x5A || p[i] == 0x7A {
                i += 1
            } else if p[i] == 0x2B || p[i] == 0x2D {
                let sign = p[i] == 0x2D ? -1 : 1
                let oh = digits(p, i + 1, 2)
                guard oh >= 0 else { throw .malformed }
                var om = 0
                var j = i + 3
                if j < p.count && p[j] == 0x3A { j += 1 }
                if j < p.count {
                    om = digits(p, j, 2)
                    guard om >= 0 else { throw .malformed }
                    j += 2
                }
                guard oh <= 18, om <= 59 else { throw .impossible("UTC offset beyond ±18:00") }
                offset = sign * (oh * 3600 + om * 60)
                i = j
            }
        }
        guard i == p.count else { throw .malformed }
        let local = try seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        let utc = local - Int64(offset)
        // A UTC offset can move the first and last hours of 0001–9999 outside that range.
        guard CivilTime.supportedSeconds.contains(utc) else {
            throw .impossible("in UTC it falls outside \(CivilTime.supportedRangeText)")
        }
        return utc
    }

    private static func parseSlashed(_ p: UnsafeBufferPointer<UInt8>, dayFirst: Bool) throws(Problem) -> Int64 {
        guard let (first, a) = number(p, 0, maxCount: 2), a < p.count else { throw .malformed }
        let separator = p[a]
        guard separator == 0x2F || separator == 0x2E || separator == 0x2D else { throw .malformed }
        guard let (second, b) = number(p, a + 1, maxCount: 2), b < p.count, p[b] == separator else { throw .malformed }
        let year = digits(p, b + 1, 4)
        guard year >= 0 else { throw .malformed }
        var i = b + 5
        var hour = 0, minute = 0, sec = 0
        if i < p.count {
            guard p[i] == 0x20 || p[i] == 0x54 else { throw .malformed }
            (hour, minute, sec, i) = try time(p, i + 1, fraction: false)
        }
        guard i == p.count else { throw .malformed }
        let (day, month) = dayFirst ? (first, second) : (second, first)
        return try seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: sec)
    }
}
