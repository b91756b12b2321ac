import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `grace:` on a `credential_current` requirement (`Grammar/pack-language.md` §3.8): what compiles, and the misuses.
@Suite struct GraceCheckTests {
    func compile(_ grace: String) throws -> (RuleVersion?, [Diagnostic]) {
        Support.compile(try Support.validVariant("    cite: license\n", "    cite: license\n    grace: \(grace)\n"))
    }

    @Test func graceCompilesIntoTheRequirement() throws {
        let (version, diagnostics) = try compile("{days: 30, practice: not_allowed, cme: due_at_grace_end, cite: cme}")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let grace = try #require(version?.requirements.first?.grace)
        #expect(grace == GracePeriod(length: .days(30), practiceAllowed: false, cme: .dueAtGraceEnd, cite: "cme"))
    }

    @Test func cmeDefaultsToDueAtExpiration() throws {
        let (version, _) = try compile("{months: 2, practice: allowed}")
        #expect(version?.requirements.first?.grace == GracePeriod(length: .months(2), practiceAllowed: true, cme: .dueAtExpiration, cite: nil))
    }

    @Test func untilTheEndOfAMonthAfterTheExpiration() throws {
        let (version, diagnostics) = try compile("{until_end_of_month_after: 1, practice: not_allowed}")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let grace = try #require(version?.requirements.first?.grace)
        #expect(grace.length == .untilEndOfMonthAfter(1))
        // TN: a license expiring on the last day of the birth month may be renewed late to the last day of the next.
        #expect(grace.lastDay(after: CalendarDate(iso: "2026-10-31")!)?.description == "2026-11-30")
        #expect(grace.lastDay(after: CalendarDate(iso: "2026-01-31")!)?.description == "2026-02-28")
        #expect(GracePeriod.Length.untilEndOfMonthAfter(2).clause == "until the end of the 2nd month after the expiration month")
        // IA: inactive on the first day of the third month after expiry, so grace runs to the end of the second.
        #expect(GracePeriod(length: .untilEndOfMonthAfter(2), practiceAllowed: false, cme: .dueAtExpiration, cite: nil)
            .lastDay(after: CalendarDate(iso: "2026-05-01")!)?.description == "2026-07-31")
    }

    @Test(arguments: [
        ("{days: 30, months: 1, practice: allowed}", "pack.conflictingKeys"),
        ("{days: 30, until_end_of_month_after: 1, practice: allowed}", "pack.conflictingKeys"),
        ("{until_end_of_month_after: 0, practice: allowed}", "pack.outOfRange"),
        ("{until_end_of_month_after: 23, practice: allowed}", "pack.graceTooLong"),
        ("{practice: allowed}", "pack.missingKey"),
        ("{days: 30}", "pack.missingKey"),
        ("{days: 30, practice: sometimes}", "pack.unknownValue"),
        ("{days: 30, practice: allowed, cme: later}", "pack.unknownValue"),
        ("{days: 0, practice: allowed}", "pack.outOfRange"),
        ("{days: 30, practice: allowed, cite: nowhere}", "pack.undefinedCitation"),
        ("{days: 30, practice: allowed, grace_days: 3}", "pack.unknownKey"),
        ("{days: 730, practice: allowed}", "pack.graceTooLong"),
        ("{months: 24, practice: allowed}", "pack.graceTooLong"),
    ])
    func misuseIsAnError(grace: String, id: String) throws {
        let (version, diagnostics) = try compile(grace)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id) == [id], "\(diagnostics)")
    }

    @Test func graceOnlyBelongsToCredentialCurrent() throws {
        let text = try Support.validVariant("    categories: [ethics]\n", "    categories: [ethics]\n    grace: {days: 30, practice: allowed}\n")
        let (version, diagnostics) = Support.compile(text)
        #expect(version == nil)
        #expect(diagnostics.map(\.id) == ["pack.unknownKey"])
        #expect(diagnostics.first?.help == "`grace` belongs to `credential_current` requirements")
    }

    @Test func aGraceCitationCountsAsUsed() throws {
        let text = try Support.validVariant("citations:\n", "citations:\n  grace: \"Grace rule §1, 30 days\"\n")
            .replacingOccurrences(of: "    cite: license\n", with: "    cite: license\n    grace: {days: 30, practice: allowed, cite: grace}\n")
        let (version, diagnostics) = Support.compile(text)
        #expect(version != nil)
        #expect(!diagnostics.contains { $0.id == "pack.unusedCitation" }, "\(diagnostics)")
    }
}
