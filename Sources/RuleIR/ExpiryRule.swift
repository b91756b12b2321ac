public import RuleBase

/// The date a board's rule gives a credential's expiration (`expiry:` on a `credential_current`
/// requirement, `Grammar/pack-language.md` §3.12): September 30 of even years for surnames A–L (MD),
/// the last day of the birth month in years of the birth year's parity (DC, ME), December 31 of even
/// years (AK). The stored `expiration_date` stays the one the evaluation uses; the rule only says
/// whether the record agrees with it.
public struct ExpiryRule: Sendable, Hashable {
    /// The day of the year a credential expires on.
    public enum Day: Sendable, Hashable {
        /// A fixed month and day (never February 29).
        case fixed(month: Int, day: Int)
        /// The last day of the holder's birth month (needs `providers.date_of_birth`).
        case endOfBirthMonth
        /// The holder's birthday (needs `providers.date_of_birth`): WA, MA, AZ, ND. A February 29
        /// birthday falls on February 28 in common years (the MA board's reading; no source says
        /// March 1).
        case birthday
        /// Any day of the holder's birth month (needs `providers.date_of_birth`): the rule names the
        /// month and not the day ("renew biennially during the birth month", VA).
        case birthMonth
    }

    /// Even- or odd-numbered years.
    public enum Parity: String, Sendable, Hashable, CaseIterable {
        case even, odd

        func admits(_ year: Int) -> Bool { (year % 2 == 0) == (self == .even) }
    }

    /// One range of surname initials and the years it expires in (`A-L: even`).
    public struct SurnameRange: Sendable, Hashable {
        /// First and last initial of the range (uppercase letters, both inclusive).
        public var first: Character
        public var last: Character
        /// The years licensees of the range expire in.
        public var parity: Parity

        /// Creates a range.
        public init(first: Character, last: Character, parity: Parity) {
            self.first = first
            self.last = last
            self.parity = parity
        }

        /// `A-L`.
        public var label: String { "\(first)-\(last)" }
    }

    /// Which years a credential expires in.
    public enum Years: Sendable, Hashable {
        /// Any year: only the day is checked.
        case any
        /// Every credential expires in even (or odd) years.
        case parity(Parity)
        /// Years of the same parity as the holder's birth year (needs `providers.date_of_birth`).
        case birthYearParity
        /// By the initial of `providers.last_name`: the ranges cover A–Z once.
        case surnames([SurnameRange])
        /// Every `every`-th year, `including` among them (IL: July 31 every third year, 2026).
        case series(every: Int, including: Int)

        /// Whether the rule lets a credential expire in `year` (nil: the parity the holder's facts give).
        func admits(_ year: Int) -> Bool? {
            guard case .series(let every, let including) = self else { return nil }
            return ((year - including) % every + every) % every == 0
        }

        /// How many years apart the rule's dates are.
        public var period: Int {
            switch self {
            case .any: 1
            case .parity, .birthYearParity, .surnames: 2
            case .series(let every, _): every
            }
        }
    }

    /// The outcome of comparing a stored expiration date with the rule.
    public enum Check: Sendable, Hashable {
        /// The stored date is one the rule gives.
        case matches
        /// It is not; `expected` is the date the rule gives nearest to it (the earlier on a tie).
        case mismatch(expected: CalendarDate)
        /// The rule could not be applied; the reason says why (`date_of_birth not available`).
        case notChecked(String)
    }

    /// The day.
    public var day: Day
    /// The years.
    public var years: Years
    /// Stored expiration dates before this day are not checked (an older rule governed them).
    public var since: CalendarDate?
    /// The citation id of the expiry rule, when it is not the requirement's own.
    public var cite: String?
    /// The license types the rule governs; nil means every credential the pack evaluates (HI: the
    /// January 31 date is the MDs'; the DOs' date is not known).
    public var licenseTypes: [String]?

    /// Creates a rule.
    public init(day: Day, years: Years, since: CalendarDate? = nil, cite: String? = nil, licenseTypes: [String]? = nil) {
        self.day = day
        self.years = years
        self.since = since
        self.cite = cite
        self.licenseTypes = licenseTypes
    }

    /// The provider columns the rule reads.
    public var needs: [String] {
        var out: [String] = []
        let fixedDay = if case .fixed = day { true } else { false }
        if !fixedDay || years == .birthYearParity { out.append("date_of_birth") }
        if case .surnames = years { out.append("last_name") }
        return out
    }

