import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

/// `alternatives` (`Grammar/pack-language.md` §4.1): conditions that satisfy named requirements
/// another way, each under its own citation.
extension PackChecker {
    mutating func alternative(
        _ m: SyntaxMapping, checker: ExpressionChecker, requirements: [Requirement], requirementIDs: [String: SourceSpan],
        otherIDs: [String: SourceSpan], seen: inout [String: SourceSpan]
    ) -> Alternative? {
        let errorsBefore = typer.sink.diagnostics.filter { $0.severity == .error }.count
        let id = uniqueID(m, thing: "an alternative", noun: "alternative", kebabHelp: "use lowercase letters, digits and single hyphens",
                          duplicateMessage: "duplicate id",
                          duplicateHelp: "alternative ids must differ from each other and from requirement and exemption ids",
                          taken: [requirementIDs, otherIDs], seen: &seen)
        let context = id.map { "alternative `\($0)`" } ?? "an alternative"
        let title = m["title"].flatMap { typer.string($0.value) }
        let when = typer.require(m, "when", in: context, help: "add `when:` with a boolean expression").flatMap {
            expression($0, checker: checker, expected: [.bool])
        }
        let cite = cite(m, context: context)
        var satisfies: [String]?
        if let f = typer.require(m, "satisfies", in: context, help: "add `satisfies:` with the requirement ids it meets"),
            let items = typer.scalarList(f.value, what: "requirement ids")
        {
            if items.isEmpty {
                typer.report(Diagnostic(
                    id: "pack.emptyAlternative", message: "\(context) satisfies nothing", span: f.value.span,
                    help: "list the requirement ids it satisfies"))
            }
            let known = requirementIDs.keys.sorted()
            var out: [String] = []
            for s in items {
                guard let requirement = requirements.first(where: { $0.id == s.value }) else {
                    // A requirement with errors is not in `requirements`, but it was defined.
                    if requirementIDs[s.value] == nil {
                        typer.report(Diagnostic(
                            id: "pack.undefinedRequirement", message: "no requirement has id `\(s.value)`", span: s.span,
                            help: Suggestions.didYouMean(s.value, in: known)))
                    }
                    continue
                }
                if requirement.kind == .credentialCurrent {
                    // A board certification or a residency never makes an expired license current.
                    typer.report(Diagnostic(
                        id: "pack.alternativeForCredential",
                        message: "\(context) names `\(s.value)`, a `credential_current` requirement: nothing satisfies holding the credential but holding it",
                        span: s.span, help: "a rule that waives the credential itself is an exemption naming it"))
                    continue
                }
                if out.contains(s.value) {
                    typer.report(Diagnostic(id: "pack.duplicateID", message: "`\(s.value)` is listed twice in \(context)", span: s.span,
                                            help: "list each requirement once"))
                    continue
                }
                out.append(s.value)
            }
            satisfies = out
        }
        let errorsAfter = typer.sink.diagnostics.filter { $0.severity == .error }.count
        guard errorsAfter == errorsBefore, let id, let when, let cite, let satisfies else { return nil }
        return Alternative(id: id, title: title ?? String(id.map { $0 == "-" ? " " : $0 }), when: when, satisfies: satisfies, cite: cite)
    }
}
