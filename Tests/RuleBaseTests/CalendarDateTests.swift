import RuleBase
import Testing

@Suite struct CalendarDateTests {
    @Test(arguments: [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2025-12-15", 2, "2026-02-15"),
        ("2025-02-01", 24, "2027-02-01"),
    ])
    func monthArithmeticClamps(start: String, months: Int, expected: String) throws {
        let date = try #require(CalendarDate(iso: start))
        #expect(date.adding(months: months)?.description == expected)
    }

    @Test func roundTripsThroughEpochDays() throws {
        for days in stride(from: -719_000, through: 2_900_000, by: 997) {
            let date = try #require(CalendarDate(daysSinceEpoch: days))
            #expect(date.daysSinceEpoch == days)
            #expect(CalendarDate(iso: date.description) == date)
        }
        #expect(CalendarDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate(iso: "1970-01-01")?.dayOfWeek == 4)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "24-01-01", "2024-1-01", "2024-01-01T00:00", "", "abcd-ef-gh"])
    func rejectsInvalidText(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func leapDayPlusAYear() throws {
        #expect(try #require(CalendarDate(iso: "2024-02-29")).adding(years: 1)?.description == "2025-02-28")
    }
}

@Suite struct CalendarDateRangeTests {
    @Test func outsideYearsOneToNineThousandNineHundredNinetyNineIsNil() {
        #expect(CalendarDate(daysSinceEpoch: -800_000) == nil)
        #expect(CalendarDate(iso: "0000-01-01") == nil)
        #expect(CalendarDate(iso: "9999-12-31")?.adding(days: 1) == nil)
    }
}
