/// A calendar date with no time of day and no time zone (proleptic Gregorian).
///
/// Month arithmetic clamps to the end of the month: 2024-01-31 plus one month is
/// 2024-02-29, and 2023-01-31 plus one month is 2023-02-28.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Year, 1...9999.
    public let year: Int
    /// Month, 1...12.
    public let month: Int
    /// Day of month, 1...31.
    public let day: Int

    /// A valid date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day), reading the
    /// string's UTF-8 in place (dates are parsed for every fact row).
    public init?(iso text: String) {
        var text = text
        guard let date = text.withUTF8(Self.parseISO) else { return nil }
        self = date
    }

    private static func parseISO(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard bytes[i] >= 0x30, bytes[i] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    /// The date `days` days after 1970-01-01 (negative before), if in range.
    public init?(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(year: y, month: m, day: d)
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO text `YYYY-MM-DD`.
    public var description: String {
        var digits: [UInt8] = []
        digits.reserveCapacity(12)
        writeQuoted(to: &digits)
        return String(decoding: digits[1..<11], as: UTF8.self)
    }

    /// Appends `"YYYY-MM-DD"` (with the quotes) to JSON being written: dates are written
    /// millions of times in a nightly run, so from digits directly.
    func writeQuoted(to out: inout [UInt8]) {
        out.append(34)
        out.append(UInt8(48 + year / 1000 % 10)); out.append(UInt8(48 + year / 100 % 10))
        out.append(UInt8(48 + year / 10 % 10)); out.append(UInt8(48 + year % 10)); out.append(45)
        out.append(UInt8(48 + month / 10)); out.append(UInt8(48 + month % 10)); out.append(45)
        out.append(UInt8(48 + day / 10)); out.append(UInt8(48 + day % 10))
        out.append(34)
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in a month of a year.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The date `n` days later (earlier when negative), or nil outside years 1...9999.
    public func adding(days n: Int) -> CalendarDate? {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + n)
    }

    /// The date `n` months later, the day clamped to the month's end; nil out of range.
    public func adding(months n: Int) -> CalendarDate? {
        let total = year * 12 + (month - 1) + n
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        guard (1...9999).contains(y) else { return nil }
        return CalendarDate(year: y, month: m, day: min(day, CalendarDate.daysInMonth(year: y, month: m)))
    }

    /// The date `n` years later; February 29 becomes February 28 in a common year.
    public func adding(years n: Int) -> CalendarDate? {
        let (months, overflow) = n.multipliedReportingOverflow(by: 12)
        return overflow ? nil : adding(months: months)
    }

    /// The last day of this date's month.
    public var endOfMonth: CalendarDate {
        CalendarDate(year: year, month: month, day: CalendarDate.daysInMonth(year: year, month: month)) ?? self
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: CalendarDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// Day of week, 0 = Sunday ... 6 = Saturday.
    public var dayOfWeek: Int {
        let d = daysSinceEpoch
        return ((d % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
    }

    /// Day of year, 1-based.
    public var dayOfYear: Int {
        (CalendarDate(year: year, month: 1, day: 1)?.days(until: self) ?? 0) + 1
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
