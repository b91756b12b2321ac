import RuleBase
import RuleYAML
import RuleSyntax

/// Typing of scalar values by the schema: YAML's implicit types are never used, so `yes` is a
/// string unless a boolean is wanted and `2025-01-01` is a date only where a date is expected.
struct Typer {
    var sink: DiagnosticSink
    /// Diagnostic ids not reported because their cause was already reported: with `requirements`
    /// missing, every reference to a requirement id would otherwise be an error of its own.
    var suppressed: Set<String> = []

    mutating func report(_ d: Diagnostic) {
        if suppressed.contains(d.id) { return }
        sink.report(d)
    }

    /// The scalar of `node`, or a wrong-type report naming `expected`.
    mutating func scalar(_ node: YAMLNode, expected: String) -> YAMLScalar? {
        if let s = node.scalar, !s.isNullLike { return s }
        report(PackSyntaxReader.wrongType(node, expected: expected))
        return nil
    }

    mutating func string(_ node: YAMLNode, what: String = "a string") -> String? {
        scalar(node, expected: what)?.value
    }

    mutating func int(_ node: YAMLNode, min: Int? = nil, what: String = "a whole number") -> Int? {
        guard let s = scalar(node, expected: what) else { return nil }
        guard let v = Int(s.value) else {
            report(PackSyntaxReader.wrongType(node, expected: what))
            return nil
        }
        if let min, v < min {
            report(Diagnostic(id: "pack.outOfRange", message: "expected \(what) of at least \(min), found `\(s.value)`", span: s.span))
            return nil
        }
        return v
    }

    mutating func date(_ node: YAMLNode) -> CalendarDate? {
        guard let s = scalar(node, expected: "a date like 2025-01-01") else { return nil }
        guard let d = Self.parseDate(s.value) else {
            report(PackSyntaxReader.wrongType(node, expected: "a date like 2025-01-01"))
            return nil
        }
        return d
    }

    /// Parses strict `YYYY-MM-DD`.
    static func parseDate(_ text: String) -> CalendarDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return nil }
        return CalendarDate(iso: text)
    }

    mutating func decimal(_ node: YAMLNode, what: String = "a number") -> ExactDecimal? {
        guard let s = scalar(node, expected: what) else { return nil }
        guard let d = ExactDecimal(s.value) else {
            report(PackSyntaxReader.wrongType(node, expected: what))
            return nil
        }
        return d
    }

    mutating func bool(_ node: YAMLNode) -> Bool? {
        guard let s = scalar(node, expected: "`true` or `false`") else { return nil }
        switch s.value {
        case "true": return true
        case "false": return false
        default:
            report(PackSyntaxReader.wrongType(node, expected: "`true` or `false`"))
            return nil
        }
    }

    /// A value from a closed list; unknown values are reported under `id` with a did-you-mean.
    mutating func oneOf(_ node: YAMLNode, _ allowed: [String], id: String = "pack.unknownValue", what: String) -> String? {
        guard let s = scalar(node, expected: what) else { return nil }
        return checkOneOf(s, allowed, id: id, what: what)
    }

    mutating func checkOneOf(_ s: YAMLScalar, _ allowed: [String], id: String, what: String) -> String? {
        if allowed.contains(s.value) { return s.value }
        let help = Suggestions.didYouMean(s.value, in: allowed)
            ?? "expected one of: " + allowed.map { "`\($0)`" }.joined(separator: ", ")
        report(Diagnostic(id: id, message: "unknown \(what) `\(s.value)`", span: s.span, help: help))
        return nil
    }

    /// A list of scalars (a single scalar is not accepted: lists are written `[a, b]`).
    mutating func scalarList(_ node: YAMLNode, what: String) -> [YAMLScalar]? {
        guard let items = node.sequence else {
            report(PackSyntaxReader.wrongType(node, expected: "a list of \(what)"))
            return nil
        }
        var out: [YAMLScalar] = []
        for item in items {
            if let s = scalar(item, expected: what) { out.append(s) }
        }
        return out
    }

    /// A list of values from a closed list.
    mutating func oneOfList(_ node: YAMLNode, _ allowed: [String], id: String, what: String) -> [String]? {
        guard let items = scalarList(node, what: what) else { return nil }
        return items.compactMap { checkOneOf($0, allowed, id: id, what: what) }
    }

    /// A required field; `pack.missingKey` at the mapping's start when absent.
    mutating func require(_ mapping: SyntaxMapping, _ key: String, in context: String, help: String? = nil) -> SyntaxField? {
        if let f = mapping[key] { return f }
        report(Diagnostic(
            id: "pack.missingKey", message: "\(context) has no `\(key)`", span: PackSyntaxReader.startSpan(mapping.span),
            help: help ?? "add `\(key):`"))
        return nil
    }
}
