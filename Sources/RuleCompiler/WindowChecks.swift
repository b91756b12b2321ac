import RuleBase
import RuleIR
import RuleSyntax
import RuleYAML

extension PackChecker {
    /// `window:` of a `cme_hours` requirement (`Grammar/pack-language.md` §3.9): `months` and exactly
    /// one end form. `lookback_months` says the same thing differently, so the two exclude each other.
    mutating func window(_ f: SyntaxField, lookback: SyntaxField?, context: String) -> CMEWindow? {
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.window, context: "`window`", into: &typer.sink) else { return nil }
        if let lookback {
            typer.report(Diagnostic(
                id: "pack.conflictingKeys", message: "\(context) has both `window` and `lookback_months`", span: lookback.key.span,
                help: "a `window` carries its own length in `window.months`; remove `lookback_months`"))
            return nil
        }
        let months = typer.require(m, "months", in: "`window`", help: "add `months:` (the window's length)").flatMap {
            typer.int($0.value, min: 1, what: "a number of months")
        }
        let forms = m.fields.filter { $0.name != "months" }
        guard forms.count == 1, let form = forms.first else {
            if forms.isEmpty {
                typer.report(Diagnostic(
                    id: "pack.missingKey", message: "`window` says where it ends with none of its end forms", span: f.key.span,
                    help: "add one of `ends_days_before_expiration`, `ends_on` or `cycles_from`"))
            } else {
                typer.report(Diagnostic(
                    id: "pack.conflictingKeys",
                    message: "`window` has \(forms.count) end forms (" + forms.map { "`\($0.name)`" }.joined(separator: ", ") + ")",
                    span: forms[1].key.span, help: "keep exactly one of `ends_days_before_expiration`, `ends_on` or `cycles_from`"))
            }
            return nil
        }
        let end: CMEWindow.End?
        switch form.name {
        case "ends_days_before_expiration":
            end = typer.int(form.value, min: 0, what: "a number of days").map { .daysBeforeExpiration($0) }
        case "ends_on":
            if let s = typer.scalar(form.value, expected: "a month and day like 12-31") {
                if let md = CMEWindow.parseMonthDay(s.value) {
                    end = .monthDay(month: md.month, day: md.day)
                } else {
                    typer.report(Diagnostic(
                        id: "pack.wrongType", message: "expected a month and day like 12-31, found `\(s.value)`", span: s.span,
                        help: "write MM-DD with a day every year has (02-29 is not one)"))
                    end = nil
                }
            } else {
                end = nil
            }
        default:
            end = typer.date(form.value).map { .cyclesFrom($0) }
        }
        guard let months, let end else { return nil }
        return CMEWindow(months: months, end: end)
    }
}

extension PackChecker {
    /// `categories_except:` of a `cme_hours` requirement (`Grammar/pack-language.md` §3.10): every category but
    /// these counts. With `categories` it would say the same thing twice, so the two exclude each other.
    mutating func excludedCategories(_ f: SyntaxField, categories: SyntaxField?, context: String) -> [String]? {
        let errorsBefore = typer.sink.diagnostics.count { $0.severity == .error }
        let excluded = typer.oneOfList(f.value, Vocabulary.cmeCategories, id: "pack.unknownCategory", what: "CME category")
        guard typer.sink.diagnostics.count(where: { $0.severity == .error }) == errorsBefore else { return nil }
        if categories != nil {
            typer.report(Diagnostic(
                id: "pack.conflictingKeys", message: "\(context) has both `categories` and `categories_except`", span: f.key.span,
                help: "`categories` lists what counts; `categories_except` what does not: keep one"))
            return nil
        }
        if let excluded, excluded.isEmpty {
            typer.report(Diagnostic(id: "pack.missingKey", message: "`categories_except` names no category", span: f.value.span,
                                    help: "list the categories that do not count, or remove the key"))
            return nil
        }
        return excluded
    }
}
