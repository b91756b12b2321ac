import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `window:` on `cme_hours` (Grammar/pack-language.md §3.8): what compiles, and each misuse's diagnostic.
@Suite struct WindowCheckTests {
    static let ethics = "    categories: [ethics]\n    hours: 2\n"

    func compile(window: String, extra: String = "") throws -> (RuleVersion?, [Diagnostic]) {
        Support.compile(try Support.validVariant(Self.ethics, Self.ethics + "    window: \(window)\n" + extra))
    }

    func errors(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.filter { $0.severity == .error }.map(\.id)
    }

    @Test func eachEndFormCompiles() throws {
        let forms: [(String, CMEWindow)] = [
            ("{months: 24, ends_on: 12-31}", CMEWindow(months: 24, end: .monthDay(month: 12, day: 31))),
            ("{months: 36, ends_days_before_expiration: 31}", CMEWindow(months: 36, end: .daysBeforeExpiration(31))),
            ("{months: 36, cycles_from: 1994-01-01}", CMEWindow(months: 36, end: .cyclesFrom(CalendarDate(year: 1994, month: 1, day: 1)!))),
        ]
        for (text, expected) in forms {
            let (version, diagnostics) = try compile(window: text)
            #expect(errors(diagnostics).isEmpty, "\(text): \(diagnostics)")
            let requirement = try #require(version?.requirements.first { $0.id == "cme-ethics" }, "\(text)")
            #expect(requirement.window == expected)
            #expect(requirement.gapType == .cmeCategoryShort)
        }
    }

    @Test(arguments: [
        ("{months: 24, ends_on: 12-31}", "    lookback_months: 12\n", "pack.conflictingKeys"),
        ("{months: 24, ends_on: 12-31, cycles_from: 1994-01-01}", "", "pack.conflictingKeys"),
        ("{months: 24}", "", "pack.missingKey"),
        ("{ends_on: 12-31}", "", "pack.missingKey"),
        ("{months: 24, ends_on: 02-29}", "", "pack.wrongType"),
        ("{months: 24, ends_on: 12/31}", "", "pack.wrongType"),
        ("{months: 24, ends_on: 13-01}", "", "pack.wrongType"),
        ("{months: 36, cycles_from: 1994-13-01}", "", "pack.wrongType"),
        ("{months: 0, ends_on: 12-31}", "", "pack.outOfRange"),
        ("{months: 24, ends_days_before_expiration: -1}", "", "pack.outOfRange"),
        ("{months: 24, end_on: 12-31}", "", "pack.unknownKey"),
        ("24", "", "pack.wrongType"),
    ])
    func misuseIsReported(window: String, extra: String, id: String) throws {
        let (version, diagnostics) = try compile(window: window, extra: extra)
        #expect(version == nil)
        #expect(errors(diagnostics).contains(id), "\(window): \(diagnostics.map { "\($0.id): \($0.message)" })")
    }

    @Test func windowBelongsToCMEHoursOnly() throws {
        let text = try Support.validVariant("    cite: license\n", "    cite: license\n    window: {months: 24, ends_on: 12-31}\n")
        let (version, diagnostics) = Support.compile(text)
        #expect(version == nil)
        let unknown = try #require(diagnostics.first { $0.id == "pack.unknownKey" })
        #expect(unknown.message == "`window` does not apply to a `credential_current` requirement")
    }

    @Test func conflictWithLookbackPointsAtLookback() throws {
        let (_, diagnostics) = try compile(window: "{months: 24, ends_on: 12-31}", extra: "    lookback_months: 12\n")
        let conflict = try #require(diagnostics.first { $0.id == "pack.conflictingKeys" })
        #expect(conflict.message.contains("both `window` and `lookback_months`"))
        #expect(conflict.help == "a `window` carries its own length in `window.months`; remove `lookback_months`")
    }
}

/// `categories_except:` on `cme_hours` (Grammar/pack-language.md §3.9).
@Suite struct ExcludedCategoryCheckTests {
    func compile(_ new: String) throws -> (RuleVersion?, [String]) {
        let (version, diagnostics) = Support.compile(try Support.validVariant("    hours: params.total_hours\n", "    hours: params.total_hours\n" + new))
        return (version, diagnostics.filter { $0.severity == .error }.map(\.id))
    }

    @Test func compilesAsATotal() throws {
        let (version, errors) = try compile("    categories_except: [cultural_competency]\n")
        #expect(errors.isEmpty)
        let r = try #require(version?.requirements.first { $0.id == "cme-total" })
        #expect(r.excludedCategories == ["cultural_competency"])
        #expect(r.gapType == .cmeHoursShort)
    }

    @Test(arguments: [
        ("    categories_except: [cultural_competence]\n", "pack.unknownCategory"),
        ("    categories_except: []\n", "pack.missingKey"),
        ("    categories: [ethics]\n    categories_except: [cultural_competency]\n", "pack.conflictingKeys"),
    ])
    func misuseIsReported(new: String, id: String) throws {
        let (version, errors) = try compile(new)
        #expect(version == nil)
        #expect(errors == [id], "\(errors)")
    }
}