    /// Compares a stored expiration date with the rule, reading the holder's last name and date of
    /// birth only when the rule needs them; a needed fact that is absent means `notChecked`, never
    /// a mismatch.
    public func check(stored: CalendarDate, lastName: String?, dateOfBirth: CalendarDate?, licenseType: String? = nil) -> Check {
        if let licenseTypes, !licenseTypes.contains(licenseType ?? "") {
            return .notChecked("the rule governs \(licenseTypes.joined(separator: ", ")) licenses, not \(licenseType ?? "this credential")")
        }
        if let since, stored < since { return .notChecked("the stored date \(stored) is before \(since), when the rule took effect") }
        if needs.contains("date_of_birth"), dateOfBirth == nil { return .notChecked("date_of_birth not available") }
        var parity: Parity?
        switch years {
        case .any: parity = nil
        case .parity(let p): parity = p
        case .birthYearParity: parity = dateOfBirth.map { $0.year % 2 == 0 ? .even : .odd }
        case .series: parity = nil
        case .surnames(let ranges):
            guard let lastName, !lastName.isEmpty else { return .notChecked("last_name not available") }
            guard let initial = Self.initial(of: lastName) else { return .notChecked("last_name `\(lastName)` has no letter A-Z") }
            parity = ranges.first { $0.first <= initial && initial <= $0.last }?.parity
            guard parity != nil else { return .notChecked("no surname range covers `\(initial)`") }
        }
        // A series of every N years has one year in any N in a row; the others, one in any two.
        let reach = max(1, years.period - 1)
        var candidates: [CalendarDate] = []
        for year in (stored.year - reach)...(stored.year + reach) where years.admits(year) ?? parity?.admits(year) ?? true {
            guard let days = days(in: year, dateOfBirth: dateOfBirth) else { continue }
            if days.first <= stored && stored <= days.last { return .matches }
            // Outside the allowed days of the year: the nearer end of them is the candidate.
            candidates.append(stored < days.first ? days.first : days.last)
        }
        guard let nearest = candidates.min(by: { a, b in
            let da = abs(a.days(until: stored)), db = abs(b.days(until: stored))
            return da != db ? da < db : a < b
        }) else { return .notChecked("no date in \(stored.year - reach)-\(stored.year + reach)") }
        return .mismatch(expected: nearest)
    }

    /// The first and last day the rule allows in a year (the same day, except for `birthMonth`).
    func days(in year: Int, dateOfBirth: CalendarDate?) -> (first: CalendarDate, last: CalendarDate)? {
        switch day {
        case .fixed(let month, let day):
            guard let date = CalendarDate(year: year, month: month, day: day) else { return nil }
            return (date, date)
        case .endOfBirthMonth:
            guard let month = dateOfBirth?.month,
                  let date = CalendarDate(year: year, month: month, day: CalendarDate.daysInMonth(year: year, month: month)) else { return nil }
            return (date, date)
        case .birthday:
            guard let born = dateOfBirth,
                  let date = CalendarDate(year: year, month: born.month, day: min(born.day, CalendarDate.daysInMonth(year: year, month: born.month)))
            else { return nil }
            return (date, date)
        case .birthMonth:
            guard let month = dateOfBirth?.month, let first = CalendarDate(year: year, month: month, day: 1),
                  let last = CalendarDate(year: year, month: month, day: CalendarDate.daysInMonth(year: year, month: month)) else { return nil }
            return (first, last)
        }
    }

    /// The first letter A-Z of a surname, uppercased (`O'Brien` → O, `de la Cruz` → D); nil when it has none.
    public static func initial(of lastName: String) -> Character? {
        for scalar in lastName.unicodeScalars {
            let value = scalar.value
            if (65...90).contains(value) { return Character(scalar) }
            if (97...122).contains(value) { return Character(Unicode.Scalar(value - 32) ?? scalar) }
        }
        return nil
    }

    static func ordinal(_ n: Int) -> String {
        switch n {
        case 2: "second"
        case 3: "third"
        case 4: "fourth"
        case 5: "fifth"
        default: "\(n)th"
        }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    /// The rule in words: `September 30 of even-numbered years for surnames A-L, odd-numbered for M-Z`.
    public var description: String {
        let dayText = switch day {
        case .fixed(let month, let day): "\(Self.monthNames[month - 1]) \(day)"
        case .endOfBirthMonth: "the last day of the birth month"
        case .birthday: "the birthday"
        case .birthMonth: "a day of the birth month"
        }
        let yearsText = switch years {
        case .any: "of any year"
        case .parity(let p): "of \(p.rawValue)-numbered years"
        case .birthYearParity: "of years as even or odd as the birth year"
        case .surnames(let ranges):
            "of " + ranges.map { "\($0.parity.rawValue)-numbered years for surnames \($0.label)" }.joined(separator: ", ")
        case .series(let every, let including): "of every \(Self.ordinal(every)) year (\(including) among them)"
        }
        return dayText + " " + yearsText
    }
}
