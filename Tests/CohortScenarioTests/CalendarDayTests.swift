import CohortScenario
import Testing

@Suite("Synthetic.CalendarDay")
struct CalendarDayTests {
    @Test(arguments: [
        ("1970-01-01", Int32(0)), ("1969-12-31", -1), ("2000-03-01", 11_017), ("2024-02-29", 19_782),
        ("2026-06-30", 20_634),
    ])
    func knownDates(text: String, days: Int32) throws {
        let day = try Synthetic.CalendarDay(parsing: text)
        #expect(day.daysSinceEpoch == days)
        #expect(day.description == text)
    }

    @Test func weekdayOfDefaultAsOfIsTuesday() {
        #expect(Synthetic.Generator.defaultAsOf.weekday == 1)
        #expect(Synthetic.Generator.defaultAsOf.description == "2026-06-30")
    }

    @Test func roundTripsEveryDayOfFourYears() {
        for d in Int32(19_000)..<Int32(20_461) {
            let day = Synthetic.CalendarDay(daysSinceEpoch: d)
            let (y, m, dd) = day.components
            #expect((try? Synthetic.CalendarDay(year: y, month: m, day: dd))?.daysSinceEpoch == d)
        }
    }

    @Test(arguments: ["2026-02-30", "2026-6-30", "2026/06/30", "abcd-ef-gh", "", "2026-13-01", "2023-02-29"])
    func rejectsInvalidDates(text: String) {
        #expect(throws: ScenarioError.self) { try Synthetic.CalendarDay(parsing: text) }
    }
}
