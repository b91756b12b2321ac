public import RuleBase

/// A CME window decoupled from the renewal (`window:` on a `cme_hours` requirement,
/// `Grammar/pack-language.md` §3.9): it ends some time before the credential's expiration, and
/// its last day is the requirement's deadline.
public struct CMEWindow: Sendable, Hashable {
    /// Length of the window in months.
    public var months: Int
    /// How the window's last day is found from the expiration date.
    public var end: End

    /// How a decoupled window's last day is found.
    public enum End: Sendable, Hashable {
        /// The expiration date minus this many days (NC: the day before the birthday, 31 days
        /// before a registration due 30 days after it).
        case daysBeforeExpiration(Int)
        /// The latest date with this month and day on or before the expiration date (NH: the
        /// December 31 before a June 30 expiry).
        case monthDay(month: Int, day: Int)
        /// Fixed statewide cycles of `months` counted from this date; the window is the latest
        /// cycle that closed on or before the expiration date, due only at the first renewal after
        /// it closed (KY: 3-year cycles from 1994-01-01).
        case cyclesFrom(CalendarDate)
    }

    /// Creates a window.
    public init(months: Int, end: End) {
        self.months = months
        self.end = end
    }

    /// The window for a credential expiring on `expiration`: its first and last day, or nil when
    /// no window closed by then (a fixed cycle not yet complete) or the dates leave the calendar.
    public func bounds(expiringOn expiration: CalendarDate) -> (start: CalendarDate, last: CalendarDate)? {
        let last: CalendarDate
        switch end {
        case .daysBeforeExpiration(let days):
            guard let d = expiration.adding(days: -days) else { return nil }
            last = d
        case .monthDay(let month, let day):
            guard let same = CalendarDate(year: expiration.year, month: month, day: day) else { return nil }
            if same <= expiration {
                last = same
            } else {
                guard let before = CalendarDate(year: expiration.year - 1, month: month, day: day) else { return nil }
                last = before
            }
        case .cyclesFrom(let anchor):
            return Self.closedCycle(anchor: anchor, months: months, onOrBefore: expiration)
        }
        // The window is the `months` that close the day after `last` (NC: 36 months to the birthday).
        guard months >= 1, let start = last.adding(days: 1)?.adding(months: -months) else { return nil }
        return (start, last)
    }

    /// The latest cycle [anchor + k·months, anchor + (k+1)·months − 1 day], k ≥ 0, whose last day
    /// is on or before `date`.
    static func closedCycle(anchor: CalendarDate, months: Int, onOrBefore date: CalendarDate)
        -> (start: CalendarDate, last: CalendarDate)?
    {
        guard months >= 1, let dayAfter = date.adding(days: 1), anchor < dayAfter else { return nil }
        let elapsed = (dayAfter.year - anchor.year) * 12 + (dayAfter.month - anchor.month)
        var k = elapsed / months
        // The month count may overshoot by one cycle when the day of month has not been reached.
        while k >= 1 {
            guard let next = anchor.adding(months: k * months) else { return nil }
            if next <= dayAfter { break }
            k -= 1
        }
        guard k >= 1, let start = anchor.adding(months: (k - 1) * months),
              let nextStart = anchor.adding(months: k * months), let last = nextStart.adding(days: -1) else { return nil }
        return (start, last)
    }
}

extension CMEWindow {
    /// How the window was placed, for the trace and `explain`.
    public var placementDescription: String {
        switch end {
        case .daysBeforeExpiration(let days): "the \(months) months ending \(days) days before the expiration date"
        case .monthDay(let month, let day): "the \(months) months ending on the last \(Self.monthDayText(month: month, day: day)) on or before the expiration date"
        case .cyclesFrom(let anchor): "the latest closed \(months)-month CME cycle counted from \(anchor)"
        }
    }

    var json: JSONValue {
        var m: [(String, JSONValue)] = [("months", .int(months))]
        switch end {
        case .daysBeforeExpiration(let days): m.append(("ends_days_before_expiration", .int(days)))
        case .monthDay(let month, let day): m.append(("ends_on", .string(Self.monthDayText(month: month, day: day))))
        case .cyclesFrom(let anchor): m.append(("cycles_from", .string(anchor.description)))
        }
        return .object(m)
    }

    /// `MM-DD`, as packs write it.
    public static func monthDayText(month: Int, day: Int) -> String {
        (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }

    /// Parses `MM-DD` (a day that exists in a leap year is accepted only when it exists every year).
    public static func parseMonthDay(_ text: String) -> (month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let month = Int(parts[0]), let day = Int(parts[1]),
              (1...12).contains(month), day >= 1, day <= CalendarDate.daysInMonth(year: 2001, month: month) else { return nil }
        return (month, day)
    }

    init(_ v: JSONValue, path: String) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: path).asObject()
        let months = try r.int("months")
        if let days = try r.optionalInt("ends_days_before_expiration") {
            self.init(months: months, end: .daysBeforeExpiration(days))
        } else if let text = try r.optionalString("ends_on") {
            guard let md = Self.parseMonthDay(text) else {
                throw RuleVersionDecodingError(path: path + ".ends_on", message: "not a MM-DD month and day: \(text)")
            }
            self.init(months: months, end: .monthDay(month: md.month, day: md.day))
        } else if let anchor = try r.optionalDate("cycles_from") {
            self.init(months: months, end: .cyclesFrom(anchor))
        } else {
            throw RuleVersionDecodingError(path: path, message: "a window needs ends_days_before_expiration, ends_on or cycles_from")
        }
    }
}
