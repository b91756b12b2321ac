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
        for rule in [Self.maryland, Self.maine, ExpiryRule(day: .fixed(month: 12, day: 31), years: .parity(.even), since: Self.d("2021-04-02"), cite: "cme", licenseTypes: ["MD"])] {
            let v = Self.version(rule)
            #expect(try RuleVersion(jsonText: v.canonicalJSON) == v)
        }
    }
}
