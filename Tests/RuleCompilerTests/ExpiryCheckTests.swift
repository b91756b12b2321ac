import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `expiry:` on `credential_current` (Grammar/pack-language.md §3.12).
@Suite struct ExpiryCheckTests {
    func compile(_ expiry: String, cycle: String = "cycle: {months: 24}") throws -> (RuleVersion?, [Diagnostic]) {
        let text = try Support.validVariant("    cite: license\n", "    cite: license\n    expiry: \(expiry)\n")
        return Support.compile(text.replacingOccurrences(of: "cycle: {months: 24}", with: cycle))
    }

    @Test func formsCompileAndRoundTrip() throws {
        let cases: [(String, ExpiryRule)] = [
            ("{day: 09-30, surnames: {A-L: even, M-Z: odd}}",
             ExpiryRule(day: .fixed(month: 9, day: 30), years: .surnames([.init(first: "A", last: "L", parity: .even), .init(first: "M", last: "Z", parity: .odd)]))),
            ("{day: end_of_birth_month, years: birth_year_parity, since: 2025-01-01, cite: cme}",
             ExpiryRule(day: .endOfBirthMonth, years: .birthYearParity, since: CalendarDate(year: 2025, month: 1, day: 1), cite: "cme")),
            ("{day: 12-31, years: even}", ExpiryRule(day: .fixed(month: 12, day: 31), years: .parity(.even))),
            ("{day: 12-31}", ExpiryRule(day: .fixed(month: 12, day: 31), years: .any)),
            ("{day: 01-31, years: even, license_types: [MD]}", ExpiryRule(day: .fixed(month: 1, day: 31), years: .parity(.even), licenseTypes: ["MD"])),
            ("{day: birthday}", ExpiryRule(day: .birthday, years: .any)),
            ("{day: birthday, years: birth_year_parity}", ExpiryRule(day: .birthday, years: .birthYearParity)),
            ("{day: birth_month, years: odd}", ExpiryRule(day: .birthMonth, years: .parity(.odd))),
        ]
        for (yaml, rule) in cases {
            let (version, diagnostics) = try compile(yaml)
            #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(yaml): \(diagnostics)")
            let compiled = try #require(version)
            #expect(compiled.requirements.first?.expiry == rule, "\(yaml)")
            #expect(try RuleVersion(jsonText: compiled.canonicalJSON) == compiled)
        }
        let (plain, _) = Support.compile(try Support.fixture("valid.yaml"))
        #expect(plain?.canonicalJSON.contains("expiry") == false)
    }

    @Test func aYearlyRuleFitsAnAnnualCycle() throws {
        let (version, diagnostics) = try compile("{day: 12-31}", cycle: "cycle: {months: 12}")
        #expect(version != nil, "\(diagnostics)")
    }

    @Test func aSeriesOfYearsFitsItsCycle() throws {
        let (version, diagnostics) = try compile("{day: 07-31, years: {every: 3, including: 2026}}", cycle: "cycle: {months: 36}")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let compiled = try #require(version)
        #expect(compiled.requirements.first?.expiry == ExpiryRule(day: .fixed(month: 7, day: 31), years: .series(every: 3, including: 2026)))
        #expect(compiled.canonicalJSON.contains(#""years":{"every":3,"including":2026}"#))
        #expect(try RuleVersion(jsonText: compiled.canonicalJSON) == compiled)
    }

    @Test(arguments: [
        ("{day: 02-29}", "pack.wrongType"),
        ("{day: 13-01}", "pack.wrongType"),
        ("{day: birthdate}", "pack.wrongType"),
        ("{day: Birthday}", "pack.wrongType"),
        ("{day: 07-31, years: {every: 3}}", "pack.missingKey"),
        ("{day: 07-31, years: {including: 2026}}", "pack.missingKey"),
        ("{day: 07-31, years: {every: 1, including: 2026}}", "pack.outOfRange"),
        ("{day: 07-31, years: {every: three, including: 2026}}", "pack.wrongType"),
        ("{day: 07-31, years: {every: 2, including: 2026, from: 2020}}", "pack.unknownKey"),
        ("{day: 07-31, years: {every: 2, including: 2026}, surnames: {A-Z: odd}}", "pack.conflictingKeys"),
        ("{years: even}", "pack.missingKey"),
        ("{day: 09-30, years: leap}", "pack.unknownValue"),
        ("{day: 09-30, years: even, surnames: {A-Z: odd}}", "pack.conflictingKeys"),
        ("{day: 09-30, surnames: {A-L: even, N-Z: odd}}", "pack.surnameRanges"),
        ("{day: 09-30, surnames: {A-L: even, L-Z: odd}}", "pack.surnameRanges"),
        ("{day: 09-30, surnames: {A-L: even, M-Y: odd}}", "pack.surnameRanges"),
        ("{day: 09-30, surnames: {M-Z: odd, A-L: even}}", "pack.surnameRanges"),
        ("{day: 09-30, surnames: {a-l: even, m-z: odd}}", "pack.wrongType"),
        ("{day: 09-30, surnames: {A-L: sometimes, M-Z: odd}}", "pack.unknownValue"),
        ("{day: 09-30, cite: nowhere}", "pack.undefinedCitation"),
        ("{day: 09-30, since: 2025-13-01}", "pack.wrongType"),
        ("{day: 09-30, yeras: even}", "pack.unknownKey"),
        ("{day: 09-30, license_types: [XX]}", "pack.unknownValue"),
        ("{day: 09-30, license_types: [PA]}", "pack.notApplicable"),
    ])
    func misuseIsReported(expiry: String, id: String) throws {
        let (version, diagnostics) = try compile(expiry)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id).contains(id), "\(diagnostics.map(\.id))")
    }

    @Test(arguments: [
        ("{day: 09-30, years: even}", "cycle: {months: 12}"),
        ("{day: end_of_birth_month, years: birth_year_parity}", "cycle: {months: 36}"),
        ("{day: 12-31}", "cycle: {months: 18}"),
        ("{day: birthday}", "cycle: {months: 18}"),
        ("{day: 07-31, years: {every: 3, including: 2026}}", "cycle: {months: 24}"),
        ("{day: 07-31, years: {every: 3, including: 2026}}", "cycle: {months: 12}"),
    ])
    func theRuleMustFitTheCycle(expiry: String, cycle: String) throws {
        let (version, diagnostics) = try compile(expiry, cycle: cycle)
        #expect(version == nil)
        #expect(diagnostics.contains { $0.id == "pack.expiryCycle" }, "\(diagnostics.map(\.id))")
    }

    @Test func onlyOnCredentialCurrent() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(
            "    hours: params.total_hours\n", "    hours: params.total_hours\n    expiry: {day: 09-30}\n"))
        #expect(version == nil)
        #expect(diagnostics.contains { $0.id == "pack.unknownKey" })
    }
}
