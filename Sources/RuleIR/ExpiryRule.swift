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
        if day == .endOfBirthMonth || years == .birthYearParity { out.append("date_of_birth") }
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
        case .surnames(let ranges):
            guard let lastName, !lastName.isEmpty else { return .notChecked("last_name not available") }
            guard let initial = Self.initial(of: lastName) else { return .notChecked("last_name `\(lastName)` has no letter A-Z") }
            parity = ranges.first { $0.first <= initial && initial <= $0.last }?.parity
            guard parity != nil else { return .notChecked("no surname range covers `\(initial)`") }
        }
        var candidates: [CalendarDate] = []
        for year in (stored.year - 1)...(stored.year + 1) where parity?.admits(year) ?? true {
            if let date = date(in: year, dateOfBirth: dateOfBirth) { candidates.append(date) }
        }
        if candidates.contains(stored) { return .matches }
        guard let nearest = candidates.min(by: { a, b in
            let da = abs(a.days(until: stored)), db = abs(b.days(until: stored))
            return da != db ? da < db : a < b
        }) else { return .notChecked("no date in \(stored.year - 1)-\(stored.year + 1)") }
        return .mismatch(expected: nearest)
    }

    /// The rule's date in a year.
    func date(in year: Int, dateOfBirth: CalendarDate?) -> CalendarDate? {
        switch day {
        case .fixed(let month, let day): return CalendarDate(year: year, month: month, day: day)
        case .endOfBirthMonth:
            guard let month = dateOfBirth?.month else { return nil }
            return CalendarDate(year: year, month: month, day: CalendarDate.daysInMonth(year: year, month: month))
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

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    /// The rule in words: `September 30 of even-numbered years for surnames A-L, odd-numbered for M-Z`.
    public var description: String {
        let dayText = switch day {
        case .fixed(let month, let day): "\(Self.monthNames[month - 1]) \(day)"
        case .endOfBirthMonth: "the last day of the birth month"
        }
        let yearsText = switch years {
        case .any: "of any year"
        case .parity(let p): "of \(p.rawValue)-numbered years"
        case .birthYearParity: "of years as even or odd as the birth year"
        case .surnames(let ranges):
            "of " + ranges.map { "\($0.parity.rawValue)-numbered years for surnames \($0.label)" }.joined(separator: ", ")
        }
        return dayText + " " + yearsText
    }
}
