import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

extension PackChecker {
    /// Keys `any_of` replaces on a `cme_hours` requirement: each option carries its own window and figures.
    static let anyOfExcludes = ["hours", "categories", "credit_types", "lookback_months", "window", "categories_except", "carry_forward"]

    /// `any_of:` of a `cme_hours` requirement (`Grammar/pack-language.md` §3.14): at least two look-back
    /// options, each with an id, a `lookback_months` and the figures (`all_of`) it needs.
    mutating func anyOf(_ f: SyntaxField, in m: SyntaxMapping, context: String) -> [LookbackOption]? {
        for key in Self.anyOfExcludes {
            if let other = m[key] {
                typer.report(Diagnostic(id: "pack.conflictingKeys", message: "`any_of` and `\(key)` exclude each other in \(context)",
                                        span: other.key.span, help: "put the window and the hours in each option of `any_of`"))
                return nil
            }
        }
        guard let items = PackSyntaxReader.expectSequence(f.value, what: "`any_of`", into: &typer.sink) else { return nil }
        guard items.count >= 2 else {
            typer.report(Diagnostic(id: "pack.missingKey", message: "`any_of` of \(context) needs at least two options", span: f.value.span,
                                    help: "with one option, write its window and hours on the requirement itself"))
            return nil
        }
        var options: [LookbackOption] = []
        var seen: [String: SourceSpan] = [:]
        var failed = false
        for item in items {
            guard let o = PackSyntaxReader.mapping(item, keys: PackKeys.anyOfOption, context: "an `any_of` option", into: &typer.sink) else {
                failed = true
                continue
            }
            let id = typer.require(o, "id", in: "an `any_of` option").flatMap { typer.scalar($0.value, expected: "an option id") }
            if let id {
                if let first = seen[id.value] {
                    typer.report(Diagnostic(id: "pack.duplicateID", message: "option `\(id.value)` is defined twice in \(context)", span: id.span,
                                            notes: [.init("first defined here", span: first)]))
                    failed = true
                } else {
                    seen[id.value] = id.span
                }
            }
            let months = typer.require(o, "lookback_months", in: "option `\(id?.value ?? "?")`", help: "add `lookback_months: N`")
                .flatMap { typer.int($0.value, min: 1, what: "a number of months") }
            let title = o["title"].flatMap { typer.string($0.value) }
            var figures: [HoursFigure] = []
            if let list = typer.require(o, "all_of", in: "option `\(id?.value ?? "?")`", help: "add `all_of:` with the hours the option needs"),
                let entries = PackSyntaxReader.expectSequence(list.value, what: "`all_of`", into: &typer.sink)
            {
                if entries.isEmpty {
                    typer.report(Diagnostic(id: "pack.missingKey", message: "option `\(id?.value ?? "?")` needs at least one figure",
                                            span: list.value.span))
                    failed = true
                }
                for entry in entries {
                    guard let e = PackSyntaxReader.mapping(entry, keys: PackKeys.hoursFigure, context: "an `all_of` figure", into: &typer.sink),
                        let h = typer.require(e, "hours", in: "an `all_of` figure").flatMap({ typer.decimal($0.value, what: "a number of hours") })
                    else { failed = true; continue }
                    guard h > .zero else {
                        typer.report(Diagnostic(id: "pack.outOfRange", message: "an option's hours must be more than 0", span: e["hours"]?.value.span ?? e.span))
                        failed = true
                        continue
                    }
                    let categories = e["categories"].flatMap {
                        typer.oneOfList($0.value, Vocabulary.cmeCategories, id: "pack.unknownCategory", what: "CME category")
                    }
                    let creditTypes = e["credit_types"].flatMap {
                        typer.oneOfList($0.value, Vocabulary.creditTypes, id: "pack.unknownCreditType", what: "credit type")
                    }
                    figures.append(HoursFigure(hours: h, categories: categories, creditTypes: creditTypes))
                }
            } else {
                failed = true
            }
            guard let id, let months, !figures.isEmpty else { failed = true; continue }
            options.append(LookbackOption(id: id.value, title: title ?? id.value.replacingOccurrences(of: "-", with: " "),
                                          lookbackMonths: months, figures: figures))
        }
        return failed ? nil : options
    }
}
