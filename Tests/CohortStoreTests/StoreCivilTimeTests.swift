import Testing
@testable import CohortStore

@Suite("CivilTime")
struct StoreCivilTimeTests {
    @Test("known day numbers", arguments: [
        ("1970-01-01", 0), ("1970-01-02", 1), ("1969-12-31", -1), ("2000-03-01", 11017),
        ("2024-02-29", 19782), ("2000-02-29", 11016), ("9999-12-31", 2932896), ("0001-01-01", -719162),
    ])
    func knownDays(text: String, days: Int) {
        #expect(CivilTime.parseDate(text) == days)
        #expect(CivilTime.isoDate(days: days) == text)
    }

    @Test("impossible or malformed dates are rejected", arguments: [
        "2024-02-30", "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
        "0000-01-01", "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01x", "", "abcd-ef-gh", "2024-01-0a",
    ])
    func badDates(text: String) {
        #expect(CivilTime.parseDate(text) == nil)
    }

    @Test("timestamp forms", arguments: [
        ("2024-03-01T12:34:56Z", Int64(1_709_296_496)), ("2024-03-01 12:34:56", 1_709_296_496),
        ("2024-03-01", 1_709_251_200), ("1970-01-01T00:00:00Z", 0), ("1969-12-31T23:59:59Z", -1),
    ])
    func timestamps(text: String, seconds: Int64) {
        #expect(CivilTime.parseTimestamp(text) == seconds)
        if text.count == 20 { #expect(CivilTime.iso8601(unixSeconds: seconds) == text) }
    }

    @Test("bad timestamps are rejected", arguments: [
        "2024-03-01T24:00:00Z", "2024-03-01T12:60:00Z", "2024-03-01T12:00:60Z", "2024-03-01T12:00:00",
        "2024-03-01T12:00:00+01:00", "2024-02-30T00:00:00Z", "2024-03-01 12:00", "2024-03-01Z",
    ])
    func badTimestamps(text: String) {
        #expect(CivilTime.parseTimestamp(text) == nil)
    }

    @Test("civil round trip over 1600–2400")
    func roundTrip() {
        var expected = CivilTime.daysFromCivil(year: 1600, month: 1, day: 1)
        for year in 1600...2400 {
            for month in 1...12 {
                for day in 1...CivilTime.daysInMonth(year: year, month: month) {
                    let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
                    #expect(days == expected)
                    expected += 1
                    let back = CivilTime.civilFromDays(days)
                    if back.year != year || back.month != month || back.day != day {
                        Issue.record("round trip failed for \(year)-\(month)-\(day)")
                        return
                    }
                }
            }
        }
    }

    @Test("impossible date message names the reason")
    func message() {
        #expect(CivilTime.dateProblem("2024-02-30", timestamp: false).contains("impossible date"))
        #expect(CivilTime.dateProblem("2024-02-30", timestamp: false).contains("29 days"))
    }
}
