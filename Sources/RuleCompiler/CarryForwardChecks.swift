import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

extension PackChecker {
    /// `carry_forward: {max_hours: N, excluding_categories: [...]}` on a `cme_hours` requirement.
    mutating func carryForward(_ f: SyntaxField, context: String) -> CarryForward? {
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.carryForward, context: "`carry_forward`", into: &typer.sink) else {
            return nil
        }
        var maxHours: ExactDecimal?
        if let hf = typer.require(m, "max_hours", in: "`carry_forward` of \(context)", help: "add `max_hours:`, the most hours that carry"),
            let d = typer.decimal(hf.value, what: "a number of hours")
        {
            if d > .zero {
                maxHours = d
            } else {
                typer.report(Diagnostic(id: "pack.outOfRange", message: "`max_hours` must be more than 0", span: hf.value.span,
                                        help: "remove `carry_forward` if no hours carry"))
            }
        }
        var excluded: [String] = []
        if let ef = m["excluding_categories"] {
            excluded = typer.oneOfList(ef.value, Vocabulary.cmeCategories, id: "pack.unknownCategory", what: "CME category") ?? []
        }
        guard let maxHours else { return nil }
        return CarryForward(maxHours: maxHours, excludingCategories: excluded)
    }
}
