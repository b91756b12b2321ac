import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `prorate:` on `cme_hours` (Grammar/pack-language.md §3.15).
@Suite struct ProrationCheckTests {
    func compile(_ old: String = "    hours: params.total_hours\n", _ new: String) throws -> (RuleVersion?, [Diagnostic]) {
        Support.compile(try Support.validVariant(old, new))
    }

    @Test(arguments: [
        ("{per_months: 24}", Proration(perMonths: 24)),
        ("{per_months: 24, round: none}", Proration(perMonths: 24)),
        ("{per_months: 12, round: down}", Proration(perMonths: 12, round: .down)),
        ("{per_months: 36, round: up}", Proration(perMonths: 36, round: .up)),
    ])
    func formsCompileAndRoundTrip(yaml: String, rule: Proration) throws {
        let (version, diagnostics) = try compile("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: \(yaml)\n")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let compiled = try #require(version)
        #expect(compiled.requirements.first { $0.id == "cme-total" }?.prorate == rule)
        #expect(try RuleVersion(jsonText: compiled.canonicalJSON) == compiled)
    }

    @Test(arguments: [
        ("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: {per_months: 0}\n", "pack.outOfRange"),
        ("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: {per_months: two}\n", "pack.wrongType"),
        ("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: {round: down}\n", "pack.missingKey"),
        ("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: {per_months: 24, round: nearest}\n", "pack.unknownValue"),
        ("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: {per_months: 24, rounding: up}\n", "pack.unknownKey"),
        ("    hours: params.total_hours\n", "    hours: params.total_hours\n    prorate: 24\n", "pack.wrongType"),
        ("    hours: params.total_hours\n", "    hours: any\n    prorate: {per_months: 24}\n", "pack.conflictingKeys"),
        ("    hours: params.total_hours\n", "    hours: \"cycle.months_licensed < 13 ? 25 : 50\"\n    prorate: {per_months: 24}\n", "pack.proratedTwice"),
        ("    cite: license\n", "    cite: license\n    prorate: {per_months: 24}\n", "pack.unknownKey"),
    ])
    func misuseIsReported(old: String, new: String, id: String) throws {
        let (version, diagnostics) = try compile(old, new)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id).contains(id), "\(diagnostics.map(\.id))")
    }
}
