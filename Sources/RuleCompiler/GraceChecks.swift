import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

extension PackChecker {
    /// `grace:` of a `credential_current` requirement (`Grammar/pack-language.md` §3.8).
    mutating func grace(_ f: SyntaxField, context: String) -> GracePeriod? {
        let cycleMonths = syntax.cycle?["months"]?.value.scalar.flatMap { Int($0.value) }
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.grace, context: "`grace`", into: &typer.sink) else { return nil }
        let days = m["days"].flatMap { typer.int($0.value, min: 1, what: "a number of days") }
        let months = m["months"].flatMap { typer.int($0.value, min: 1, what: "a number of months") }
        let monthEnds = m["until_end_of_month_after"].flatMap { typer.int($0.value, min: 1, what: "a number of months") }
        let lengthKeys = ["days", "months", "until_end_of_month_after"].filter { m[$0] != nil }
        let length: GracePeriod.Length?
        switch lengthKeys.count {
        case 0:
            typer.report(Diagnostic(id: "pack.missingKey", message: "`grace` of \(context) has no length",
                                    span: PackSyntaxReader.startSpan(m.span),
                                    help: "add `days: N`, `months: N` or `until_end_of_month_after: N`"))
            return nil
        case 1:
            length = days.map(GracePeriod.Length.days) ?? months.map(GracePeriod.Length.months)
                ?? monthEnds.map(GracePeriod.Length.untilEndOfMonthAfter)
        default:
            typer.report(Diagnostic(id: "pack.conflictingKeys",
                                    message: "`grace` takes one length, not \(lengthKeys.map { "`\($0)`" }.joined(separator: " and "))",
                                    span: f.key.span, help: "keep the unit the board's rule uses"))
            return nil
        }
        let practice = typer.require(m, "practice", in: "`grace` of \(context)",
                                     help: "say whether the holder may practise during the period: `allowed` or `not_allowed`")
            .flatMap { typer.oneOf($0.value, ["allowed", "not_allowed"], what: "practice rule") }
        let cme = m["cme"].flatMap {
            typer.oneOf($0.value, GracePeriod.CMERule.allCases.map(\.rawValue), what: "CME rule").flatMap(GracePeriod.CMERule.init(rawValue:))
        }
        let cite = m["cite"] != nil ? self.cite(m, context: "`grace` of \(context)") : nil
        guard let length, let practice, m["cme"] == nil || cme != nil, m["cite"] == nil || cite != nil else { return nil }
        // A grace period as long as the cycle would overlap the next term: the board's rule is
        // then a reinstatement window, not a grace period.
        if let cycleMonths, length.approximateDays >= cycleMonths * 28 {
            typer.report(Diagnostic(
                id: "pack.graceTooLong", message: "a grace period of \(length) is not shorter than the \(cycleMonths)-month cycle",
                span: f.value.span, help: "a period that long is reinstatement, not grace: encode the credential as expired"))
            return nil
        }
        return GracePeriod(length: length, practiceAllowed: practice == "allowed", cme: cme ?? .dueAtExpiration, cite: cite)
    }
}
