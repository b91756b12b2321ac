import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `caps:` on `cme_hours` (Grammar/pack-language.md §3.11).
@Suite struct CapCheckTests {
    /// The fixture's `cme-total` (hours from a parameter) with `extra` added.
    func compile(_ extra: String) throws -> (RuleVersion?, [Diagnostic]) {
        Support.compile(try Support.validVariant("    hours: params.total_hours\n", "    hours: params.total_hours\n" + extra))
    }

    @Test func capsCompileInPackOrder() throws {
        let (version, diagnostics) = try compile("""
                caps:
                  - {credit_types: [aoa_1b], max_hours: 20}
                  - {categories: [general], credit_types_except: [ama_pra_1], max_hours: 12.5}

            """)
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let caps = try #require(version?.requirements.first { $0.id == "cme-total" }?.caps)
        #expect(caps == [
            HoursCap(maxHours: ExactDecimal(20), creditTypes: ["aoa_1b"]),
            HoursCap(maxHours: try #require(ExactDecimal("12.5")), categories: ["general"], creditTypesExcept: ["ama_pra_1"]),
        ])
        let json = try #require(version?.canonicalJSON)
        #expect(json.contains(#""caps":[{"credit_types":["aoa_1b"],"max_hours":20}"#), "\(json)")
        #expect(try RuleVersion(jsonText: json) == version)
    }

    @Test func noCapsNoKey() throws {
        let (version, _) = try compile("")
        #expect(version?.canonicalJSON.contains("caps") == false)
    }

    @Test(arguments: [
        ("    caps: []\n", "pack.missingKey"),
        ("    caps: [{max_hours: 20}]\n", "pack.missingKey"),
        ("    caps: [{credit_types: [], max_hours: 20}]\n", "pack.missingKey"),
        ("    caps: [{credit_types: [aoa_1b]}]\n", "pack.missingKey"),
        ("    caps: [{credit_types: [aoa_1b], max_hours: -1}]\n", "pack.outOfRange"),
        ("    caps: [{credit_types: [aoa_1b], max_hours: 0}]\n", "pack.outOfRange"),
        ("    caps: [{credit_types: [aoa_9], max_hours: 20}]\n", "pack.unknownCreditType"),
        ("    caps: [{credit_types_except: [aoa_9], max_hours: 20}]\n", "pack.unknownCreditType"),
        ("    caps: [{categories: [ethcs], max_hours: 20}]\n", "pack.unknownCategory"),
        ("    caps: [{credit_types: [aoa_1b], credit_types_except: [aoa_1a], max_hours: 20}]\n", "pack.conflictingKeys"),
        ("    caps: [{credit_types: [aoa_1b], max_hours: 20}]\n    carry_forward: {max_hours: 10}\n", "pack.conflictingKeys"),
        ("    caps: [{credit_types: [aoa_1b], max_hourz: 20}]\n", "pack.unknownKey"),
        ("    caps: {credit_types: [aoa_1b], max_hours: 20}\n", "pack.wrongType"),
    ])
    func misuseIsReported(extra: String, id: String) throws {
        let (version, diagnostics) = try compile(extra)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id).contains(id), "\(diagnostics.map(\.id))")
    }

    @Test func capsNeedAFigure() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(
            "    hours: params.total_hours\n", "    hours: any\n    caps: [{credit_types: [aoa_1b], max_hours: 20}]\n"))
        #expect(version == nil)
        let conflict = try #require(diagnostics.first { $0.id == "pack.conflictingKeys" })
        #expect(conflict.message.contains("`caps` with `hours: any`"))
    }

    @Test func aCapAtOrAboveTheFigureIsAWarning() throws {
        let ethics = "    categories: [ethics]\n    hours: 2\n"
        for (cap, warns) in [("2", true), ("3", true), ("1.5", false)] {
            let (version, diagnostics) = Support.compile(try Support.validVariant(
                ethics, ethics + "    caps: [{credit_types: [other], max_hours: \(cap)}]\n"))
            #expect(version != nil)
            let warning = diagnostics.first { $0.id == "pack.capNeverBinds" }
            #expect((warning != nil) == warns, "cap \(cap): \(diagnostics.map(\.id))")
            #expect(warning.map { $0.severity == .warning } ?? true)
        }
    }
}
