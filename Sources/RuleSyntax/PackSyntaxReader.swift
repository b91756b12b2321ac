public import RuleBase
public import RuleYAML

/// Reads a YAML tree into ``PackSyntax``.
///
/// 1. The document must be a mapping; its keys are checked (`pack.unknownKey` with did-you-mean)
///    and required top-level keys are looked for (`pack.missingKey`).
/// 2. Each section is checked for its container kind (`pack.wrongType`) and its own keys.
/// 3. Values stay YAML nodes; the compiler types them.
public enum PackSyntaxReader {
    /// Reads `root` (the document node) and reports structural problems to `sink`.
    /// Returns nil only when the document is not a mapping.
    public static func read(_ root: YAMLNode, into sink: inout DiagnosticSink) -> PackSyntax? {
        let path = root.span.path
        guard let document = mapping(root, keys: PackKeys.document, context: "the pack", into: &sink) else { return nil }
        for key in PackKeys.requiredDocument where document[key] == nil {
            sink.report(Diagnostic(
                id: "pack.missingKey", message: "the pack has no `\(key)`", span: startSpan(root.span),
                help: "add `\(key):` at the top level"))
        }
        var syntax = PackSyntax(
            path: path, document: document, appliesTo: nil, effective: nil, citations: [], parameters: [], cycle: nil,
            requirements: [], exemptions: [], tests: nil)
        if let f = document["applies_to"] {
            syntax.appliesTo = mapping(f.value, keys: PackKeys.appliesTo, context: "`applies_to`", into: &sink)
        }
        if let f = document["effective"] {
            syntax.effective = mapping(f.value, keys: PackKeys.effective, context: "`effective`", into: &sink)
        }
        if let f = document["cycle"] {
            syntax.cycle = mapping(f.value, keys: PackKeys.cycle, context: "`cycle`", into: &sink)
        }
        if let f = document["citations"], let entries = expectMapping(f.value, what: "`citations`", into: &sink) {
            for entry in entries {
                switch entry.value.kind {
                case .scalar(let s):
                    syntax.citations.append(SyntaxNamed(key: entry.key, body: .text(s)))
                case .mapping:
                    if let m = mapping(entry.value, keys: PackKeys.citation, context: "a citation", into: &sink) {
                        syntax.citations.append(SyntaxNamed(key: entry.key, body: .detailed(m)))
                    }
                case .sequence:
                    sink.report(wrongType(entry.value, expected: "a citation text or a mapping with `text`"))
                }
            }
        }
        if let f = document["parameters"], let entries = expectMapping(f.value, what: "`parameters`", into: &sink) {
            for entry in entries {
                if let m = mapping(entry.value, keys: PackKeys.parameter, context: "a parameter", into: &sink) {
                    syntax.parameters.append(SyntaxNamed(key: entry.key, body: m))
                }
            }
        }
        if let f = document["requirements"], let items = expectSequence(f.value, what: "`requirements`", into: &sink) {
            syntax.requirements = items.compactMap {
                mapping($0, keys: PackKeys.requirementAll, context: "a requirement", into: &sink)
            }
        }
        if let f = document["exemptions"], let items = expectSequence(f.value, what: "`exemptions`", into: &sink) {
            syntax.exemptions = items.compactMap { mapping($0, keys: PackKeys.exemption, context: "an exemption", into: &sink) }
        }
        if let f = document["alternatives"], let items = expectSequence(f.value, what: "`alternatives`", into: &sink) {
            syntax.alternatives = items.compactMap { mapping($0, keys: PackKeys.alternative, context: "an alternative", into: &sink) }
        }
        if let f = document["attributes"], let entries = expectMapping(f.value, what: "`attributes`", into: &sink) {
            for entry in entries {
                if let m = mapping(entry.value, keys: PackKeys.attribute, context: "an attribute", into: &sink) {
                    syntax.attributes.append(SyntaxNamed(key: entry.key, body: m))
                }
            }
        }
        if let f = document["not_issued"], let items = expectSequence(f.value, what: "`not_issued`", into: &sink) {
            syntax.notIssued = items.compactMap { mapping($0, keys: PackKeys.notIssued, context: "a `not_issued` entry", into: &sink) }
        }
        if let f = document["tests"] {
            var tests: [TestSyntax] = []
            for item in expectSequence(f.value, what: "`tests`", into: &sink) ?? [] {
                guard let m = mapping(item, keys: PackKeys.test, context: "a test", into: &sink) else { continue }
                var expect: SyntaxMapping?
                if let e = m["expect"] { expect = mapping(e.value, keys: PackKeys.expect, context: "`expect`", into: &sink) }
                tests.append(TestSyntax(mapping: m, expect: expect))
            }
            syntax.tests = tests
        }
        return syntax
    }

