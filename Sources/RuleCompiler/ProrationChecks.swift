import RuleBase
import RuleIR
import RuleSyntax
import RuleYAML

extension PackChecker {
    /// `prorate: {per_months: N, round: none|down|up}` on a `cme_hours` requirement (`Grammar/pack-language.md`
    /// §3.15). A figure to prorate is needed (not `hours: any`, not `any_of`), and one that already depends on
    /// `cycle.months_licensed` would be prorated twice.
    mutating func proration(_ f: SyntaxField, hours: HoursSpec?, anyOf: SyntaxField?, context: String) -> Proration? {
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.prorate, context: "`prorate`", into: &typer.sink) else { return nil }
        if hours == .anyRecord || anyOf != nil {
            typer.report(Diagnostic(
                id: "pack.conflictingKeys", message: "\(context) has `prorate` with \(anyOf != nil ? "`any_of`" : "`hours: any`")", span: f.key.span,
                help: "proration reduces an hour figure; give `hours: N`"))
            return nil
        }
        if case .expression(let e)? = hours, e.source.contains("cycle.months_licensed") {
            typer.report(Diagnostic(
                id: "pack.proratedTwice", message: "\(context) prorates `hours`, which already reads cycle.months_licensed", span: f.key.span,
                help: "give the full figure in `hours` and let `prorate` reduce it, or keep the expression and remove `prorate`"))
            return nil
        }
        let perMonths = typer.require(m, "per_months", in: "`prorate` of \(context)", help: "add `per_months: N`, the months the full figure is for")
            .flatMap { typer.int($0.value, min: 1, what: "a number of months") }
        var round = Proration.Rounding.none
        if let rf = m["round"] {
            guard let text = typer.oneOf(rf.value, Proration.Rounding.allCases.map(\.rawValue), what: "rounding"),
                  let value = Proration.Rounding(rawValue: text) else { return nil }
            round = value
        }
        guard let perMonths else { return nil }
        return Proration(perMonths: perMonths, round: round)
    }
}
