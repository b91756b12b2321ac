import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `any_of` on a `cme_hours` requirement (`Grammar/pack-language.md` §3.14): what compiles, and the misuses.
@Suite struct AnyOfCheckTests {
    static let twoOptions = """
        any_of:
              - {id: short, lookback_months: 18, all_of: [{hours: 50}, {hours: 20, credit_types: [ama_pra_1]}]}
              - {id: long, title: 100 in 30 months, lookback_months: 30, all_of: [{hours: 100}]}
        """

    func compile(_ anyOf: String, replacing: String = "    hours: params.total_hours\n") throws -> (RuleVersion?, [Diagnostic]) {
        Support.compile(try Support.validVariant(replacing, "    \(anyOf)\n"))
    }

    @Test func optionsCompileIntoTheRequirement() throws {
        let (version, diagnostics) = try compile(Self.twoOptions)
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let requirement = try #require(version?.requirements.first { $0.id == "cme-total" })
        #expect(requirement.hours == nil)
        #expect(requirement.gapType == .cmeHoursShort)
        #expect(requirement.anyOf == [
            LookbackOption(id: "short", title: "short", lookbackMonths: 18, figures: [
                HoursFigure(hours: ExactDecimal(50), categories: nil, creditTypes: nil),
                HoursFigure(hours: ExactDecimal(20), categories: nil, creditTypes: ["ama_pra_1"]),
            ]),
            LookbackOption(id: "long", title: "100 in 30 months", lookbackMonths: 30, figures: [
                HoursFigure(hours: ExactDecimal(100), categories: nil, creditTypes: nil),
            ]),
        ])
        let v = try #require(version)
        #expect(try RuleVersion(jsonText: v.canonicalJSON) == v)
    }

    @Test(arguments: [
        ("any_of:\n      - {id: only, lookback_months: 18, all_of: [{hours: 50}]}", "pack.missingKey"),
        ("any_of:\n      - {id: a, lookback_months: 18, all_of: [{hours: 50}]}\n      - {id: a, lookback_months: 30, all_of: [{hours: 100}]}", "pack.duplicateID"),
        ("any_of:\n      - {id: a, all_of: [{hours: 50}]}\n      - {id: b, lookback_months: 30, all_of: [{hours: 100}]}", "pack.missingKey"),
        ("any_of:\n      - {id: a, lookback_months: 0, all_of: [{hours: 50}]}\n      - {id: b, lookback_months: 30, all_of: [{hours: 100}]}", "pack.outOfRange"),
        ("any_of:\n      - {id: a, lookback_months: 18, all_of: []}\n      - {id: b, lookback_months: 30, all_of: [{hours: 100}]}", "pack.missingKey"),
        ("any_of:\n      - {id: a, lookback_months: 18, all_of: [{hours: 0}]}\n      - {id: b, lookback_months: 30, all_of: [{hours: 100}]}", "pack.outOfRange"),
        ("any_of:\n      - {id: a, lookback_months: 18, all_of: [{hours: 5, categories: [ethic]}]}\n      - {id: b, lookback_months: 30, all_of: [{hours: 100}]}", "pack.unknownCategory"),
        ("any_of:\n      - {id: a, lookback_months: 18, all_of: [{hours: 5}], window: {}}\n      - {id: b, lookback_months: 30, all_of: [{hours: 100}]}", "pack.unknownKey"),
    ])
    func misuseIsAnError(anyOf: String, id: String) throws {
        let (version, diagnostics) = try compile(anyOf)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id).first == id, "\(diagnostics)")
    }

    @Test func anyOfExcludesTheRequirementsOwnHoursAndWindow() throws {
        let text = try Support.validVariant("    hours: params.total_hours\n", "    hours: params.total_hours\n    \(Self.twoOptions)\n")
        let (compiled, found) = Support.compile(text)
        #expect(compiled == nil)
        #expect(found.filter { $0.severity == .error }.map(\.id) == ["pack.conflictingKeys"], "\(found)")
    }

    @Test func anyOfBelongsToCmeHours() throws {
        let text = try Support.validVariant("    cite: license\n", "    cite: license\n    \(Self.twoOptions)\n")
        let (version, diagnostics) = Support.compile(text)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id) == ["pack.unknownKey"], "\(diagnostics)")
    }
}
