import RuleBase
import RuleIR
import RuleSyntax
import RuleYAML

extension PackChecker {
    /// `caps:` of a `cme_hours` requirement (`Grammar/pack-language.md` §3.11): a list of
    /// `{max_hours, categories | credit_types | credit_types_except}`. A cap counts only toward a
    /// figure, so it needs one (`hours: any` has none), and it is not combined with `carry_forward`
    /// (the previous window's excess would have to be capped too, which no rule says how).
    mutating func caps(_ f: SyntaxField, hours: HoursSpec?, carryForward: SyntaxField?, context: String) -> [HoursCap]? {
        guard let items = PackSyntaxReader.expectSequence(f.value, what: "`caps`", into: &typer.sink) else { return nil }
        if items.isEmpty {
            typer.report(Diagnostic(id: "pack.missingKey", message: "`caps` names no cap", span: f.value.span,
                                    help: "add `- {max_hours: N, credit_types: [...]}`, or remove the key"))
            return nil
        }
        if hours == .anyRecord {
            typer.report(Diagnostic(id: "pack.conflictingKeys", message: "\(context) has `caps` with `hours: any`", span: f.key.span,
                                    help: "a cap limits hours toward a figure; `hours: any` has none"))
            return nil
        }
        if let carryForward {
            typer.report(Diagnostic(id: "pack.conflictingKeys", message: "\(context) has both `caps` and `carry_forward`", span: carryForward.key.span,
                                    help: "keep one: carried hours are not capped"))
            return nil
        }
        let errorsBefore = typer.sink.diagnostics.count { $0.severity == .error }
        var caps: [HoursCap] = []
        for item in items {
            if let cap = self.cap(item, required: hours, context: context) { caps.append(cap) }
        }
        guard typer.sink.diagnostics.count(where: { $0.severity == .error }) == errorsBefore else { return nil }
        return caps
    }

    private mutating func cap(_ node: YAMLNode, required: HoursSpec?, context: String) -> HoursCap? {
        guard let m = PackSyntaxReader.mapping(node, keys: PackKeys.cap, context: "a cap", into: &typer.sink) else { return nil }
        var maxHours: ExactDecimal?
        var maxField: SyntaxField?
        if let hf = typer.require(m, "max_hours", in: "a cap of \(context)", help: "add `max_hours:`, the most hours of that kind that count"),
            let d = typer.decimal(hf.value, what: "a number of hours")
        {
            maxField = hf
            if d > .zero {
                maxHours = d
            } else {
                typer.report(Diagnostic(id: "pack.outOfRange", message: "`max_hours` must be more than 0", span: hf.value.span,
                                        help: "hours that never count are `categories_except` on the requirement"))
            }
        }
        let categories = m["categories"].flatMap {
            typer.oneOfList($0.value, Vocabulary.cmeCategories, id: "pack.unknownCategory", what: "CME category")
        }
        let creditTypes = m["credit_types"].flatMap {
            typer.oneOfList($0.value, Vocabulary.creditTypes, id: "pack.unknownCreditType", what: "credit type")
        }
        let creditTypesExcept = m["credit_types_except"].flatMap {
            typer.oneOfList($0.value, Vocabulary.creditTypes, id: "pack.unknownCreditType", what: "credit type")
        }
        if let both = m["credit_types_except"], m["credit_types"] != nil {
            typer.report(Diagnostic(id: "pack.conflictingKeys", message: "a cap has both `credit_types` and `credit_types_except`",
                                    span: both.key.span, help: "`credit_types` lists what is capped; `credit_types_except` what is not: keep one"))
            return nil
        }
        if categories == nil, creditTypes == nil, creditTypesExcept == nil {
            typer.report(Diagnostic(
                id: "pack.missingKey", message: "a cap of \(context) says which hours it caps with none of its filters",
                span: PackSyntaxReader.startSpan(m.span), help: "add `categories`, `credit_types` or `credit_types_except`"))
            return nil
        }
        for (key, list) in [("categories", categories), ("credit_types", creditTypes), ("credit_types_except", creditTypesExcept)] {
            if let list, list.isEmpty, let f = m[key] {
                typer.report(Diagnostic(id: "pack.missingKey", message: "`\(key)` of a cap names nothing", span: f.value.span,
                                        help: "list what the cap covers, or remove the key"))
                return nil
            }
        }
        guard let maxHours else { return nil }
        if case .constant(let total)? = required, maxHours >= total, let maxField {
            typer.report(Diagnostic(
                id: "pack.capNeverBinds", severity: .warning,
                message: "a cap of \(maxHours) hours on \(context) never limits anything: the requirement needs only \(total)",
                span: maxField.value.span, help: "check the figure; a cap at or above the total is the same as no cap"))
        }
        return HoursCap(maxHours: maxHours, categories: categories, creditTypes: creditTypes, creditTypesExcept: creditTypesExcept)
    }
}
