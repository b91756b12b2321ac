import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR
import RuleExpressions

extension PackChecker {
    /// The pack's own provider attributes (`attributes:`, `Grammar/pack-language.md` §7.1): a key the
    /// shared table (§7) does not have, a type, a meaning and an optional default of that type.
    mutating func declaredAttributes() -> [AttributeDeclaration] {
        var declared: [AttributeDeclaration] = []
        for entry in syntax.attributes {
            let key = entry.key.value
            let m = entry.body
            guard Self.isSnake(key) else {
                typer.report(Diagnostic(id: "pack.invalidID", message: "attribute key `\(key)` is not lower_snake_case", span: entry.key.span,
                                        help: "use lowercase letters, digits and underscores, e.g. `practises_in_kansas`"))
                continue
            }
            if let shared = ProviderAttributes.declaration(of: key) {
                typer.report(Diagnostic(
                    id: "pack.conflictingAttribute", message: "`\(key)` is a shared provider attribute (\(shared.type.rawValue)); a pack cannot redeclare it",
                    span: entry.key.span, help: "read it as `provider.\(key)` without declaring it, or declare an attribute of another name"))
                continue
            }
            let context = "attribute `\(key)`"
            let type = typer.require(m, "type", in: context, help: "add `type:` (" + ValueType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                .flatMap { typer.oneOf($0.value, ValueType.allCases.map(\.rawValue), what: "attribute type").flatMap(ValueType.init(rawValue:)) }
            let meaning = typer.require(m, "meaning", in: context,
                                        help: "say what the attribute records and under which rule, as for the shared table (§7)")
                .flatMap { typer.string($0.value) }
            if let meaning, meaning.trimmingCharacters(in: .whitespaces).isEmpty, let f = m["meaning"] {
                typer.report(Diagnostic(id: "pack.missingKey", message: "the meaning of \(context) is empty", span: f.value.span))
                continue
            }
            guard let type, let meaning else { continue }
            var defaultValue: ScalarValue?
            if let f = m["default"] {
                guard let value = scalarValue(f.value, type: type) else { continue }
                defaultValue = value
            }
            var declaration = AttributeDeclaration(key: key, type: type, defaultValue: defaultValue)
            declaration.meaning = meaning
            declared.append(declaration)
        }
        return declared
    }

    /// `pack.unusedAttribute` for a declared attribute no expression reads. Not reported when an
    /// expression does not parse (it may hold the use).
    mutating func warnUnused(_ declared: [AttributeDeclaration], used: Set<String>, references: [(variables: [String], undeclared: [String])?]) {
        guard !references.contains(where: { $0 == nil }) else { return }
        let read = used.union(references.flatMap { ExpressionChecker.names(selectedFrom: "provider", in: $0?.variables ?? []) })
        for entry in syntax.attributes where declared.contains(where: { $0.key == entry.key.value }) && !read.contains(entry.key.value) {
            typer.report(Diagnostic(
                id: "pack.unusedAttribute", severity: .warning, message: "attribute `\(entry.key.value)` is never read",
                span: entry.key.span, help: "read it as `provider.\(entry.key.value)` or remove it"))
        }
    }
}

extension PackCompiler {
    /// Two packs that declare one attribute key with a different type or default
    /// (`pack.conflictingAttribute`): facts hold one value per provider and key, typed once.
    static func checkAttributes(_ packs: [CompiledPack], spans: [String: SourceSpan]) -> [Diagnostic] {
        var first: [String: (declaration: AttributeDeclaration, pack: CompiledPack)] = [:]
        var out: [Diagnostic] = []
        for pack in packs {
            for declaration in pack.ruleVersion.attributes where declaration.meaning != nil {
                guard let (earlier, where_) = first[declaration.key] else {
                    first[declaration.key] = (declaration, pack)
                    continue
                }
                guard earlier.type != declaration.type || earlier.defaultValue != declaration.defaultValue else { continue }
                let describe = { (d: AttributeDeclaration) in d.type.rawValue + (d.defaultValue.map { " with default \($0.json.compactText)" } ?? " without a default") }
                out.append(Diagnostic(
                    id: "pack.conflictingAttribute",
                    message: "`\(pack.ruleVersion.pack)` declares attribute `\(declaration.key)` as \(describe(declaration)); "
                        + "`\(where_.ruleVersion.pack)` declares it as \(describe(earlier))",
                    span: spans[pack.path], help: "facts hold one value per provider and key: give the attributes different keys, or one declaration",
                    notes: [.init("declared here", span: spans[where_.path])]))
            }
        }
        return out
    }
}