    /// Checks that `node` is a mapping with keys from `keys`; reports unknown keys with a
    /// did-you-mean (or the list of allowed keys).
    ///
    /// An unknown key whose closest language key is not written in the mapping (`requirments`
    /// where `requirements` is absent) is reported once and then read as that key, as compilers
    /// recover from a typo: its contents are still checked, and nothing that depends on the
    /// intended key (a "missing key", references to ids defined under it, unused warnings) is
    /// reported on top. Other unknown keys are dropped and listed in ``SyntaxMapping/unreadKeys``.
    public static func mapping(
        _ node: YAMLNode, keys: [String], context: String, into sink: inout DiagnosticSink
    ) -> SyntaxMapping? {
        guard let entries = expectMapping(node, what: context, into: &sink) else { return nil }
        let written = Set(entries.map(\.key.value))
        var taken = Set<String>()
        var fields: [SyntaxField] = []
        var unread: [YAMLScalar] = []
        for entry in entries {
            if keys.contains(entry.key.value) {
                fields.append(SyntaxField(key: entry.key, value: entry.value))
                continue
            }
            let intended = Suggestions.closest(to: entry.key.value, in: keys)
            sink.report(Diagnostic(
                id: "pack.unknownKey", message: "unknown key `\(entry.key.value)` in \(context)", span: entry.key.span,
                help: intended.map { "did you mean `\($0)`?" }
                    ?? "expected one of: " + keys.map { "`\($0)`" }.joined(separator: ", ")))
            if let intended, !written.contains(intended), !taken.contains(intended) {
                taken.insert(intended)
                fields.append(SyntaxField(key: entry.key, value: entry.value, readAs: intended))
            } else {
                unread.append(entry.key)
            }
        }
        return SyntaxMapping(fields: fields, span: node.span, unreadKeys: unread)
    }

    /// The entries of a mapping node, or a `pack.wrongType` report.
    public static func expectMapping(
        _ node: YAMLNode, what: String, into sink: inout DiagnosticSink
    ) -> [YAMLMapping.Entry]? {
        if let entries = node.mapping { return entries }
        sink.report(wrongType(node, expected: "a mapping for \(what)"))
        return nil
    }

    /// The items of a sequence node, or a `pack.wrongType` report.
    public static func expectSequence(_ node: YAMLNode, what: String, into sink: inout DiagnosticSink) -> [YAMLNode]? {
        if let items = node.sequence { return items }
        sink.report(wrongType(node, expected: "a list for \(what)"))
        return nil
    }

    /// `pack.wrongType`: "expected X, found Y".
    public static func wrongType(_ node: YAMLNode, expected: String, help: String? = nil) -> Diagnostic {
        Diagnostic(id: "pack.wrongType", message: "expected \(expected), found \(describe(node))", span: node.span, help: help)
    }

    /// How a node reads in a message: "`2025-13-01`", "a list", "a mapping", "nothing".
    public static func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar(let s): s.isNullLike ? "nothing" : "`\(s.value)`"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// A one-character span at the start of `span`.
    public static func startSpan(_ span: SourceSpan) -> SourceSpan {
        SourceSpan(path: span.path, start: span.start, end: SourceLocation(line: span.start.line, column: span.start.column + 1))
    }
}
