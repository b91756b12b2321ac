import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR
import RuleExpressions

/// Checking of embedded expressions, with every issue placed at its own character in the pack.
struct ExpressionChecker {
    let environment: CELEnvironment
    let parameterNames: [String]
    /// The provider attributes `provider.KEY` may name.
    var attributes = AttributeCatalogue.shared

    /// Compiles `scalar` as CEL and checks that its type is one of `expected`.
    ///
    /// - Returns: The IR expression, or nil after reporting.
    func check(
        _ scalar: YAMLScalar, field: String, expected: [CELType], into typer: inout Typer
    ) -> Expression? {
        if scalar.style == .doubleQuoted, scalar.hasSynthesizedCharacters {
            typer.report(Diagnostic(
                id: "pack.escapedExpression", severity: .warning,
                message: "`\(field)` is a double-quoted scalar with escapes; error positions inside it may be off",
                span: scalar.span, help: "write the expression as a plain scalar or a block scalar (`|`)"))
        }
        switch CompiledExpression.compile(scalar.value, in: environment, check: true) {
        case .failure(let issues):
            for issue in issues { typer.report(diagnostic(for: issue, in: scalar)) }
            return nil
        case .success(let compiled):
            let type = compiled.resultType
            if !expected.contains(type), type != .dyn {
                let names = expected.map { "`\($0)`" }.joined(separator: " or ")
                typer.report(Diagnostic(
                    id: "expr.wrongResultType", message: "`\(field)` must be \(names), but this expression is `\(type)`",
                    span: scalar.span,
                    help: expected == [.bool] ? "compare the value, e.g. `x == 1` or `x > 0`" : nil))
                return nil
            }
            // Evaluated once with no facts at all: a failure that is not a missing fact
            // (`1 / 0`, `date('2025-13-01')`, an over-long `matches` pattern) fails for every
            // provider, so it is reported here rather than as `missing_data` on each of them.
            if case .failure(let issue) = compiled.evaluate(CELActivation(slots: [])),
                !issue.message.hasPrefix("no value bound for variable")
            {
                var d = diagnostic(for: issue, in: scalar)
                d.help = d.help ?? "this fails whatever the facts are; fix the constant part of the expression"
                typer.report(d)
                return nil
            }
            let resultType = type == .dyn ? (expected.first ?? .dyn) : type
            // What the expression reads is what the checker resolved, not what its text mentions.
            return Expression(
                source: scalar.value, type: resultType.description,
                attributes: Self.names(selectedFrom: "provider", in: compiled.variables))
        }
    }

    /// Maps a CEL issue to a pack diagnostic at the issue's characters. Undeclared `params.X`
    /// and `provider.X` become pack-level ids with suggestions from the pack's own names.
    func diagnostic(for issue: CELIssue, in scalar: YAMLScalar) -> Diagnostic {
        let path = scalar.span.path
        var span = scalar.span(ofUTF8Range: issue.offset..<(issue.offset + max(issue.length, 1))) ?? scalar.span
        if span.path.isEmpty { span.path = path }
        if issue.stage == .check, let written = issue.reference {
            let parts = written.split(separator: ".", maxSplits: 2).map(String.init)
            if parts.count >= 2 {
                let reference = (root: parts[0], name: parts[1])
                let fullLength = reference.root.utf8.count + 1 + reference.name.utf8.count
                let fullSpan = scalar.span(ofUTF8Range: issue.offset..<(issue.offset + fullLength)) ?? span
                if reference.root == "params", !parameterNames.contains(reference.name) {
                    return Diagnostic(
                        id: "pack.undefinedParameter", message: "undefined parameter `params.\(reference.name)`",
                        span: fullSpan,
                        help: Suggestions.didYouMean(reference.name, in: parameterNames).map { _ in
                            "did you mean `params.\(Suggestions.closest(to: reference.name, in: parameterNames) ?? "")`?"
                        } ?? "declare it under `parameters:`")
                }
                if reference.root == "provider", attributes.declaration(of: reference.name) == nil {
                    let keys = attributes.keys
                    return Diagnostic(
                        id: "pack.unknownAttribute", message: "unknown provider attribute `provider.\(reference.name)`",
                        span: fullSpan,
                        help: Suggestions.closest(to: reference.name, in: keys).map { "did you mean `provider.\($0)`?" }
                            ?? "declared attributes: " + keys.map { "`\($0)`" }.joined(separator: ", "))
                }
            }
        }
        if issue.stage == .check, let chain = issue.reference {
            // The checker names the first undeclared segment (`credential`); the analyst wrote a
            // dotted name (`credential.stat`), so suggest among the declared dotted names.
            let declared = environment.variables.map(\.name)
            if chain.contains("."), let best = Suggestions.closest(to: chain, in: declared) {
                let chainSpan = scalar.span(ofUTF8Range: issue.offset..<(issue.offset + chain.utf8.count)) ?? span
                return Diagnostic(
                    id: "expr.undeclaredReference", message: "undeclared reference to `\(chain)`", span: chainSpan,
                    help: "did you mean `\(best)`?")
            }
        }
        let id: String
        switch issue.stage {
        case .parse: id = "expr.syntax"
        case .check:
            id = issue.message.hasPrefix("undeclared reference") ? "expr.undeclaredReference"
                : issue.message.hasPrefix("no column") ? "expr.unknownColumn" : "expr.typeError"
        case .eval: id = "expr.evaluation"
        }
        return Diagnostic(id: id, message: issue.message, span: span, help: issue.help)
    }

    /// The names selected from `root` (`provider`, `params`) among resolved variable names, sorted.
    static func names(selectedFrom root: String, in variables: [String]) -> [String] {
        let prefix = root + "."
        return Array(Set(variables.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })).sorted()
    }
}
