import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Expiry rules (`Grammar/pack-language.md` §3.12).
@Suite struct ExpiryRuleTests {
    static let maryland = ExpiryRule(day: .fixed(month: 9, day: 30), years: .surnames([
        .init(first: "A", last: "L", parity: .even), .init(first: "M", last: "Z", parity: .odd),
    ]))
    static let maine = ExpiryRule(day: .endOfBirthMonth, years: .birthYearParity)
    static func d(_ s: String) -> CalendarDate { Fixtures.date(s) }

    @Test func surnameRule() {
        let rule = Self.maryland
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "Adams", dateOfBirth: nil) == .matches)
        #expect(rule.check(stored: Self.d("2027-09-30"), lastName: "Young", dateOfBirth: nil) == .matches)
        // Wrong parity: the nearest allowed dates are a year either side; the earlier is named.
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "Young", dateOfBirth: nil) == .mismatch(expected: Self.d("2025-09-30")))
        // Wrong day, right year.
        #expect(rule.check(stored: Self.d("2026-08-31"), lastName: "adams", dateOfBirth: nil) == .mismatch(expected: Self.d("2026-09-30")))
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "de la Cruz", dateOfBirth: nil) == .matches)
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "L'Amour", dateOfBirth: nil) == .matches)
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "Mullins", dateOfBirth: nil) == .mismatch(expected: Self.d("2025-09-30")))
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: nil, dateOfBirth: nil) == .notChecked("last_name not available"))
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "", dateOfBirth: nil) == .notChecked("last_name not available"))
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "Ölçer", dateOfBirth: nil) == .matches)  // first A-Z letter: L
        #expect(rule.check(stored: Self.d("2026-09-30"), lastName: "李", dateOfBirth: nil) == .notChecked("last_name `李` has no letter A-Z"))
    }

    @Test func birthMonthRule() {
        let rule = Self.maine
        #expect(rule.check(stored: Self.d("2026-05-31"), lastName: nil, dateOfBirth: Self.d("1980-05-14")) == .matches)
        #expect(rule.check(stored: Self.d("2026-05-31"), lastName: nil, dateOfBirth: Self.d("1981-05-14")) == .mismatch(expected: Self.d("2025-05-31")))
        #expect(rule.check(stored: Self.d("2026-05-31"), lastName: nil, dateOfBirth: Self.d("1980-03-02")) == .mismatch(expected: Self.d("2026-03-31")))
        // February: the last day of the month in the expiry year.
        #expect(rule.check(stored: Self.d("2028-02-29"), lastName: nil, dateOfBirth: Self.d("1980-02-29")) == .matches)
        #expect(rule.check(stored: Self.d("2026-02-28"), lastName: nil, dateOfBirth: Self.d("1980-02-29")) == .matches)
        #expect(rule.check(stored: Self.d("2026-05-31"), lastName: "Adams", dateOfBirth: nil) == .notChecked("date_of_birth not available"))
        #expect(ExpiryRule(day: .endOfBirthMonth, years: .any).check(stored: Self.d("2027-05-31"), lastName: nil, dateOfBirth: Self.d("1980-05-14")) == .matches)
    }

    @Test func fixedDateSinceAndLicenseTypes() {
        let alaska = ExpiryRule(day: .fixed(month: 12, day: 31), years: .parity(.even), since: Self.d("2021-04-02"), licenseTypes: ["MD", "DO"])
        #expect(alaska.check(stored: Self.d("2026-12-31"), lastName: nil, dateOfBirth: nil, licenseType: "MD") == .matches)
        #expect(alaska.check(stored: Self.d("2027-12-31"), lastName: nil, dateOfBirth: nil, licenseType: "DO") == .mismatch(expected: Self.d("2026-12-31")))
        #expect(alaska.check(stored: Self.d("2027-01-31"), lastName: nil, dateOfBirth: nil, licenseType: "MD") == .mismatch(expected: Self.d("2026-12-31")))
        #expect(alaska.check(stored: Self.d("2021-04-01"), lastName: nil, dateOfBirth: nil, licenseType: "MD")
            == .notChecked("the stored date 2021-04-01 is before 2021-04-02, when the rule took effect"))
        #expect(alaska.check(stored: Self.d("2027-12-31"), lastName: nil, dateOfBirth: nil, licenseType: "PA")
            == .notChecked("the rule governs MD, DO licenses, not PA"))
        #expect(alaska.needs.isEmpty)
        #expect(Self.maryland.needs == ["last_name"])
        #expect(Self.maine.needs == ["date_of_birth"])
    }

    @Test func birthdayRule() {
        let washington = ExpiryRule(day: .birthday, years: .any)
        #expect(washington.needs == ["date_of_birth"])
        #expect(washington.check(stored: Self.d("2026-07-14"), lastName: nil, dateOfBirth: Self.d("1975-07-14")) == .matches)
        #expect(washington.check(stored: Self.d("2027-07-14"), lastName: nil, dateOfBirth: Self.d("1975-07-14")) == .matches)
        // An anniversary of issue instead of the birthday: the birthday of the same year is expected.
        #expect(washington.check(stored: Self.d("2026-03-15"), lastName: nil, dateOfBirth: Self.d("1975-07-14")) == .mismatch(expected: Self.d("2026-07-14")))
        // The end of the birth month is not the birthday.
        #expect(washington.check(stored: Self.d("2026-07-31"), lastName: nil, dateOfBirth: Self.d("1975-07-14")) == .mismatch(expected: Self.d("2026-07-14")))
        // Nearer the next year's birthday than this year's.
        #expect(washington.check(stored: Self.d("2026-12-30"), lastName: nil, dateOfBirth: Self.d("1975-01-02")) == .mismatch(expected: Self.d("2027-01-02")))
        #expect(washington.check(stored: Self.d("2026-07-14"), lastName: "Adams", dateOfBirth: nil) == .notChecked("date_of_birth not available"))
        #expect(washington.description == "the birthday of any year")
    }

    /// A February 29 birthday falls on February 28 in common years (MA board, V2), February 29 in leap years.
    @Test func leapDayBirthday() {
        let rule = ExpiryRule(day: .birthday, years: .any)
        let leapling = Self.d("1980-02-29")
        #expect(rule.check(stored: Self.d("2026-02-28"), lastName: nil, dateOfBirth: leapling) == .matches)
        #expect(rule.check(stored: Self.d("2028-02-29"), lastName: nil, dateOfBirth: leapling) == .matches)
        #expect(rule.check(stored: Self.d("2026-03-01"), lastName: nil, dateOfBirth: leapling) == .mismatch(expected: Self.d("2026-02-28")))
        #expect(rule.check(stored: Self.d("2028-02-28"), lastName: nil, dateOfBirth: leapling) == .mismatch(expected: Self.d("2028-02-29")))
        // With a birth-year parity: born 1980 (even), so 2028 and 2026, never 2027.
        let biennial = ExpiryRule(day: .birthday, years: .birthYearParity)
        #expect(biennial.check(stored: Self.d("2026-02-28"), lastName: nil, dateOfBirth: leapling) == .matches)
        #expect(biennial.check(stored: Self.d("2027-02-28"), lastName: nil, dateOfBirth: leapling) == .mismatch(expected: Self.d("2026-02-28")))
    }

    @Test func anyDayOfTheBirthMonth() {
        let virginia = ExpiryRule(day: .birthMonth, years: .any)
        #expect(virginia.needs == ["date_of_birth"])
        for day in ["2027-05-01", "2027-05-14", "2027-05-31"] {
            #expect(virginia.check(stored: Self.d(day), lastName: nil, dateOfBirth: Self.d("1970-05-20")) == .matches, "\(day)")
        }
        // Outside the birth month: the nearest day of a birth month is expected.
        #expect(virginia.check(stored: Self.d("2027-06-30"), lastName: nil, dateOfBirth: Self.d("1970-05-20")) == .mismatch(expected: Self.d("2027-05-31")))
        #expect(virginia.check(stored: Self.d("2027-04-30"), lastName: nil, dateOfBirth: Self.d("1970-05-20")) == .mismatch(expected: Self.d("2027-05-01")))
        #expect(virginia.check(stored: Self.d("2027-12-31"), lastName: nil, dateOfBirth: Self.d("1970-01-20")) == .mismatch(expected: Self.d("2028-01-01")))
        // February of a leap year runs to the 29th.
        #expect(virginia.check(stored: Self.d("2028-02-29"), lastName: nil, dateOfBirth: Self.d("1970-02-03")) == .matches)
        let odd = ExpiryRule(day: .birthMonth, years: .parity(.odd))
        // 2027-05-01 is 335 days after the stored date, 2025-05-31 365 days before it.
        #expect(odd.check(stored: Self.d("2026-05-31"), lastName: nil, dateOfBirth: Self.d("1970-05-20")) == .mismatch(expected: Self.d("2027-05-01")))
        #expect(virginia.description == "a day of the birth month of any year")
    }

    @Test func seriesOfYears() {
        let illinois = ExpiryRule(day: .fixed(month: 7, day: 31), years: .series(every: 3, including: 2026))
        #expect(illinois.needs.isEmpty)
        #expect(illinois.years.period == 3)
        for year in [2020, 2023, 2026, 2029] {
            #expect(illinois.check(stored: CalendarDate(year: year, month: 7, day: 31)!, lastName: nil, dateOfBirth: nil) == .matches, "\(year)")
        }
        #expect(illinois.check(stored: Self.d("2027-07-31"), lastName: nil, dateOfBirth: nil) == .mismatch(expected: Self.d("2026-07-31")))
        #expect(illinois.check(stored: Self.d("2028-07-31"), lastName: nil, dateOfBirth: nil) == .mismatch(expected: Self.d("2029-07-31")))
        // 548 days from 2026-07-31 and 548 to 2029-07-31: on the tie the earlier is named.
        #expect(illinois.check(stored: Self.d("2028-01-30"), lastName: nil, dateOfBirth: nil) == .mismatch(expected: Self.d("2026-07-31")))
        #expect(illinois.check(stored: Self.d("2026-06-30"), lastName: nil, dateOfBirth: nil) == .mismatch(expected: Self.d("2026-07-31")))
        #expect(illinois.description == "July 31 of every third year (2026 among them)")
        #expect(ExpiryRule(day: .birthday, years: .series(every: 3, including: 2025)).check(
            stored: Self.d("2025-03-04"), lastName: nil, dateOfBirth: Self.d("1980-03-04")) == .matches)
    }

    static func version(_ rule: ExpiryRule?) -> RuleVersion {
        var v = Fixtures.texas
        v.requirements[0].expiry = rule  // license-current
        return v
    }

    func evaluate(_ version: RuleVersion, provider: [(String, JSONValue)]?, expiration: String = "2027-01-31") throws -> CredentialEvaluation {
        var document = Fixtures.facts(expiration: expiration, events: Fixtures.fullEvents)
        if let provider, case .object(var tables) = document {
            tables[0] = ("providers", .array([.object([("id", .string("p1"))] + provider)]))
            document = .object(tables)
        }
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded(version)]).evaluate(document: document, asOf: Fixtures.date("2026-06-01"))
        return try #require(batch.evaluations.first)
    }

    @Test func aMismatchIsAGapAndTheStoredDateStaysInUse() throws {
        let rule = ExpiryRule(day: .fixed(month: 1, day: 31), years: .surnames([.init(first: "A", last: "L", parity: .odd), .init(first: "M", last: "Z", parity: .even)]))
        let matched = try evaluate(Self.version(rule), provider: [("last_name", .string("Adams"))])
        let mismatched = try evaluate(Self.version(rule), provider: [("last_name", .string("Young"))])
        #expect(matched.gaps.allSatisfy { $0.type != .expirationMismatch })
        let gap = try #require(mismatched.gaps.first { $0.type == .expirationMismatch })
        #expect(gap.severity == .medium)
        #expect(gap.dueDate == nil)
        #expect(gap.requirementID == "license-current")
        #expect(gap.description.contains("expected 2026-01-31") && gap.description.contains("last name Young")
            && gap.description.contains("the evaluation uses the stored date"), "\(gap.description)")
        // Same status, window and renewal date as the matching record: the stored date decides.
        #expect(mismatched.status == matched.status)
        #expect(mismatched.nextRenewalDate == Fixtures.date("2027-01-31"))
        #expect(mismatched.windowStart == matched.windowStart)
        #expect(mismatched.requirements[0].outcome == .met)
        let logged = mismatched.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "license-current" }
        #expect(logged?["expiry_check"] == .string("mismatch: expected 2026-01-31, stored 2027-01-31"))
        let explained = Explain.json(mismatched, version: Self.version(rule))
        #expect(explained["requirements"]?.arrayValue?.first?["expiry_check"] == .string("mismatch: expected 2026-01-31, stored 2027-01-31"))
    }

    @Test func aBirthdayMismatchNamesTheBirthDate() throws {
        let version = Self.version(ExpiryRule(day: .birthday, years: .any))
        let matched = try evaluate(version, provider: [("date_of_birth", .string("1975-01-31"))])
        #expect(matched.requirements[0].expiryCheck == "matches: 2027-01-31 is the birthday of any year")
        let e = try evaluate(version, provider: [("date_of_birth", .string("1975-07-14"))])
        let gap = try #require(e.gaps.first { $0.type == .expirationMismatch })
        #expect(gap.description.contains("the birthday of any year (born 1975-07-14): expected 2027-07-14"), "\(gap.description)")
        #expect(e.requirements[0].expiryCheck == "mismatch: expected 2027-07-14, stored 2027-01-31")
        #expect(e.nextRenewalDate == Fixtures.date("2027-01-31"))
        let month = try evaluate(Self.version(ExpiryRule(day: .birthMonth, years: .any)), provider: [("date_of_birth", .string("1975-01-02"))])
        #expect(month.requirements[0].expiryCheck == "matches: 2027-01-31 is a day of the birth month of any year")
    }

    @Test func aMissingFactIsNotCheckedAndSaysSo() throws {
        let e = try evaluate(Self.version(ExpiryRule(day: .endOfBirthMonth, years: .birthYearParity)), provider: [("last_name", .string("Adams"))])
        #expect(e.gaps.allSatisfy { $0.type != .expirationMismatch })
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "license-current" }
        #expect(logged?["expiry_check"] == .string("not checked: date_of_birth not available"))
        let noProviderRow = try evaluate(Self.version(Self.maryland), provider: nil)
        #expect(noProviderRow.requirements[0].expiryCheck == "not checked: last_name not available")
    }

    @Test func withoutARuleNothingIsLogged() throws {
        #expect(!Fixtures.texas.canonicalJSON.contains("expiry"))
        let e = try evaluate(Fixtures.texas, provider: [("last_name", .string("Young"))])
        #expect(e.requirements[0].expiryCheck == nil)
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "license-current" }
        #expect(logged?["expiry_check"] == nil)
        for rule in [Self.maryland, Self.maine, ExpiryRule(day: .birthday, years: .any), ExpiryRule(day: .birthMonth, years: .parity(.odd)),
                     ExpiryRule(day: .fixed(month: 7, day: 31), years: .series(every: 3, including: 2026)), ExpiryRule(day: .fixed(month: 12, day: 31), years: .parity(.even), since: Self.d("2021-04-02"), cite: "cme", licenseTypes: ["MD"])] {
            let v = Self.version(rule)
            #expect(try RuleVersion(jsonText: v.canonicalJSON) == v)
        }
    }
}
